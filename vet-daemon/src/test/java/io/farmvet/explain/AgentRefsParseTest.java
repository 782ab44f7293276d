package io.farmvet.explain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.farmvet.git.remote.AdvertisedRefs;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The agent's refs answer is untrusted: anything but its documented shape is refused by name (issue 12). */
class AgentRefsParseTest {
    private static final String ID = "0123456789abcdef0123456789abcdef01234567";

    private static AdvertisedRefs parse(String json) throws Exception {
        return AgentRefs.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsTheDocumentedShapeAndSkipsUnknownFields() throws Exception {
        AdvertisedRefs refs = parse("{\"id\":7,\"projectKey\":\"P\",\"slug\":\"s\",\"extra\":{\"a\":[1]},"
                + "\"head\":\"refs/heads/main\",\"refs\":[{\"ref\":\"refs/heads/main\",\"id\":\"" + ID
                + "\",\"more\":[1,2]},{\"ref\":\"refs/tags/v1\",\"id\":\"" + ID + "\"}]}");

        assertThat(refs.head()).isEqualTo("refs/heads/main");
        assertThat(refs.refs()).containsOnlyKeys("refs/heads/main", "refs/tags/v1");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "[]",
                "{\"refs\":{}}",
                "{\"refs\":[{\"ref\":\"heads/main\",\"id\":\"" + ID + "\"}]}",
                "{\"refs\":[{\"ref\":\"refs/heads/a b\",\"id\":\"" + ID + "\"}]}",
                "{\"refs\":[{\"ref\":\"refs/heads/<script>\\u0007\",\"id\":\"" + ID + "\"}]}",
                "{\"refs\":[{\"ref\":\"refs/heads/main\",\"id\":\"XYZ\"}]}",
                "{\"refs\":[{\"ref\":\"refs/heads/main\"}]}",
                "{\"refs\":[{\"ref\":\"refs/heads/main\",\"id\":\"" + ID + "\"},{\"ref\":\"refs/heads/main\",\"id\":\""
                        + ID + "\"}]}",
                "{\"head\":42,\"refs\":[]}",
                "{\"refs\":[{\"ref\":\"refs/heads/main\",\"id\":\"" + ID + "\"}"
            })
    void refusesAnythingElse(String json) {
        assertThatThrownBy(() -> parse(json))
                .isInstanceOfAny(IllegalArgumentException.class, java.io.IOException.class);
    }
}
