package io.farmvet.repair.send;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.farmvet.compare.Kind;
import io.farmvet.repair.RepairMode;
import io.farmvet.repair.RepairTarget;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code repair.mode: agent}: farmvet's own node agent. This is the contract the agent implements:
 *
 * <pre>
 * POST {nodeUrl}/rest/farmvet/1/resync
 * Authorization: &lt;the node's credentials, as for its repo-hashes listing&gt;
 * Content-Type: application/json
 * Accept: application/json
 *
 * {"repoId": 42, "projectId": 7, "kinds": ["content", "metadata"], "projectKey": "PRJ", "slug": "web"}
 * </pre>
 *
 * <ul>
 *   <li>{@code repoId} and {@code projectId} are the primary's ids (those of the repo-hashes listing);
 *       {@code kinds} holds one or more of {@code content}, {@code metadata}, {@code missing}, {@code extra}:
 *       {@code missing} asks the agent to create the mirror repository, {@code extra} to remove the node's copy,
 *       the others to re-fetch refs and metadata from the primary. {@code projectKey} and {@code slug} are sent
 *       when the primary's listing names them (a farmvet agent's listing does); they are how a node finds the
 *       upstream of a repository it does not have.
 *   <li>{@code 202 Accepted} (resync queued) or {@code 200 OK} (done at once) mean accepted. farmvet does not
 *       wait for the resync: the next vet verifies it through the node's listing.
 *   <li>The agent must treat a request for a repository that already has a resync queued as accepted (answer
 *       202) rather than queue a second one; farmvet itself never re-sends while a repair is pending.
 *   <li>{@code 429} with {@code Retry-After} (seconds) and {@code 5xx} are retried with back-off; any other
 *       {@code 4xx} (bad request, unknown repository, no permission) fails at once. Redirects are not followed.
 *   <li>A short plain-text or JSON body explaining a refusal is kept (truncated) in the report and audit log.
 * </ul>
 *
 * Immutable; thread-safe.
 */
public final class AgentAdapter implements RepairAdapter {
    /** The agent's resync endpoint, under the node's base URL. */
    public static final String RESYNC_PATH = "/rest/farmvet/1/resync";

    private static final JsonFactory JSON = new JsonFactory();

    @Override
    public RepairMode mode() {
        return RepairMode.AGENT;
    }

    @Override
    public Optional<RepairRequest> request(RepairTarget target) {
        URI uri = URI.create(target.node().baseUrl() + RESYNC_PATH);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("Accept", "application/json");
        String authorization = target.node().authorizationHeader();
        if (authorization != null) {
            headers.put("Authorization", authorization);
        }
        return Optional.of(new RepairRequest("POST", uri, headers, body(target), credentialSecrets(authorization)));
    }

    @Override
    public boolean accepts(int status) {
        return status == 200 || status == 202;
    }

    static String body(RepairTarget target) {
        StringWriter out = new StringWriter();
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeNumberField("repoId", target.repositoryId());
            json.writeNumberField("projectId", target.projectId());
            json.writeArrayFieldStart("kinds");
            for (Kind kind : target.kinds()) {
                json.writeString(kind.wireName());
            }
            json.writeEndArray();
            // The names let a node clone a repository it does not have; they come from the primary's listing.
            if (target.projectKey() != null) {
                json.writeStringField("projectKey", target.projectKey());
            }
            if (target.slug() != null) {
                json.writeStringField("slug", target.slug());
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to a string cannot fail", e);
        }
        return out.toString();
    }

    /** The header value and, for {@code Scheme credentials}, the credentials alone: both must be masked. */
    static Set<String> credentialSecrets(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            return Set.of();
        }
        Set<String> secrets = new LinkedHashSet<>(List.of(authorization));
        int space = authorization.indexOf(' ');
        if (space > 0 && space < authorization.length() - 1) {
            secrets.add(authorization.substring(space + 1).trim());
        }
        return secrets;
    }

    @Override
    public String toString() {
        return "agent POST {nodeUrl}" + RESYNC_PATH;
    }
}
