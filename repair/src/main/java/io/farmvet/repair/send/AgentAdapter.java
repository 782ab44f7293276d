package io.farmvet.repair.send;

import io.farmvet.repair.RepairMode;
import io.farmvet.repair.RepairTarget;
import io.farmvet.secret.SecretMasker;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code repair.mode: agent}: farmvet's own node agent. This is the contract the agent implements (written once,
 * for both sides, in {@link AgentResync}):
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
    @Override
    public RepairMode mode() {
        return RepairMode.AGENT;
    }

    @Override
    public Optional<RepairRequest> request(RepairTarget target) {
        URI uri = URI.create(target.node().baseUrl() + AgentResync.PATH);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("Accept", "application/json");
        String authorization = target.node().authorizationHeader();
        if (authorization != null) {
            headers.put("Authorization", authorization);
        }
        return Optional.of(new RepairRequest(
                "POST",
                uri,
                headers,
                AgentResync.of(target).toJson(),
                SecretMasker.authorizationSecrets(authorization)));
    }

    @Override
    public boolean accepts(int status) {
        return status == 200 || status == 202;
    }

    @Override
    public String toString() {
        return "agent POST {nodeUrl}" + AgentResync.PATH;
    }
}
