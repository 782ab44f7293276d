package io.farmvet.discover;

import io.farmvet.fetch.FarmNodesProbe;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code --node-url}: a node's HTTP base URL from its farm member, since {@code farmNodes} gives each member's name
 * and cluster address, not its URL. Placeholders: {@code {name}} the member's name, {@code {host}} the host of its
 * cluster address, {@code {address}} that address as {@code host:port}. A value goes into the URL only when it is a
 * plain host label ({@code A-Z a-z 0-9 . _ -}, and {@code :} in {@code {address}}): the member list is the mirror's
 * answer, and a name such as {@code evil.example#} must not move the node (and its credentials) to another host.
 * Immutable.
 */
public final class NodeUrlTemplate {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z]+)}");
    private static final Pattern HOST_SAFE = Pattern.compile("[A-Za-z0-9._-]{1,253}");
    private static final Pattern ADDRESS_SAFE = Pattern.compile("[A-Za-z0-9._-]{1,253}(:[0-9]{1,5})?");

    private final String template;
    private final boolean perMember;

    private NodeUrlTemplate(String template, boolean perMember) {
        this.template = template;
        this.perMember = perMember;
    }

    /** The template, checked: http(s), known placeholders only. Throws naming the problem. */
    public static NodeUrlTemplate parse(String template) {
        Matcher m = PLACEHOLDER.matcher(template);
        boolean any = false;
        while (m.find()) {
            String name = m.group(1);
            if (!name.equals("name") && !name.equals("host") && !name.equals("address")) {
                throw new IllegalArgumentException(
                        "has an unknown placeholder {" + name + "}; the placeholders are {name}, {host} and {address}");
            }
            any = true;
        }
        String sample = m.reset().replaceAll("node-1");
        String scheme = sample.toLowerCase(Locale.ROOT);
        if (!scheme.startsWith("https://") && !scheme.startsWith("http://")) {
            throw new IllegalArgumentException("must be an http(s) URL such as https://{name}.example.com:7990, got "
                    + ServerText.shown(template));
        }
        try {
            URI uri = new URI(sample);
            if (uri.getHost() == null
                    || uri.getRawUserInfo() != null
                    || uri.getRawQuery() != null
                    || uri.getRawFragment() != null) {
                throw new URISyntaxException(sample, "no host, or credentials, a query or a fragment");
            }
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(
                    "is not a usable base URL (" + e.getReason() + "): " + ServerText.shown(template));
        }
        return new NodeUrlTemplate(template, any);
    }

    /** Whether the URL depends on the member; without a placeholder every member gets the same URL. */
    public boolean perMember() {
        return perMember;
    }

    /** The URL of {@code member}, or an {@link IllegalArgumentException} saying why there is none. */
    public URI expand(FarmNodesProbe.Member member) {
        String address = member.address();
        String host = address == null ? null : address.replaceFirst(":[0-9]+$", "");
        StringBuilder url = new StringBuilder();
        Matcher m = PLACEHOLDER.matcher(template);
        while (m.find()) {
            String value =
                    switch (m.group(1)) {
                        case "name" -> safe(member.name(), HOST_SAFE, "its name");
                        case "host" -> safe(host, HOST_SAFE, "the host of its cluster address");
                        default -> safe(address, ADDRESS_SAFE, "its cluster address");
                    };
            m.appendReplacement(url, Matcher.quoteReplacement(value));
        }
        m.appendTail(url);
        try {
            URI uri = new URI(url.toString());
            if (uri.getHost() == null) {
                throw new URISyntaxException(url.toString(), "no host");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--node-url gives " + ServerText.shown(url.toString())
                    + ", not a URL with a host (" + e.getReason() + ")");
        }
    }

    private static String safe(String value, Pattern allowed, String what) {
        if (value == null) {
            throw new IllegalArgumentException(
                    "the farm lists no cluster address for it, so --node-url cannot use " + what);
        }
        if (!allowed.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " (" + ServerText.shown(value) + ") is not a plain host name, so"
                    + " --node-url cannot use it; use another placeholder or add the node by hand");
        }
        return value;
    }

    @Override
    public String toString() {
        return template;
    }
}
