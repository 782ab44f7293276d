package io.farmvet.discover;

/** Text from a server, made safe for a terminal and for one line of output. Stateless. */
public final class ServerText {
    /** Enough for any mirror or member name; a longer one is cut with an ellipsis. */
    static final int MAX_SHOWN = 200;

    private ServerText() {}

    /** {@code text} without control characters (each shown as ?), at most {@link #MAX_SHOWN} characters. */
    public static String shown(String text) {
        if (text == null) {
            return "(none)";
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_SHOWN + 1));
        text.codePoints().limit(MAX_SHOWN + 1L).forEach(c -> {
            boolean lineBreak = c == 0x85 || c == 0x2028 || c == 0x2029;
            out.appendCodePoint(Character.isISOControl(c) || lineBreak ? '?' : c);
        });
        if (text.codePointCount(0, text.length()) > MAX_SHOWN) {
            out.setLength(out.offsetByCodePoints(0, MAX_SHOWN));
            out.append('…');
        }
        return out.toString();
    }
}
