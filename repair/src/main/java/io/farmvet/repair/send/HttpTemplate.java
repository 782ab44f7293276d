package io.farmvet.repair.send;

import io.farmvet.compare.Kind;
import io.farmvet.repair.RepairNode;
import io.farmvet.repair.RepairTarget;
import java.net.URI;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * {@code repair.http.*}: the request the {@code http} adapter sends for each target. Placeholders
 * {@code {nodeName}}, {@code {nodeUrl}}, {@code {repoId}}, {@code {projectId}} and {@code {kinds}} (wire names
 * joined by commas) are replaced by these rules:
 *
 * <ul>
 *   <li><b>URL</b> ({@code repair.http.url}): percent-encoded as an RFC 3986 component (everything but
 *       {@code A-Z a-z 0-9 - . _ ~}, so spaces, {@code &}, {@code /} and quotes too), except {@code {nodeUrl}} at
 *       the very start of the template, which is the base of the URL and goes in as it is (without a trailing
 *       slash). The result must be an absolute http(s) URL.
 *   <li><b>Body</b> ({@code repair.http.body}), when it is JSON: escaped as the content of a JSON string, without
 *       quotes (write {@code "{nodeName}"} in the template; numbers can go bare: <code>{"id":{repoId}}</code>). The
 *       body is JSON when the {@code Content-Type} header contains {@code json}, or when no {@code Content-Type}
 *       is set and the template starts with <code>{</code> or {@code [} (then {@code application/json} is sent).
 *       With {@code Content-Type: application/x-www-form-urlencoded} values are percent-encoded as in the URL.
 *       Any other body takes the values as they are ({@code text/plain; charset=UTF-8} unless set).
 *   <li><b>Headers</b> ({@code repair.http.headers}): values as they are, control characters percent-encoded.
 *       The node's {@code Authorization} header is sent unless the template sets one.
 * </ul>
 *
 * Immutable; validated on construction, error messages name the key.
 */
public record HttpTemplate(String method, String url, String body, Map<String, String> headers) {
    public static final String DEFAULT_METHOD = "POST";

    private static final Pattern METHOD = Pattern.compile("[A-Z]+");
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    public HttpTemplate {
        method = method == null ? DEFAULT_METHOD : method;
        if (!METHOD.matcher(method).matches()) {
            throw new IllegalArgumentException(
                    "repair.http.method: must be an HTTP method in capitals such as POST, was '" + method + "'");
        }
        Objects.requireNonNull(url, "repair.http.url");
        Placeholders.check("repair.http.url", url);
        if (body != null) {
            Placeholders.check("repair.http.body", body);
        }
        headers = headers == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        for (Map.Entry<String, String> header : headers.entrySet()) {
            if (!HEADER_NAME.matcher(header.getKey()).matches()) {
                throw new IllegalArgumentException(
                        "repair.http.headers: '" + header.getKey() + "' is not a valid header name");
            }
            Placeholders.check("repair.http.headers." + header.getKey(), header.getValue());
        }
        // Render once with sample values so that a URL that can never be valid fails at start-up, not per repair.
        RepairNode sampleNode = new RepairNode("sample node", URI.create("https://node.example.com/bitbucket"), null);
        URI sample = renderUrl(url, Placeholders.values(new RepairTarget(sampleNode, 1, 1, EnumSet.of(Kind.CONTENT))));
        if (sample == null) {
            throw new IllegalArgumentException("repair.http.url: must give an absolute http(s) URL, was '" + url + "'");
        }
    }

    /** The {@code Content-Type} the template sets, or null. */
    public String contentType() {
        for (Map.Entry<String, String> header : headers.entrySet()) {
            if (header.getKey().equalsIgnoreCase("Content-Type")) {
                return header.getValue();
            }
        }
        return null;
    }

    /** How the body's placeholders are encoded. */
    enum BodyKind {
        JSON,
        FORM,
        TEXT
    }

    BodyKind bodyKind() {
        String contentType = contentType();
        if (contentType == null) {
            String start = body == null ? "" : body.stripLeading();
            return start.startsWith("{") || start.startsWith("[") ? BodyKind.JSON : BodyKind.TEXT;
        }
        String lower = contentType.toLowerCase(Locale.ROOT);
        if (lower.contains("json")) {
            return BodyKind.JSON;
        }
        return lower.startsWith("application/x-www-form-urlencoded") ? BodyKind.FORM : BodyKind.TEXT;
    }

    /** The URL for these placeholder values, or null when it is not an absolute http(s) URL. */
    static URI renderUrl(String template, Map<String, String> values) {
        String text = Placeholders.render(template, values, v -> v, Placeholders::urlComponent);
        try {
            URI uri = new URI(text);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
                return null;
            }
            return uri;
        } catch (java.net.URISyntaxException e) {
            return null;
        }
    }
}
