package io.farmvet.config;

import java.util.regex.Pattern;

/**
 * Where a server listens, {@code host:port}: the one parser for the daemon's {@code server.listen} and the
 * agent's {@code --listen}. The host is a host name, an IPv4 address or a bracketed IPv6 address ({@code
 * [::1]:8787}) and comes back without brackets; the port is 0 (any free port) to 65535. No DNS lookup: the server
 * resolves the name when it binds, and reading settings must not depend on the network.
 *
 * @param host the host name or address, IPv6 without brackets
 * @param port 0 to 65535
 */
public record ListenAddress(String host, int port) {
    /** The forms {@link #parse} accepts, for messages. */
    public static final String FORMS = "like 127.0.0.1:8787, localhost:8787 or [::1]:8787";

    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,252}[A-Za-z0-9])?");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
    private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");
    private static final int MAX_PORT = 65535;

    /**
     * Parses {@code host:port}.
     *
     * @throws IllegalArgumentException with the problem phrased to follow the option or key that held the text
     *     ({@code --listen: }, {@code server.listen: })
     */
    public static ListenAddress parse(String text) {
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("must be host:port, got " + ConfigValues.quote(text));
            }
            host = text.substring(1, close);
            port = text.substring(close + 2);
            if (!IPV6.matcher(host).matches()) {
                throw new IllegalArgumentException(
                        "has no valid IPv6 address in brackets, got " + ConfigValues.quote(text));
            }
        } else {
            int colon = text.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("needs a port (host:port), got " + ConfigValues.quote(text));
            }
            host = text.substring(0, colon);
            port = text.substring(colon + 1);
            if (host.indexOf(':') >= 0) {
                throw new IllegalArgumentException(
                        "holds an IPv6 address without brackets, got " + ConfigValues.quote(text));
            }
            if (!HOST.matcher(host).matches()) {
                throw new IllegalArgumentException(
                        "has no valid host name or address before the port, got " + ConfigValues.quote(text));
            }
        }
        if (!PORT.matcher(port).matches() || Integer.parseInt(port) > MAX_PORT) {
            throw new IllegalArgumentException(
                    "needs a port from 0 to " + MAX_PORT + " after the colon, got " + ConfigValues.quote(text));
        }
        return new ListenAddress(host, Integer.parseInt(port));
    }

    /** {@code host:port} as written, IPv6 in brackets. */
    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
