package io.farmvet.repair.send;

import io.farmvet.repair.RepairMode;
import io.farmvet.repair.RepairTarget;
import io.farmvet.secret.SecretMasker;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * {@code repair.mode: http}: one templated request per target to the operator's own automation (Bitbucket 8.x and
 * 9.x offer no public per-repository resync). The encoding rules are on {@link HttpTemplate}. Any 2xx answer means
 * accepted. Immutable; thread-safe.
 */
public final class HttpTemplateAdapter implements RepairAdapter {
    private final HttpTemplate template;

    public HttpTemplateAdapter(HttpTemplate template) {
        this.template = Objects.requireNonNull(template, "repair.http");
    }

    @Override
    public RepairMode mode() {
        return RepairMode.HTTP;
    }

    @Override
    public Optional<RepairRequest> request(RepairTarget target) {
        Map<String, String> values = Placeholders.values(target);
        URI uri = HttpTemplate.renderUrl(template.url(), values);
        if (uri == null) {
            throw new IllegalArgumentException("repair.http.url does not give an absolute http(s) URL for node "
                    + target.node().name() + " and repository " + target.repositoryId());
        }
        Set<String> secrets = new LinkedHashSet<>(
                SecretMasker.authorizationSecrets(target.node().authorizationHeader()));
        Map<String, String> headers = new LinkedHashMap<>();
        boolean hasAuthorization = false;
        for (Map.Entry<String, String> header : template.headers().entrySet()) {
            String value = Placeholders.render(
                    header.getValue(), values, Placeholders::headerValue, Placeholders::headerValue);
            headers.put(header.getKey(), value);
            hasAuthorization |= header.getKey().equalsIgnoreCase("Authorization");
            if (SecretMasker.secretName(header.getKey())) {
                secrets.addAll(SecretMasker.authorizationSecrets(value));
            }
        }
        if (!hasAuthorization && target.node().authorizationHeader() != null) {
            headers.put("Authorization", target.node().authorizationHeader());
        }
        String body = null;
        if (template.body() != null) {
            HttpTemplate.BodyKind kind = template.bodyKind();
            body = switch (kind) {
                case JSON ->
                    Placeholders.render(template.body(), values, Placeholders::jsonString, Placeholders::jsonString);
                case FORM ->
                    Placeholders.render(
                            template.body(), values, Placeholders::urlComponent, Placeholders::urlComponent);
                case TEXT -> Placeholders.render(template.body(), values, v -> v, v -> v);
            };
            if (template.contentType() == null) {
                headers.put(
                        "Content-Type",
                        kind == HttpTemplate.BodyKind.JSON ? "application/json" : "text/plain; charset=UTF-8");
            }
        }
        return Optional.of(new RepairRequest(template.method(), uri, headers, body, secrets));
    }

    @Override
    public boolean accepts(int status) {
        return status >= 200 && status < 300;
    }

    @Override
    public String toString() {
        return "http " + template.method() + " " + template.url();
    }
}
