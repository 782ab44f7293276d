package io.farmvet.cli;

import static io.farmvet.testing.Listings.hash;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.farmvet.testing.FakeServer;
import io.farmvet.testing.Listings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The command line as an operator runs it: real config files, real loopback servers, exit codes. */
class MainTest {
    private static final Path EXAMPLES = Path.of("..", "deploy", "examples");

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final List<FakeServer> servers = new ArrayList<>();

    @AfterEach
    void stopServers() throws Exception {
        for (FakeServer server : servers) {
            server.close();
        }
    }

    @Test
    void vetPrintsTheTextReportAndExitsOneOnDrift() throws Exception {
        Listings farm = Listings.generated(40, 3);
        Path config = farm(
                farm,
                farm.with(7, r -> null).with(8, r -> new Listings.Repo(r.project(), 8, hash("x", 8), r.metadata())));

        int code = run("vet", "--config", config.toString());

        assertThat(code).isEqualTo(1);
        assertThat(stdout())
                .startsWith("farm emea: INCONSISTENT (2 inconsistencies, ")
                .contains("  mirror-1  http://127.0.0.1:")
                .contains("40 repositories")
                .contains("2 inconsistent (1 content, 1 missing)")
                .contains("      repository 7 (project 2): missing\n")
                .contains("      repository 8 (project 3): content\n");
    }

    @Test
    void vetJsonIsExactlyOneDocumentWithTheContractFields() throws Exception {
        Listings farm = Listings.generated(40, 3);
        Path config = farm(farm, farm.with(8, r -> new Listings.Repo(r.project(), 8, r.content(), hash("y", 8))));

        int code = run("vet", "--config", config.toString(), "--json");

        assertThat(code).isEqualTo(1);
        JsonNode report = new ObjectMapper().readTree(stdout());
        assertThat(report.get("farm").asText()).isEqualTo("emea");
        assertThat(report.get("status").asText()).isEqualTo("inconsistent");
        assertThat(report.get("startedAt").asText()).endsWith("Z");
        assertThat(report.get("durationMs").isIntegralNumber()).isTrue();
        assertThat(report.at("/primary/repositories").asLong()).isEqualTo(40);
        JsonNode node = report.at("/nodes/0");
        assertThat(node.get("name").asText()).isEqualTo("mirror-1");
        assertThat(node.get("status").asText()).isEqualTo("vetted");
        assertThat(node.get("error").isNull()).isTrue();
        assertThat(node.get("repositories").asLong()).isEqualTo(40);
        assertThat(node.get("inconsistencies").toString())
                // The fake primary has no rest/mirroring/latest/repos to name it (issue 12).
                .isEqualTo("[{\"repoId\":8,\"projectId\":3,\"projectKey\":null,\"slug\":null,"
                        + "\"kinds\":[\"metadata\"]}]");
    }

    @Test
    void vetExitsZeroWhenConsistentAndTwoWhenANodeFails() throws Exception {
        Listings farm = Listings.generated(10, 2);
        Path consistent = farm(farm, farm);
        Path down = writeConfig(serve(farm).url(), FakeServer.closedPort());

        assertThat(run("vet", "--config", consistent.toString())).isZero();
        assertThat(stdout()).startsWith("farm emea: CONSISTENT (0 inconsistencies");
        out.reset();
        assertThat(run("vet", "--config", down.toString(), "--json")).isEqualTo(2);
        JsonNode report = new ObjectMapper().readTree(stdout());
        assertThat(report.get("status").asText()).isEqualTo("incomplete");
        assertThat(report.at("/nodes/0/status").asText()).isEqualTo("failed");
        assertThat(report.at("/nodes/0/error").asText()).contains("cannot connect");
        assertThat(report.at("/nodes/0/repositories").isNull()).isTrue();
    }

    @Test
    void diffOfTheReadmeExampleFindsOneOfEachKind() {
        int code = run(
                "diff",
                EXAMPLES.resolve("primary.json").toString(),
                EXAMPLES.resolve("mirror-1.json").toString());

        assertThat(code).isEqualTo(1);
        assertThat(stdout())
                .contains("4 inconsistent (1 content, 1 metadata, 1 missing, 1 extra)")
                .contains("      repository 2 (project 1): content\n")
                .contains("      repository 4 (project 2): missing\n")
                .contains("      repository 5 (project 2): metadata\n")
                .contains("      repository 9 (project 2): extra\n")
                .doesNotContain("repository 3 ")
                .doesNotContain("repository 6 ");
    }

    @Test
    void diffScopeAllCountsUnmirroredProjectsAsMissing() {
        int code = run(
                "diff",
                EXAMPLES.resolve("primary.json").toString(),
                EXAMPLES.resolve("mirror-1.json").toString(),
                "--scope",
                "all");

        assertThat(code).isEqualTo(1);
        assertThat(stdout())
                .contains("      repository 6 (project 3): missing\n")
                .contains("      repository 7 (project 3): missing\n");
    }

    @Test
    void diffOfAMalformedFileSaysWhereAndExitsTwo() throws Exception {
        Path broken = dir.resolve("broken.json");
        Files.writeString(
                broken, "{\"projects\":[{\"id\":1,\"repositories\":[{\"id\":5,\"hashes\":{\"content\":\"xyz\"");

        int code = run("diff", EXAMPLES.resolve("primary.json").toString(), broken.toString(), "--json");

        assertThat(code).isEqualTo(2);
        assertThat(stdout()).contains("\"status\" : \"failed\"").contains("malformed repo-hashes listing");
    }

    @Test
    void checkConfigSaysOkOrListsEveryProblem() throws Exception {
        Path good = writeConfig(URI.create("https://bitbucket.example.com"), URI.create("https://m1.example.com"));
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "farm:\n  name: emea\n  scoop: all\nprimary:\n  url: ftp://x\nnodes: []\n");

        assertThat(run("check-config", good.toString())).isZero();
        assertThat(stdout()).startsWith(good + ": OK (farm emea, primary https://bitbucket.example.com, 1 node)");
        assertThat(run("check-config", bad.toString())).isEqualTo(3);
        assertThat(stderr())
                .contains("farm.scoop: unknown key")
                .contains("primary.url")
                .contains("nodes");
    }

    @Test
    void checkConfigSyntaxOnlyReadsNoFileTheConfigNames() throws Exception {
        // A template whose secrets and CA file do not exist yet, as an operator writes it before deploying them.
        Path template = dir.resolve("template.yaml");
        Files.writeString(template, """
                farm:
                  name: emea
                primary:
                  url: https://bitbucket.example.com
                  auth:
                    bearer-token-file: secrets/primary.token
                nodes:
                  - name: mirror-1
                    url: https://m1.example.com
                    auth:
                      basic:
                        username: farmvet
                        password-file: secrets/mirror-1.password
                http:
                  ca-file: secrets/ca.pem
                server:
                  token-file: secrets/api.token
                """);

        assertThat(run("check-config", "--syntax-only", template.toString())).isZero();
        assertThat(stdout()).startsWith(template + ": OK as far as --syntax-only checks");
        assertThat(stderr()).isEmpty();

        assertThat(run("check-config", template.toString())).isEqualTo(3);
        assertThat(stderr())
                .contains("primary.auth.bearer-token-file")
                .contains("nodes[0].auth.basic.password-file")
                .contains("http.ca-file")
                .contains("server.token-file");
    }

    @Test
    void checkConfigSyntaxOnlyStillFindsBadKeysAndValues() throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, """
                farm:
                  name: emea
                  scoop: all
                primary:
                  url: ftp://x
                nodes: []
                http:
                  connect-timeout: soon
                server:
                  listen: "[::1]8787"
                """);

        assertThat(run("check-config", "--syntax-only", bad.toString())).isEqualTo(3);
        assertThat(stderr())
                .contains("farm.scoop: unknown key")
                .contains("primary.url")
                .contains("http.connect-timeout: must be a duration")
                .contains("server.listen: must be host:port");
    }

    static List<String> commands() {
        return List.of(
                "vet",
                "diff",
                "check-config",
                "discover",
                "run",
                "agent",
                "demo",
                "bench",
                "bench vet",
                "bench hash",
                "completion",
                "version",
                "help");
    }

    @ParameterizedTest
    @MethodSource("commands")
    void everyCommandsHelpGoesToStdoutAndExitsZero(String command) {
        for (String help : List.of("--help", "-h")) {
            List<String> line = new ArrayList<>(List.of(command.split(" ")));
            line.add(help);

            assertThat(run(line.toArray(String[]::new))).as(line.toString()).isZero();
            assertThat(stdout()).contains("Usage: farmvet " + command + " [-hV]");
            assertThat(stderr()).isEmpty();
            out.reset();
        }
        List<String> line = new ArrayList<>(List.of("help"));
        line.addAll(List.of(command.split(" ")));
        assertThat(run(line.toArray(String[]::new))).isZero();
        assertThat(stdout()).contains("Usage: farmvet " + command + " [-hV]");
    }

    @Test
    void helpAloneListsTheCommandsOnStdout() {
        assertThat(run("help")).isZero();
        assertThat(stdout())
                .startsWith("finds and repairs drift between a Git primary and its mirror farm")
                .contains("Usage: farmvet [-hV] COMMAND")
                .containsPattern("(?m)^  vet +vet the farm once now")
                .containsPattern("(?m)^  completion +print a bash or zsh completion script")
                .contains("Exit codes:")
                .contains("3   bad usage or config, or no command given");
        assertThat(stderr()).isEmpty();
    }

    @Test
    void noCommandListsTheCommandsOnStderrAndExitsThree() {
        assertThat(run()).isEqualTo(3);
        assertThat(stdout()).isEmpty();
        assertThat(stderr()).contains("Usage: farmvet [-hV] COMMAND").contains("check-config");
    }

    @Test
    void versionComesFromTheManifest() {
        assertThat(run("version")).isZero();
        // Tests run from classes, not from the jar, so the manifest has no version.
        assertThat(stdout()).isEqualTo("farmvet (development build)" + System.lineSeparator());
        out.reset();
        assertThat(run("--version")).isZero();
        assertThat(stdout()).isEqualTo("farmvet (development build)" + System.lineSeparator());
    }

    @Test
    void aMistypedCommandOrOptionGetsTheNearestNameAndExitsThree() {
        assertThat(run("vett")).isEqualTo(3);
        assertThat(stderr())
                .isEqualTo("farmvet: unknown command 'vett'; did you mean 'vet'?\n"
                        + "run 'farmvet help' for the list of commands\n");
        err.reset();
        assertThat(run("vet", "--config", "x.yaml", "--jsn")).isEqualTo(3);
        assertThat(stderr())
                .isEqualTo("farmvet vet: unknown option '--jsn'; did you mean '--json'?\n"
                        + "run 'farmvet help vet' for its usage\n");
        err.reset();
        assertThat(run("check-config", "--syntax-olny", "x.yaml")).isEqualTo(3);
        assertThat(stderr()).contains("unknown option '--syntax-olny'; did you mean '--syntax-only'?");
        err.reset();
        assertThat(run("bench", "hsh")).isEqualTo(3);
        assertThat(stderr())
                .contains("farmvet bench: unknown command 'hsh'; did you mean 'hash'?")
                .contains("run 'farmvet help bench' for its usage");
        err.reset();
        assertThat(run("help", "chek-config")).isEqualTo(3);
        assertThat(stderr()).contains("farmvet: unknown command 'chek-config'; did you mean 'check-config'?");
        err.reset();
        // Nothing near: no guess.
        assertThat(run("xyzzy")).isEqualTo(3);
        assertThat(stderr()).contains("farmvet: unknown command 'xyzzy'\n");
        assertThat(stdout()).isEmpty();
    }

    @Test
    void badValuesExitThreeNamingTheOption() {
        assertThat(run("vet")).isEqualTo(3);
        assertThat(stderr()).contains("farmvet vet: Missing required option: '--config=FILE'");
        err.reset();
        assertThat(run("diff", "a.json", "b.json", "--scope", "some")).isEqualTo(3);
        assertThat(stderr())
                .contains("'--scope'")
                .contains("must be all, inferred or a comma-separated list of project ids, not 'some'");
        err.reset();
        assertThat(run("diff", "a.json")).isEqualTo(3);
        assertThat(stderr()).contains("NODE.json");
        err.reset();
        assertThat(run("diff", "a.json", "b.json", "c.json")).isEqualTo(3);
        assertThat(stderr()).contains("unexpected argument 'c.json'");
        err.reset();
        assertThat(run("diff", "no-such-primary.json", "no-such-node.json")).isEqualTo(3);
        assertThat(stderr()).contains("no such file: no-such-primary.json");
        err.reset();
        assertThat(run("bench", "vet", "--runs", "few")).isEqualTo(3);
        assertThat(stderr()).contains("farmvet bench vet: --runs must be a whole number");
        err.reset();
        assertThat(run("bench", "vet", "--drift", "2")).isEqualTo(3);
        assertThat(stderr()).contains("--drift must be between 0 and 1");
        err.reset();
        assertThat(run("bench")).isEqualTo(3);
        assertThat(stderr()).contains("Usage: farmvet bench [-hV] vet|hash");
        err.reset();
        assertThat(run("completion", "fish")).isEqualTo(3);
        assertThat(stderr()).contains("SHELL must be one of bash, zsh, not 'fish'");
        err.reset();
        assertThat(run("run")).isEqualTo(3);
        assertThat(stderr()).contains("'--config=FILE'");
    }

    @Test
    void anArgumentStartingWithAtIsAFileNameNotAFileOfArguments() throws Exception {
        Files.writeString(dir.resolve("args"), "--help\n");

        assertThat(run("check-config", "@" + dir.resolve("args"))).isEqualTo(3);
        assertThat(stdout()).isEmpty();
        assertThat(stderr()).contains("@" + dir.resolve("args")).contains("does not exist");
    }

    @Test
    void runsHelpSaysHowItExits() {
        assertThat(run("help", "run")).isZero();
        assertThat(stdout())
                .contains("0   stopped cleanly on SIGTERM or SIGINT")
                .contains("3   bad usage, or it cannot start");
    }

    private Path farm(Listings primary, Listings node) throws Exception {
        return writeConfig(serve(primary).url(), serve(node).url());
    }

    private FakeServer serve(Listings listing) throws Exception {
        FakeServer server = FakeServer.start(FakeServer.json(listing.shuffledJson(servers.size())));
        servers.add(server);
        return server;
    }

    private Path writeConfig(URI primary, URI node) throws Exception {
        Files.writeString(dir.resolve("primary.token"), "t0ken\n");
        Path config = dir.resolve("farmvet-" + servers.size() + ".yaml");
        Files.writeString(config, """
                farm:
                  name: emea
                primary:
                  url: %s
                  auth:
                    bearer-token-file: primary.token
                nodes:
                  - name: mirror-1
                    url: %s
                http:
                  connect-timeout: 2s
                  read-timeout: 5s
                """.formatted(primary, node));
        return config;
    }

    private int run(String... args) {
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        return new Main(o, e, false).run(args);
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }
}
