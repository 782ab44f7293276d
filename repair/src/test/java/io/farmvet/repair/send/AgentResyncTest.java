package io.farmvet.repair.send;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.farmvet.compare.Kind;
import io.farmvet.git.StableIds;
import io.farmvet.repair.RepairNode;
import io.farmvet.repair.RepairTarget;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The sender's body, read back by the agent's parser: one contract, both ways. */
class AgentResyncTest {
    private static final RepairNode NODE = new RepairNode("n1", URI.create("http://127.0.0.1:7990"), null);

    static Stream<RepairTarget> targets() {
        SplittableRandom random = new SplittableRandom(11);
        Stream<RepairTarget> fixed = Stream.of(
                new RepairTarget(
                        NODE,
                        StableIds.repositoryId("PRJ", "web \"ui\""),
                        StableIds.projectId("PRJ"),
                        EnumSet.of(Kind.MISSING),
                        "PRJ",
                        "web \"ui\""),
                new RepairTarget(NODE, 42, 7, EnumSet.of(Kind.CONTENT, Kind.METADATA)),
                new RepairTarget(NODE, StableIds.MAX_ID, 1, EnumSet.of(Kind.EXTRA)));
        Stream<RepairTarget> named = Stream.generate(() -> {
                    String key = "P" + random.nextInt(1000);
                    String slug = "repo-" + random.nextInt(100_000);
                    Set<Kind> kinds = EnumSet.noneOf(Kind.class);
                    for (Kind kind : new Kind[] {Kind.CONTENT, Kind.METADATA, Kind.MISSING}) {
                        if (random.nextBoolean()) {
                            kinds.add(kind);
                        }
                    }
                    kinds.add(Kind.CONTENT);
                    return new RepairTarget(
                            NODE, StableIds.repositoryId(key, slug), StableIds.projectId(key), kinds, key, slug);
                })
                .limit(20);
        return Stream.concat(fixed, named);
    }

    @ParameterizedTest
    @MethodSource("targets")
    void whatTheAdapterSendsTheAgentReadsBackUnchanged(RepairTarget target) throws Exception {
        RepairRequest request = new AgentAdapter().request(target).orElseThrow();

        AgentResync read = AgentResync.parse(request.body().getBytes(StandardCharsets.UTF_8));

        assertThat(request.uri().getPath()).isEqualTo(AgentResync.PATH);
        assertThat(read).isEqualTo(AgentResync.of(target));
        assertThat(read.repoId()).isEqualTo(target.repositoryId());
        assertThat(read.projectId()).isEqualTo(target.projectId());
        assertThat(read.kinds()).isEqualTo(target.kinds());
        assertThat(read.projectKey()).isEqualTo(target.projectKey());
        assertThat(read.slug()).isEqualTo(target.slug());
        assertThat(read.toJson()).isEqualTo(request.body());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"repoId\":1,\"projectId\":1,\"kinds\":[\"content\"]} {}",
                "{\"repoId\":1,\"repoId\":2,\"projectId\":1,\"kinds\":[\"content\"]}",
                "{\"repoId\":0,\"projectId\":1,\"kinds\":[\"content\"]}",
                "{\"repoId\":1,\"projectId\":1,\"kinds\":[\"Content\"]}",
                "{\"repoId\":1,\"projectId\":1,\"kinds\":[\"extra\",\"content\"]}",
                "{\"repoId\":1,\"projectId\":1,\"kinds\":[\"content\"],\"slug\":\"x\"}",
                "{\"repoId\":1,\"projectId\":1,\"kinds\":[\"missing\"],\"projectKey\":\"P\",\"slug\":\"x\"}"
            })
    void aBodyOutsideTheContractIsRefused(String body) {
        assertThatThrownBy(() -> AgentResync.parse(body.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(AgentResync.Invalid.class);
    }

    @Test
    void unknownFieldsAreIgnored() throws Exception {
        String body = "{\"repoId\":1,\"projectId\":1,\"kinds\":[\"content\"],\"future\":{\"x\":[1]}}";

        assertThat(AgentResync.parse(body.getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(new AgentResync(1, 1, EnumSet.of(Kind.CONTENT), null, null));
    }
}
