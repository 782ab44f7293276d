package io.farmvet.repair.send;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks secrets in what farmvet writes about a request (report details, audit log, log lines). Three layers, so
 * that a secret the operator puts somewhere unexpected still does not leak: every header value except a few known
 * harmless ones; the user-info of a URL and query parameter values whose names look secret; and every occurrence
 * of a known secret value (the node's credentials, secret-looking template headers) anywhere in the text.
 */
final class Masking {
    static final String MASK = "***";

    /** Header values shown as they are: none of these can carry a credential. */
    private static final Set<String> PLAIN_HEADERS = Set.of("content-type", "accept", "user-agent", "content-length");

    private static final Pattern SECRET_NAME =
            Pattern.compile("(?i).*(auth|token|key|secret|passw|signature|sig|cookie|session|credential).*");

    private static final Pattern QUERY_PARAM = Pattern.compile("([?&])([^=&#]*)=([^&#]*)");

    private Masking() {}

    static boolean plainHeader(String name) {
        return PLAIN_HEADERS.contains(name.toLowerCase(Locale.ROOT));
    }

    static boolean secretName(String name) {
        return SECRET_NAME.matcher(name).matches();
    }

    static String headerValue(String name, String value) {
        return plainHeader(name) ? value : MASK;
    }

    static String url(URI uri, Collection<String> secrets) {
        String text = uri.toString();
        if (uri.getRawUserInfo() != null) {
            text = text.replace(uri.getRawUserInfo() + "@", MASK + "@");
        }
        var matcher = QUERY_PARAM.matcher(text);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String replacement =
                    secretName(matcher.group(2)) ? matcher.group(1) + matcher.group(2) + "=" + MASK : matcher.group();
            matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        matcher.appendTail(out);
        return text(out.toString(), secrets);
    }

    /** The URL's secrets as they appear in its text: user-info and values of secret-looking query parameters. */
    static Set<String> urlSecrets(URI uri) {
        Set<String> secrets = new LinkedHashSet<>();
        if (uri.getRawUserInfo() != null) {
            secrets.add(uri.getRawUserInfo());
            int colon = uri.getRawUserInfo().indexOf(':');
            if (colon >= 0 && colon < uri.getRawUserInfo().length() - 1) {
                secrets.add(uri.getRawUserInfo().substring(colon + 1));
            }
        }
        if (uri.getRawQuery() != null) {
            var matcher = QUERY_PARAM.matcher("?" + uri.getRawQuery());
            while (matcher.find()) {
                if (secretName(matcher.group(2)) && !matcher.group(3).isEmpty()) {
                    secrets.add(matcher.group(3));
                    String decoded = URLDecoder.decode(matcher.group(3), StandardCharsets.UTF_8);
                    secrets.add(decoded);
                }
            }
        }
        secrets.removeIf(String::isBlank);
        return secrets;
    }

    /** Replaces every occurrence of every secret, longest first so that a secret's prefix cannot expose its tail. */
    static String text(String text, Collection<String> secrets) {
        if (text == null) {
            return null;
        }
        String masked = text;
        for (String secret : secrets.stream()
                .sorted((a, b) -> Integer.compare(b.length(), a.length()))
                .toList()) {
            masked = masked.replace(secret, MASK);
        }
        return masked;
    }
}
