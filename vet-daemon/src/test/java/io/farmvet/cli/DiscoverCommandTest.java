package io.farmvet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.farmvet.config.ConfigLoader;
import io.farmvet.config.FarmvetConfig;
import io.farmvet.fetch.FarmNodesProbe;
import io.farmvet.testing.FakeBitbucket;
import io.farmvet.testing.FakeServer;
import io.farmvet.testing.Listings;
import io.farmvet.testing.SelfSignedTls;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code farmvet discover} as an operator runs it (issue 12, part 4): the real command against a loopback fake
 * primary ({@link FakeBitbucket}'s mirrorServers) and fake farms (farmNodes), untrusted answers included, and the
 * starter config it prints loaded by {@code farmvet check-config}.
 */
class DiscoverCommandTest {
    private static final String TOKEN = "discover-token-5f1c0e7a9b2d4c68";

    @TempDir
    Path dir;

    private final List<FakeServer> servers = new ArrayList<>();
    private ByteArrayOutputStream out = new ByteArrayOutputStream();
    private ByteArrayOutputStream err = new ByteArrayOutputStream();
    private Path tokenFile;

    @BeforeEach
    void token() throws Exception {
        tokenFile = dir.resolve("primary.token");
        Files.writeString(tokenFile, TOKEN + "\n");
        Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-------"));
    }

    @AfterEach
    void stop() throws Exception {
        for (FakeServer server : servers) {
            server.close();
        }
        assertThat(stdout() + stderr()).doesNotContain(TOKEN);
    }

    private FakeServer serve(FakeServer.Responder responder) throws Exception {
        FakeServer server = FakeServer.start(responder);
        servers.add(server);
        return server;
    }

    /** A farm whose farmNodes lists {@code members}, JSON as Bitbucket writes it. */
    private FakeServer farm(String membersJson) throws Exception {
        return serve(FakeServer.node("SYNCHRONIZED", FakeServer.json(membersJson), FakeServer.json("{}")));
    }

    private static String member(String name, String host) {
        return "{\"id\":\"" + name.hashCode() + "\",\"name\":" + json(name) + ",\"address\":{\"address\":\"" + host
                + "\",\"port\":5701},\"buildVersion\":\"9.4.2\",\"local\":false}";
    }

    private static String json(String text) {
        StringBuilder s = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                s.append('\\').append(c);
            } else if (c < 0x20) {
                s.append(String.format("\\u%04x", (int) c));
            } else {
                s.append(c);
            }
        }
        return s.append('"').toString();
    }

    private FakeServer primary(FakeBitbucket bitbucket) throws Exception {
        return serve(bitbucket.responder());
    }

    private int run(String... args) {
        out = new ByteArrayOutputStream();
        err = new ByteArrayOutputStream();
        return new Main(
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8),
                        false)
                .run(args);
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void listsEveryMirrorServerAcrossPagesWithItsMembers_issue12() throws Exception {
        FakeServer emea = farm("[" + member("bbm-1", "10.0.0.1") + "," + member("bbm-2", "10.0.0.2") + "]");
        FakeServer apac = farm("[" + member("apac-1", "10.1.0.1") + "]");
        FakeServer primary = primary(new FakeBitbucket(Listings.generated(3, 1))
                .mirrorServer("B0AB-1", "EMEA farm", emea.url().toString(), "FARM")
                .mirrorServer("C0DE-2", "apac", apac.url().toString(), "FARM")
                .mirrorServersPageSize(1));

        int code = run("discover", "--primary", primary.url().toString(), "--token-file", tokenFile.toString());

        assertThat(code).as(stderr()).isZero();
        assertThat(stdout())
                .startsWith("primary " + primary.url() + ": 2 mirror servers\n")
                .contains("  EMEA farm  FARM  id B0AB-1  " + emea.url() + "  9.4.2  last seen 2026-12-01T10:00:00Z\n"
                        + "    2 members: bbm-1 (10.0.0.1:5701), bbm-2 (10.0.0.2:5701)\n")
                .contains("  apac  FARM  id C0DE-2  " + apac.url())
                .contains("    1 member: apac-1 (10.1.0.1:5701)\n");
        assertThat(FakeBitbucket.requestsTo(primary, FakeBitbucket.MIRROR_SERVERS_PATH))
                .isEqualTo(2);
        // The credentials go to the primary and to each farm it lists.
        for (FakeServer server : List.of(primary, emea, apac)) {
            assertThat(server.requests())
                    .allSatisfy(r -> assertThat(r.header("Authorization")).isEqualTo("Bearer " + TOKEN));
        }
    }

    @Test
    void theStarterConfigOfAFarmWithHostileNamesPassesCheckConfig_issue12() throws Exception {
        String evilMember = "bbm: 1 # [x] {y}, !z %w @v *u";
        FakeServer emea = farm("[" + member(evilMember, "127.0.0.2") + "," + member("bbm-2", "127.0.0.3") + ","
                + member("primary", "127.0.0.4") + "]");
        String farmName = "EMEA: farm #1\u2028\"quoted\"\n--- !!tag";
        String mirrorId = "B0AB-\"x\\y'#";
        FakeServer primary = primary(new FakeBitbucket(Listings.generated(3, 1))
                .mirrorServer(mirrorId, farmName, emea.url().toString(), "FARM"));

        int code = run(
                "discover",
                "--primary",
                primary.url().toString(),
                "--token-file",
                tokenFile.toString(),
                "--farm",
                farmName,
                "--node-url",
                "http://{host}:7990");

        assertThat(code).as(stderr()).isZero();
        assertThat(stderr()).contains("starter config for EMEA: farm #1?\"quoted\"?--- !!tag with 3 nodes");
        Path config = dir.resolve("emea.yaml");
        Files.writeString(config, stdout());

        assertThat(run("check-config", "--syntax-only", config.toString()))
                .as(stderr())
                .isZero();
        assertThat(run("check-config", config.toString())).as(stderr()).isZero();
        FarmvetConfig loaded = ConfigLoader.load(config);
        assertThat(loaded.farm().name()).isEqualTo("EMEA-farm-1-quoted-tag");
        assertThat(loaded.farm().mirrorServerId()).isEqualTo(mirrorId);
        assertThat(loaded.primary().url()).isEqualTo(primary.url());
        assertThat(loaded.primary().auth().authorizationHeader()).isEqualTo("Bearer " + TOKEN);
        assertThat(loaded.nodes())
                .extracting(FarmvetConfig.Server::memberName)
                .containsExactly(evilMember, "bbm-2", "primary");
        assertThat(loaded.nodes())
                .extracting(FarmvetConfig.Server::name)
                .containsExactly("bbm-1-x-y-z-w-v-u", "bbm-2", "primary-2");
        assertThat(loaded.nodes())
                .extracting(n -> n.url().toString())
                .containsExactly("http://127.0.0.2:7990", "http://127.0.0.3:7990", "http://127.0.0.4:7990");
        assertThat(loaded.nodes())
                .allSatisfy(n -> assertThat(n.auth().authorizationHeader()).isEqualTo("Bearer " + TOKEN));
    }

    @Test
    void withBasicCredentialsAndACaFileOverTlsTheConfigCarriesBoth() throws Exception {
        SelfSignedTls tls = SelfSignedTls.create(Files.createDirectories(dir.resolve("tls")));
        Path password = dir.resolve("bitbucket.password");
        Files.writeString(password, "s3cret pass\n");
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
        FakeServer emea = serveTls(
                tls,
                FakeServer.node(
                        "SYNCHRONIZED",
                        FakeServer.json("[" + member("bbm-1", "127.0.0.1") + "]"),
                        FakeServer.json("{}")));
        FakeServer primary = serveTls(
                tls,
                new FakeBitbucket(Listings.generated(3, 1))
                        .mirrorServer("B0AB-1", "emea", emea.url().toString(), "FARM")
                        .responder());
        String[] line = {
            "discover",
            "--primary",
            primary.url().toString(),
            "--username",
            "farmvet",
            "--password-file",
            password.toString(),
            "--farm",
            "emea",
            "--node-url",
            "https://{host}:7990"
        };

        assertThat(run(line))
                .as("without --ca-file the self-signed primary is refused")
                .isEqualTo(2);
        assertThat(stderr())
                .contains("primary " + primary.url())
                .contains("if its certificate comes from an internal CA, give that CA with --ca-file");
        List<String> trusted = new ArrayList<>(List.of(line));
        trusted.addAll(List.of("--ca-file", tls.caFile().toString()));
        assertThat(run(trusted.toArray(String[]::new))).as(stderr()).isZero();

        Path config = dir.resolve("emea.yaml");
        Files.writeString(config, stdout());
        assertThat(run("check-config", config.toString())).as(stderr()).isZero();
        FarmvetConfig loaded = ConfigLoader.load(config);
        assertThat(loaded.http().caFile())
                .isEqualTo(tls.caFile().toAbsolutePath().normalize());
        assertThat(loaded.primary().auth()).isInstanceOf(io.farmvet.config.Auth.Basic.class);
        assertThat(loaded.nodes().get(0).auth().authorizationHeader())
                .isEqualTo(loaded.primary().auth().authorizationHeader());
        assertThat(stdout() + stderr()).doesNotContain("s3cret");
    }

    private FakeServer serveTls(SelfSignedTls tls, FakeServer.Responder responder) throws Exception {
        FakeServer server = FakeServer.startTls(tls.serverContext(), responder);
        servers.add(server);
        return server;
    }

    @Test
    void aMemberNameThatWouldMoveTheNodeToAnotherHostIsLeftOutWithAReason_issue12() throws Exception {
        FakeServer emea = farm("[" + member("attacker.example#", "10.0.0.1") + "," + member("bbm-2", "10.0.0.2") + "]");
        FakeServer primary = primary(
                new FakeBitbucket(Listings.generated(3, 1)).mirrorServer("B0AB-1", "emea", emea.url() + "", "FARM"));

        int code = run(
                "discover",
                "--primary",
                primary.url().toString(),
                "--farm",
                "EMEA",
                "--node-url",
                "https://{name}.mirrors.example.com:7990");

        assertThat(code).as(stderr()).isZero();
        assertThat(stdout())
                .contains("url: \"https://bbm-2.mirrors.example.com:7990\"")
                .doesNotContain("attacker.example#.")
                .contains("# A member was left out: attacker.example#: its name (attacker.example#) is not a plain"
                        + " host name");
        assertThat(stderr()).contains("member left out: attacker.example#");
        Path config = dir.resolve("emea.yaml");
        Files.writeString(config, stdout());
        assertThat(run("check-config", "--syntax-only", config.toString()))
                .as(stderr())
                .isZero();
    }

    @Test
    void pagingThatNeverEndsGoesBackwardsOrServesHugePagesIsRefusedNamingThePage_issue12() throws Exception {
        FakeServer endless = primary(new FakeBitbucket(Listings.generated(3, 1))
                .mirrorServer("A", "a", "http://127.0.0.1:9", "FARM")
                .mirrorServersPageSize(100)
                .mirrorServersEndless());
        FakeServer backwards = primary(new FakeBitbucket(Listings.generated(3, 1))
                .mirrorServer("A", "a", "http://127.0.0.1:9", "FARM")
                .mirrorServer("B", "b", "http://127.0.0.1:9", "FARM")
                .mirrorServer("C", "c", "http://127.0.0.1:9", "FARM")
                .mirrorServersPageSize(1)
                .mirrorServersBackwards());
        FakeServer huge = primary(new FakeBitbucket(Listings.generated(3, 1))
                .mirrorServer("A", "a", "http://127.0.0.1:9", "FARM")
                .mirrorServersHugePages(150));

        assertThat(run("discover", "--primary", endless.url().toString())).isEqualTo(2);
        assertThat(stderr())
                .startsWith("farmvet discover: primary " + endless.url() + ": rest/mirroring/latest/mirrorServers"
                        + " listed more than 1000 mirror servers in 11 pages, more than any primary has, and is still"
                        + " not at its last page");
        assertThat(run("discover", "--primary", backwards.url().toString())).isEqualTo(2);
        assertThat(stderr()).contains("page at start=1 is not the last page, and its nextPageStart (0) does not move");
        assertThat(run("discover", "--primary", huge.url().toString())).isEqualTo(2);
        assertThat(stderr()).contains("page at start=0 holds 150 mirror servers, more than the 100 asked for");
        assertThat(stdout()).isEmpty();
    }

    @Test
    void aPrimaryThatRefusesTheCredentialsSaysWhatToCheck() throws Exception {
        FakeServer primary = primary(new FakeBitbucket(Listings.generated(3, 1)).mirrorServersStatus(401));

        int code = run("discover", "--primary", primary.url().toString(), "--token-file", tokenFile.toString());

        assertThat(code).isEqualTo(2);
        assertThat(stderr())
                .contains("primary " + primary.url() + ": primary: GET " + primary.url() + "/rest/mirroring/latest"
                        + "/mirrorServers?start=0&limit=100 answered HTTP 401")
                .contains("check the credentials (--token-file, or --username and --password-file)");
    }

    @Test
    void aFarmThatDoesNotAnswerIsANoteWithinTheDeadlineAndTheOthersAreListed_issue12() throws Exception {
        FakeServer silent = serve(FakeServer.drip("[" + member("x", "10.0.0.9") + "]", Duration.ofMillis(300)));
        FakeServer refusing = serve(FakeServer.node(
                "SYNCHRONIZED", FakeServer.status(401, "Unauthorized", "{\"errors\":[]}"), FakeServer.json("{}")));
        FakeServer emea = farm("[" + member("bbm-1", "10.0.0.1") + "]");
        FakeServer primary = primary(new FakeBitbucket(Listings.generated(3, 1))
                .mirrorServer("S", "slow", silent.url().toString(), "FARM")
                .mirrorServer("R", "refusing", refusing.url().toString(), "FARM")
                .mirrorServer("N", "no\u001b[31murl", "javascript:alert(1)", "SINGLE")
                .mirrorServer("E", "emea", emea.url().toString(), "FARM"));

        int code = run(
                "discover",
                "--primary",
                primary.url().toString(),
                "--token-file",
                tokenFile.toString(),
                "--timeout",
                "1",
                "--deadline",
                "2");

        assertThat(code).isEqualTo(2);
        assertThat(stdout()).contains("    1 member: bbm-1 (10.0.0.1:5701)").contains("  no?[31murl  SINGLE");
        assertThat(stderr())
                .contains("mirror slow: " + silent.url() + "/" + FarmNodesProbe.PATH
                        + " did not answer within the discover deadline of 2s (--deadline); its members are not"
                        + " listed: is the farm up, and reachable from here?")
                .contains("mirror refusing: " + refusing.url() + "/" + FarmNodesProbe.PATH
                        + " answered 401 (the account of --token-file needs ADMIN on the mirror to list its farm);"
                        + " its members are not listed")
                .contains("mirror no?[31murl: its baseUrl: must be an http(s) URL")
                .doesNotContain("\u001b");
    }

    @Test
    void badUsageIsExitThreeWithWhatToDo() throws Exception {
        FakeServer primary = primary(new FakeBitbucket(Listings.generated(3, 1))
                .mirrorServer("B0AB-1", "emea", "http://127.0.0.1:9", "FARM"));
        String url = primary.url().toString();

        assertThat(run("discover", "--primary", url, "--farm", "emea")).isEqualTo(3);
        assertThat(stderr()).contains("--farm needs --node-url");
        assertThat(run("discover", "--primary", url, "--farm", "apac", "--node-url", "https://{name}.example.com"))
                .isEqualTo(3);
        assertThat(stderr())
                .contains("--farm apac: the primary has no mirror server of that name or id; it has emea"
                        + " (id B0AB-1)");
        assertThat(run("discover", "--primary", url, "--node-url", "https://{nome}.example.com"))
                .isEqualTo(3);
        assertThat(stderr()).contains("--node-url has an unknown placeholder {nome}");
        assertThat(run("discover", "--primary", url, "--token-file", tokenFile.toString(), "--username", "u"))
                .isEqualTo(3);
        assertThat(stderr()).contains("--token-file and --username/--password-file exclude each other");
        assertThat(run("discover", "--primary", "ftp://x")).isEqualTo(3);
        assertThat(stderr()).contains("--primary: must be an http(s) URL");
        assertThat(run(
                        "discover",
                        "--primary",
                        url,
                        "--token-file",
                        dir.resolve("missing").toString()))
                .isEqualTo(3);
        assertThat(stderr()).contains("--token-file");
    }

    @Test
    void aTemplateWithoutAPlaceholderWouldGiveEveryNodeOneUrlAndIsRefused() throws Exception {
        FakeServer emea = farm("[" + member("bbm-1", "10.0.0.1") + "," + member("bbm-2", "10.0.0.2") + "]");
        FakeServer primary = primary(new FakeBitbucket(Listings.generated(3, 1))
                .mirrorServer("B0AB-1", "emea", emea.url().toString(), "FARM"));

        int code = run(
                "discover", "--primary", primary.url().toString(), "--farm", "emea", "--node-url", "https://m.example");

        assertThat(code).isEqualTo(3);
        assertThat(stderr()).contains("--node-url gives https://m.example for both members bbm-1 and bbm-2");
        assertThat(stdout()).isEmpty();
    }
}
