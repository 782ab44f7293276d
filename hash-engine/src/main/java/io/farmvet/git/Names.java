package io.farmvet.git;

/**
 * Checks project keys and repository slugs before they go into a canonical form. The forms join names with
 * {@code '/'} and {@code '\n'}, so a name holding either (or any other control character) could make two
 * different repositories encode to the same text; a lone surrogate would be encoded as {@code '?'} by UTF-8 and
 * collide the same way.
 */
public final class Names {
    private Names() {}

    static String requireValid(String what, String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '/') {
                throw new IllegalArgumentException(
                        what + " must not contain '/' or control characters: " + escape(name) + " (index " + i + ")");
            }
            if (Character.isHighSurrogate(c) && i + 1 < name.length() && Character.isLowSurrogate(name.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException(
                        what + " is not well-formed UTF-16 (lone surrogate at index " + i + "): " + escape(name));
            }
        }
        return name;
    }

    /** The name with control characters shown as {@code \\uXXXX}, so an error message stays on one line. */
    public static String escape(String name) {
        StringBuilder out = new StringBuilder(name.length() + 8);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f || Character.isSurrogate(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
