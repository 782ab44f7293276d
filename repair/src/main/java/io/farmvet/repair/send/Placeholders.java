package io.farmvet.repair.send;

import io.farmvet.repair.RepairTarget;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The placeholders of the {@code http} template, and the encodings they are inserted with. A placeholder is
 * {@code {name}} with a letter-and-digit name, so JSON braces such as <code>{"id":{repoId}}</code> stay literal.
 */
final class Placeholders {
    static final String NODE_NAME = "nodeName";
    static final String NODE_URL = "nodeUrl";
    static final String REPO_ID = "repoId";
    static final String PROJECT_ID = "projectId";
    static final String KINDS = "kinds";
    static final Set<String> NAMES = Set.of(NODE_NAME, NODE_URL, REPO_ID, PROJECT_ID, KINDS);

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z][A-Za-z0-9]*)\\}");
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private Placeholders() {}

    static Map<String, String> values(RepairTarget target) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put(NODE_NAME, target.node().name());
        values.put(NODE_URL, target.node().baseUrl());
        values.put(REPO_ID, Long.toString(target.repositoryId()));
        values.put(PROJECT_ID, Long.toString(target.projectId()));
        values.put(KINDS, target.kindsText());
        return values;
    }

    /** Throws when {@code template} uses a placeholder that does not exist; the message names {@code key}. */
    static void check(String key, String template) {
        Matcher matcher = PLACEHOLDER.matcher(template);
        while (matcher.find()) {
            if (!NAMES.contains(matcher.group(1))) {
                throw new IllegalArgumentException(key + ": unknown placeholder {" + matcher.group(1)
                        + "}; known are {nodeName}, {nodeUrl}, {repoId}, {projectId}, {kinds}");
            }
        }
    }

    /**
     * Replaces the placeholders of {@code template}, each value passed through {@code encoding}; a placeholder at
     * index 0 goes through {@code encodingAtStart} instead (for {@code {nodeUrl}} as the base of a URL).
     */
    static String render(
            String template,
            Map<String, String> values,
            UnaryOperator<String> encodingAtStart,
            UnaryOperator<String> encoding) {
        Matcher matcher = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder(template.length() + 64);
        while (matcher.find()) {
            String value = values.get(matcher.group(1));
            String encoded = matcher.start() == 0 ? encodingAtStart.apply(value) : encoding.apply(value);
            matcher.appendReplacement(out, Matcher.quoteReplacement(encoded));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    /** RFC 3986 percent-encoding of everything but the unreserved characters, so {@code /} and spaces too. */
    static String urlComponent(String value) {
        StringBuilder out = new StringBuilder(value.length() + 16);
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z')
                    || (c >= 'a' && c <= 'z')
                    || (c >= '0' && c <= '9')
                    || c == '-'
                    || c == '.'
                    || c == '_'
                    || c == '~') {
                out.append(c);
            } else {
                out.append('%').append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
            }
        }
        return out.toString();
    }

    /** The content of a JSON string, without the quotes: the template writes those. */
    static String jsonString(String value) {
        return new String(
                com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance().quoteAsString(value));
    }

    /** Header values are sent as they are, but control characters are percent-encoded: no header injection. */
    static String headerValue(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                out.append('%').append(HEX[(c >> 4) & 0xf]).append(HEX[c & 0xf]);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
