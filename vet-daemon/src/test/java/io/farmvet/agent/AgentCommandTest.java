package io.farmvet.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentCommandTest {
    @TempDir
    Path tmp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return AgentCommand.run(
                List.of(args),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void defaultsAreLoopbackOnTheDocumentedPort() {
        AgentSettings settings = AgentCommand.parse(List.of("--repos", tmp.toString()));

        assertThat(settings.host()).isEqualTo("127.0.0.1");
        assertThat(settings.port()).isEqualTo(7990);
        assertThat(settings.upstreamTemplate()).isNull();
        assertThat(settings.token()).isNull();
        assertThat(settings.resyncConcurrency()).isEqualTo(2);
    }

    @Test
    void parsesEveryOption() throws IOException {
        Path token = Files.writeString(tmp.resolve("token"), "t0k\n");

        AgentSettings settings = AgentCommand.parse(List.of(
                "--repos",
                tmp.toString(),
                "--upstream=https://git.example.com/{project}/{repo}.git",
                "--listen",
                "[::1]:8080",
                "--token-file",
                token.toString(),
                "--quarantine",
                tmp.resolve("q").toString(),
                "--concurrency",
                "4"));

        assertThat(settings.upstreamTemplate()).isEqualTo("https://git.example.com/{project}/{repo}.git");
        assertThat(settings.host()).isEqualTo("::1");
        assertThat(settings.port()).isEqualTo(8080);
        assertThat(settings.token().reveal()).isEqualTo("t0k");
        assertThat(settings.quarantine()).isEqualTo(tmp.resolve("q"));
        assertThat(settings.resyncConcurrency()).isEqualTo(4);
    }

    @Test
    void badUsageExitsWith3AndSaysWhat() {
        assertThat(run()).isEqualTo(3);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("--repos is required")
                .contains("usage:");
        assertThatThrownBy(() -> AgentCommand.parse(List.of("--repos", "x", "--bogus", "1")))
                .hasMessageContaining("unknown option '--bogus'");
        assertThatThrownBy(() -> AgentCommand.parse(List.of("--repos", "x", "--listen", "7990")))
                .hasMessageContaining("HOST:PORT");
        assertThatThrownBy(() -> AgentCommand.parse(List.of("--repos", "x", "--concurrency", "0")))
                .hasMessageContaining("--concurrency: must be 1 or greater");
        assertThatThrownBy(() -> AgentCommand.parse(List.of("--repos", "x", "--quarantine", "q")))
                .hasMessageContaining("--quarantine needs --upstream");
    }

    @Test
    void aMissingFolderOrAnOpenNonLoopbackListenerIsRefusedWith3() {
        assertThat(run("--repos", tmp.resolve("absent").toString())).isEqualTo(3);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("not a directory");

        err.reset();
        assertThat(run("--repos", tmp.toString(), "--listen", "0.0.0.0:0")).isEqualTo(3);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("without --token-file");
    }
}
