package io.farmvet.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.farmvet.testing.ConfigFileFixture;
import org.junit.jupiter.api.Test;

/** {@code nodes[i].member}: a node's name in its farm's member list (issue 12, farm members). */
class NodeMemberConfigTest extends ConfigFileFixture {
    @Test
    void memberIsOptionalAndMatchingFallsBackToTheName() throws Exception {
        FarmvetConfig config = load(
                MINIMAL + "  - name: mirror-2\n    url: https://mirror-2.example.com\n" + "    member: bbm-node-2\n");

        assertThat(config.nodes().get(0).member()).isNull();
        assertThat(config.nodes().get(0).memberName()).isEqualTo("mirror-1");
        assertThat(config.nodes().get(1).member()).isEqualTo("bbm-node-2");
        assertThat(config.nodes().get(1).memberName()).isEqualTo("bbm-node-2");
    }
}
