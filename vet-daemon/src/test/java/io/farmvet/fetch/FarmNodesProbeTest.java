package io.farmvet.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The farmNodes answer as untrusted input (issue 12, "Bad input"): every oddity is a note, never a throw. */
class FarmNodesProbeTest {
    private final FarmNodesProbe probe =
            new FarmNodesProbe(null, "mirror-1", "nodes[0]", "https://m1/" + FarmNodesProbe.PATH, null);

    private FarmNodesProbe.Answer parse(String json) {
        return probe.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theDocumentedShapeGivesNamesAndClusterAddresses() {
        FarmNodesProbe.Answer answer = parse("[{\"id\":\"a1\",\"name\":\"bbm-1\",\"address\":{\"address\":\"10.0.0.1\","
                + "\"port\":5701},\"buildVersion\":\"9.4.2\",\"local\":true,\"extra\":{\"x\":[1]}},"
                + "{\"name\":\"bbm-2\"}]");

        assertThat(answer.note()).isNull();
        assertThat(answer.members())
                .containsExactly(
                        new FarmNodesProbe.Member("bbm-1", "10.0.0.1:5701", true),
                        new FarmNodesProbe.Member("bbm-2", null, false));
    }

    @Test
    void namesWithControlCharactersOrMarkupAreIgnoredWithANote() {
        FarmNodesProbe.Answer answer =
                parse("[{\"name\":\"bbm-1\"},{\"name\":\"evil\\u001b[31m\"},{\"name\":\"<script>\"},{\"name\":42},{}]");

        assertThat(answer.members()).extracting(FarmNodesProbe.Member::name).containsExactly("bbm-1");
        assertThat(answer.note())
                .isEqualTo("mirror-1: https://m1/rest/mirroring/latest/farmNodes listed 4 members without a plain"
                        + " name (missing, or with control characters or markup); ignored");
    }

    @Test
    void somethingElseThanAListOfMembersIsANote() {
        assertThat(parse("{\"errors\":[]}").note()).contains("other than a JSON array");
        assertThat(parse("[{\"name\":\"a\"}] []").note()).contains("trailing data");
        assertThat(parse("[\"a\"]").note()).contains("not a farm member object");
        assertThat(parse("[{\"name\":\"a\"").note()).contains("malformed JSON");
        assertThat(parse("").note()).contains("other than a JSON array");
        assertThat(parse("[{\"name\":\"a\"}] [").members()).isNull();
    }

    @Test
    void aListLongerThanAnyFarmIsANote() {
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i <= FarmNodesProbe.MAX_MEMBERS; i++) {
            json.append(i == 0 ? "" : ",").append("{\"name\":\"n").append(i).append("\"}");
        }
        FarmNodesProbe.Answer answer = parse(json.append("]").toString());

        assertThat(answer.members()).isNull();
        assertThat(answer.note()).contains("more than 1000 farm members");
    }
}
