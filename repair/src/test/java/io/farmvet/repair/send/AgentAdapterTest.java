package io.farmvet.repair.send;

import static org.assertj.core.api.Assertions.assertThat;

import io.farmvet.compare.Kind;
import io.farmvet.repair.RepairNode;
import io.farmvet.repair.RepairTarget;
import java.net.URI;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class AgentAdapterTest {
    @Test
    void postsTheDocumentedJsonToTheResyncEndpointWithTheNodesCredentials() {
        RepairNode node = new RepairNode("n1", URI.create("https://n1.example.com/base/"), "Basic dXNlcjpwdw==");
        RepairTarget target = new RepairTarget(node, 42, 7, EnumSet.of(Kind.METADATA, Kind.CONTENT));

        RepairRequest request = new AgentAdapter().request(target).orElseThrow();

        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.uri()).isEqualTo(URI.create("https://n1.example.com/base/rest/farmvet/1/resync"));
        assertThat(request.body()).isEqualTo("{\"repoId\":42,\"projectId\":7,\"kinds\":[\"content\",\"metadata\"]}");
        assertThat(request.headers())
                .containsEntry("Authorization", "Basic dXNlcjpwdw==")
                .containsEntry("Content-Type", "application/json");
        assertThat(request.describe()).doesNotContain("dXNlcjpwdw==");
    }

    @Test
    void sendsTheNamesAMissingRepositoryNeedsWhenThePrimaryGaveThem() {
        RepairNode node = new RepairNode("n1", URI.create("http://127.0.0.1:7990"), null);
        RepairTarget target = new RepairTarget(node, 42, 7, EnumSet.of(Kind.MISSING), "PRJ", "web \"ui\"");

        RepairRequest request = new AgentAdapter().request(target).orElseThrow();

        assertThat(request.body())
                .isEqualTo("{\"repoId\":42,\"projectId\":7,\"kinds\":[\"missing\"],\"projectKey\":\"PRJ\","
                        + "\"slug\":\"web \\\"ui\\\"\"}");
        assertThat(request.headers()).doesNotContainKey("Authorization");
    }

    @Test
    void acceptsOnly200And202() {
        AgentAdapter agent = new AgentAdapter();

        assertThat(agent.accepts(200)).isTrue();
        assertThat(agent.accepts(202)).isTrue();
        assertThat(agent.accepts(201)).isFalse();
        assertThat(agent.accepts(204)).isFalse();
        assertThat(agent.accepts(302)).isFalse();
    }
}
