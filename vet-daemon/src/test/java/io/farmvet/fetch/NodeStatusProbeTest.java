package io.farmvet.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NodeStatusProbeTest {
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                // Both shapes seen from real Bitbucket mirrors, and farmvet's agent.
                "{\"state\":\"SYNCHRONIZED\",\"nodeCount\":\"4\"}|SYNCHRONIZED",
                "{\"state\":\"SYNCHRONIZED\",\"memberCount\":\"3\",\"discovering\":false,\"syncedRepos\":0}|SYNCHRONIZED",
                "{\"nodeCount\":1,\"state\":\"starting\"}|STARTING",
                "{\"extra\":{\"state\":\"ERROR\"},\"state\":\"RUNNING\"}|RUNNING",
                "{\"status\":\"UP\"}|UNKNOWN",
                "{\"state\":7}|UNKNOWN",
                "{\"state\":\"<script>\"}|UNKNOWN",
                "[\"SYNCHRONIZED\"]|UNKNOWN",
                "<html>Service Unavailable</html>|UNKNOWN",
                "{\"state\":\"SYNCHRONI|UNKNOWN",
            })
    void readsTheStateFieldAndNothingElse(String document, String state) {
        assertThat(NodeStatusProbe.stateIn(document.getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(state);
    }
}
