package io.farmvet.config;

import io.farmvet.util.Units;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parsers for the scalar forms a config file uses: durations, sizes, names and server URLs. Each returns the
 * typed value or throws {@link BadValue} with the problem text (without the key path, which the caller knows).
 * Stateless.
 */
final class ConfigValues {
    /** Farm and node names become metric labels and file names, so keep them to a safe charset. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    static final String NAME_RULE = "must be 1 to 64 characters from A-Z a-z 0-9 . _ -";

    /** Bitbucket's mirror server ids are short printable strings such as {@code B0AB-4C1D-9E2F-7A3B}. */
    private static final Pattern MIRROR_SERVER_ID = Pattern.compile("[\\x21-\\x7e]{1,200}");

    static final String MIRROR_SERVER_ID_RULE = "must be 1 to 200 printable characters without spaces";

    private static final Pattern DURATION = Pattern.compile("([0-9]+)(ms|s|m|h)");
    static final String DURATION_FORMS = "like 500ms, 5s, 2m or 1h";

    private static final Pattern SIZE = Pattern.compile("([0-9]+)(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)?");
    static final String SIZE_FORMS = "like 1048576 (bytes), 512KiB, 100MiB, 2GiB, 500MB or 1GB";

    /** Longest quoted user value echoed in a message; a whole pasted certificate helps nobody. */
    private static final int MAX_ECHO_CHARS = 80;

    private ConfigValues() {}

    /** The problem with one value, phrased to follow {@code key.path: }. */
    static final class BadValue extends Exception {
        private static final long serialVersionUID = 1L;

        BadValue(String problem) {
            super(problem, null, false, false);
        }
    }

    static boolean isMirrorServerId(String text) {
        return MIRROR_SERVER_ID.matcher(text).matches();
    }

    static String name(String text) throws BadValue {
        if (!NAME.matcher(text).matches()) {
            throw new BadValue(NAME_RULE + ", got " + quote(text));
        }
        return text;
    }

    /** {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}: an integer and a unit, positive, at most {@code max}. */
    static Duration duration(String text, Duration max) throws BadValue {
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            throw new BadValue("must be a duration " + DURATION_FORMS + ", got " + quote(text));
        }
        Duration d;
        try {
            long n = Long.parseLong(m.group(1));
            d = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
        } catch (NumberFormatException | ArithmeticException e) {
            // Too many digits for a long, or too many hours for a Duration: far beyond any bound anyway.
            throw new BadValue("must be at most " + Units.duration(max) + ", got " + quote(text));
        }
        if (d.isZero()) {
            throw new BadValue("must be positive, got " + quote(text));
        }
        if (d.compareTo(max) > 0) {
            throw new BadValue("must be at most " + Units.duration(max) + ", got " + quote(text));
        }
        return d;
    }

    /** Bytes: a plain integer, or an integer with a decimal (KB = 1000) or binary (KiB = 1024) unit. */
    static long size(String text) throws BadValue {
        Matcher m = SIZE.matcher(text);
        if (!m.matches()) {
            throw new BadValue("must be a size " + SIZE_FORMS + ", got " + quote(text));
        }
        String unit = m.group(2) == null ? "B" : m.group(2);
        long multiplier =
                switch (unit) {
                    case "B" -> 1L;
                    case "KB" -> 1000L;
                    case "MB" -> 1000L * 1000;
                    case "GB" -> 1000L * 1000 * 1000;
                    case "TB" -> 1000L * 1000 * 1000 * 1000;
                    case "KiB" -> 1L << 10;
                    case "MiB" -> 1L << 20;
                    case "GiB" -> 1L << 30;
                    default -> 1L << 40;
                };
        long bytes;
        try {
            bytes = Math.multiplyExact(Long.parseLong(m.group(1)), multiplier);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new BadValue("is too large, got " + quote(text));
        }
        return bytes;
    }

    /**
     * An absolute http(s) URL with a host and optionally a path prefix (Bitbucket behind a context path),
     * normalized: scheme and host in lower case, default port dropped, no trailing slash. The text is never
     * echoed in a message, because a URL may carry credentials in its user-info or query.
     */
    static URI serverUrl(String text) throws BadValue {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            // No index: JDKs disagree on where they notice the fault, and the reason is enough to find it.
            throw new BadValue("is not a valid URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            throw new BadValue("must be an http(s) URL (start with https:// or http://)");
        }
        if (uri.getRawUserInfo() != null) {
            throw new BadValue("must not hold credentials (user-info before @); put them under auth");
        }
        if (uri.isOpaque() || uri.getHost() == null) {
            throw new BadValue("has no host; write it like https://bitbucket.example.com");
        }
        if (uri.getRawQuery() != null) {
            throw new BadValue("must not have a query (?...); farmvet adds its own paths and parameters");
        }
        if (uri.getRawFragment() != null) {
            throw new BadValue("must not have a fragment (#...)");
        }
        int port = uri.getPort();
        if (port == 80 && scheme.equals("http") || port == 443 && scheme.equals("https")) {
            port = -1;
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return URI.create(
                scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (port == -1 ? "" : ":" + port) + path);
    }

    /**
     * Whether a host is this machine by its literal form. No DNS lookup: loading a config must not depend on
     * the network, and a name that resolves to loopback today may not tomorrow.
     */
    static boolean isLoopbackHost(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("localhost")
                || h.endsWith(".localhost")
                || h.equals("[::1]")
                || h.matches("127\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}");
    }

    /** A user's value, quoted and cut short, with control characters escaped so a message stays one line. */
    static String quote(String text) {
        StringBuilder sb = new StringBuilder("\"");
        int end = Math.min(text.length(), MAX_ECHO_CHARS);
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (Character.isISOControl(c)) {
                sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        if (end < text.length()) {
            sb.append("...");
        }
        return sb.append('"').toString();
    }
}
