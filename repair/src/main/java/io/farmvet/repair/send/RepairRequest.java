package io.farmvet.repair.send;

import io.farmvet.secret.SecretMasker;
import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One resync request, ready to send: method, absolute URL, headers and an optional body, plus the secret values it
 * carries so that every text about it can be masked. {@link #summary} and {@link #describe} (and so
 * {@link #toString}) are masked; only {@link #headers} and {@link #body} reveal them, for the transport. Immutable.
 */
public final class RepairRequest {
    private final String method;
    private final URI uri;
    private final Map<String, String> headers;
    private final String body;
    private final SecretMasker masker;

    /**
     * @param secrets values that must never be shown (credentials); blank ones are ignored. The URL's user-info
     *     and the values of its secret-looking query parameters are added, so that an answer echoing them is
     *     masked too
     */
    public RepairRequest(String method, URI uri, Map<String, String> headers, String body, Set<String> secrets) {
        this.method = Objects.requireNonNull(method, "method");
        this.uri = Objects.requireNonNull(uri, "uri");
        this.headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        this.body = body;
        this.masker = SecretMasker.of(SecretMasker.urlSecrets(uri.toString())).and(secrets);
    }

    public String method() {
        return method;
    }

    public URI uri() {
        return uri;
    }

    /** The headers to send, secrets included. */
    public Map<String, String> headers() {
        return headers;
    }

    /** The body to send, or null for none. */
    public String body() {
        return body;
    }

    /** Method and URL, secrets masked: what the ledger and the audit log keep. */
    public String summary() {
        return method + " " + masker.url(uri.toString());
    }

    /** The whole request, secrets masked: the detail of a dry run. */
    public String describe() {
        StringBuilder text = new StringBuilder(summary());
        if (!headers.isEmpty()) {
            text.append(headers.entrySet().stream()
                    .map(h -> h.getKey() + ": " + SecretMasker.headerValue(h.getKey(), h.getValue()))
                    .collect(Collectors.joining(", ", " headers {", "}")));
        }
        if (body != null) {
            text.append(" body ").append(mask(body));
        }
        return text.toString();
    }

    /** Masks this request's secrets in any text, such as an error message or an answer's body. */
    public String mask(String text) {
        return masker.text(text);
    }

    @Override
    public String toString() {
        return describe();
    }
}
