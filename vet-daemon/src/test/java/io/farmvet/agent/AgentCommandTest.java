package io.farmvet.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.farmvet.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class AgentCommandTest {
    @TempDir
    Path tmp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    /** {@code farmvet agent ARGS} as the command line runs it. */
    private int run(String... args) {
        String[] line = new String[args.length + 1];
        line[0] = "agent";
        System.arraycopy(args, 0, line, 1, args.length);
        return new Main(
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8),
                        false)
                .run(line);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    /** The settings the options parse into, without starting an agent. */
    private static AgentSettings parse(String... args) {
        AgentCommand command = new AgentCommand(System.out, System.err);
        new CommandLine(command).parseArgs(args);
        return command.settings();
    }

    @Test
    void defaultsAreLoopbackOnTheDocumentedPort() {
        AgentSettings settings = parse("--repos", tmp.toString());

        assertThat(settings.host()).isEqualTo("127.0.0.1");
        assertThat(settings.port()).isEqualTo(7990);
        assertThat(settings.upstreamTemplate()).isNull();
        assertThat(settings.token()).isNull();
        assertThat(settings.resyncConcurrency()).isEqualTo(2);
    }

    @Test
    void parsesEveryOption() throws IOException {
        Path token = Files.writeString(tmp.resolve("token"), "t0k\n");

        AgentSettings settings = parse(
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
                "4");

        assertThat(settings.upstreamTemplate()).isEqualTo("https://git.example.com/{project}/{repo}.git");
        assertThat(settings.host()).isEqualTo("::1");
        assertThat(settings.port()).isEqualTo(8080);
        assertThat(settings.token().reveal()).isEqualTo("t0k");
        assertThat(settings.quarantine()).isEqualTo(tmp.resolve("q"));
        assertThat(settings.resyncConcurrency()).isEqualTo(4);
    }

    @Test
    void badUsageExitsWith3AndNamesTheOption() {
        assertThat(run()).isEqualTo(3);
        assertThat(stderr())
                .contains("farmvet agent: Missing required option: '--repos=DIR'")
                .contains("run 'farmvet help agent' for its usage");

        err.reset();
        assertThat(run("--repos", "x", "--bogus", "1")).isEqualTo(3);
        assertThat(stderr()).contains("unknown option '--bogus'");

        err.reset();
        assertThat(run("--repos", "x", "--listen", "7990")).isEqualTo(3);
        assertThat(stderr())
                .contains("'--listen'")
                .contains("needs a port (host:port), got \"7990\"; write it like 127.0.0.1:8787");

        err.reset();
        assertThat(run("--repos", "x", "--listen", "[::1]:70000")).isEqualTo(3);
        assertThat(stderr()).contains("'--listen'").contains("needs a port from 0 to 65535");

        err.reset();
        assertThat(run("--repos", "x", "--concurrency", "many")).isEqualTo(3);
        assertThat(stderr()).contains("'--concurrency'").contains("many");

        assertThatThrownBy(() -> parse("--repos", "x", "--concurrency", "0"))
                .hasMessageContaining("--concurrency: must be 1 or greater");
        assertThatThrownBy(() -> parse("--repos", "x", "--quarantine", "q"))
                .hasMessageContaining("--quarantine needs --upstream");
        err.reset();
        assertThat(run("--repos", "x", "--quarantine", "q")).isEqualTo(3);
        assertThat(stderr()).contains("farmvet agent: --quarantine needs --upstream");
    }

    @Test
    void aMissingTokenFileIsBadUsageNamingTheOption() {
        assertThat(run(
                        "--repos",
                        tmp.toString(),
                        "--token-file",
                        tmp.resolve("none").toString()))
                .isEqualTo(3);
        assertThat(stderr())
                .contains("farmvet agent: --token-file")
                .contains(tmp.resolve("none").toString());
    }

    @Test
    void aMissingFolderOrAnOpenNonLoopbackListenerIsRefusedWith3() {
        assertThat(run("--repos", tmp.resolve("absent").toString())).isEqualTo(3);
        assertThat(stderr()).contains("not a directory");

        err.reset();
        assertThat(run("--repos", tmp.toString(), "--listen", "0.0.0.0:0")).isEqualTo(3);
        assertThat(stderr()).contains("without --token-file");
    }
}
