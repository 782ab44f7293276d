package io.farmvet.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.farmvet.compare.Scope;
import io.farmvet.config.FarmvetConfig.Server;
import io.farmvet.listing.ListingLimits;
import io.farmvet.repair.RepairMode;
import io.farmvet.testing.ConfigFileFixture;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest extends ConfigFileFixture {
    @Test
    void minimalConfigTakesEveryDefault() throws Exception {
        FarmvetConfig config = load(MINIMAL);

        assertThat(config.farm().name()).isEqualTo("emea");
        assertThat(config.farm().scope()).isEqualTo(Scope.INFERRED);
        assertThat(config.primary())
                .isEqualTo(
                        new Server(FarmvetConfig.PRIMARY_NAME, URI.create("https://bitbucket.example.com"), Auth.NONE));
        assertThat(config.nodes())
                .containsExactly(new Server("mirror-1", URI.create("https://mirror-1.example.com"), Auth.NONE));
        assertThat(config.http().connectTimeout()).isEqualTo(FarmvetConfig.DEFAULT_CONNECT_TIMEOUT);
        assertThat(config.http().readTimeout()).isEqualTo(FarmvetConfig.DEFAULT_READ_TIMEOUT);
        assertThat(config.http().caFile()).isNull();
        assertThat(config.listing().limits()).isEqualTo(ListingLimits.DEFAULTS);
        assertThat(config.vet().deadline()).isEqualTo(FarmvetConfig.DEFAULT_VET_DEADLINE);
        assertThat(config.repair().mode()).isEqualTo(RepairMode.NONE);
        assertThat(config.source()).isEqualTo(dir.resolve("farmvet.yaml").toAbsolutePath());
        assertThat(warnings()).isEmpty();
    }

    @Test
    void emptySectionsTakeTheirDefaults() throws Exception {
        // What an operator gets by commenting out every line under a section of the example.
        FarmvetConfig config = load(MINIMAL + "http:\nlisting:\nvet:\nrepair:\n");

        assertThat(config.http())
                .isEqualTo(new FarmvetConfig.Http(
                        FarmvetConfig.DEFAULT_CONNECT_TIMEOUT, FarmvetConfig.DEFAULT_READ_TIMEOUT, null));
        assertThat(config.listing().limits()).isEqualTo(ListingLimits.DEFAULTS);
        assertThat(config.vet().deadline()).isEqualTo(FarmvetConfig.DEFAULT_VET_DEADLINE);
        assertThat(config.repair().mode()).isEqualTo(RepairMode.NONE);
    }

    @Test
    void scopeForms() throws Exception {
        assertThat(load(MINIMAL + "").farm().scope()).isEqualTo(Scope.INFERRED);
        assertThat(load(MINIMAL.replace("name: emea\n", "name: emea\n  scope: all\n"))
                        .farm()
                        .scope())
                .isEqualTo(Scope.ALL);
        assertThat(load(MINIMAL.replace("name: emea\n", "name: emea\n  scope: inferred\n"))
                        .farm()
                        .scope())
                .isEqualTo(Scope.INFERRED);
        assertThat(load(MINIMAL.replace("name: emea\n", "name: emea\n  scope: [42, 1, 7, 7, 0]\n"))
                        .farm()
                        .scope())
                .isEqualTo(Scope.of(0, 1, 7, 42));
        assertThat(load(MINIMAL.replace("name: emea\n", "name: emea\n  scope:\n    - 3\n"))
                        .farm()
                        .scope())
                .isEqualTo(Scope.of(3));
    }

    @ParameterizedTest
    @CsvSource({
        "1048576, 1048576",
        "512KiB, 524288",
        "100MiB, 104857600",
        "2GiB, 2147483648",
        "1TiB, 1099511627776",
        "500MB, 500000000",
        "1GB, 1000000000",
        "64KB, 64000",
        "'\"4096\"', 4096",
        "4096B, 4096"
    })
    void sizes(String yamlValue, long bytes) throws Exception {
        FarmvetConfig config = load(MINIMAL + "listing:\n  max-size: " + yamlValue + "\n");

        assertThat(config.listing().limits().maxDocumentBytes()).isEqualTo(bytes);
        assertThat(config.listing().limits().maxStringLength()).isEqualTo(ListingLimits.DEFAULT_MAX_STRING_LENGTH);
        assertThat(config.listing().readAheadBytes()).isEqualTo(FarmvetConfig.Listing.DEFAULT_READ_AHEAD);
    }

    @ParameterizedTest
    @CsvSource({"0, 0", "0MiB, 0", "'\"0\"', 0", "16MiB, 16777216", "1GB, 1000000000"})
    void readAheadMayBeZero(String yamlValue, long bytes) throws Exception {
        FarmvetConfig config = load(MINIMAL + "listing:\n  read-ahead: " + yamlValue + "\n");

        assertThat(config.listing().readAheadBytes()).isEqualTo(bytes);
        assertThat(config.listing().limits()).isEqualTo(ListingLimits.DEFAULTS);
    }

    @ParameterizedTest
    @CsvSource({"500ms, 500", "5s, 5000", "2m, 120000", "1h, 3600000"})
    void durations(String yamlValue, long millis) throws Exception {
        FarmvetConfig config = load(MINIMAL + "http:\n  connect-timeout: " + yamlValue + "\n  read-timeout: "
                + yamlValue + "\nvet:\n  deadline: " + yamlValue + "\n");

        assertThat(config.http().connectTimeout()).isEqualTo(Duration.ofMillis(millis));
        assertThat(config.http().readTimeout()).isEqualTo(Duration.ofMillis(millis));
        assertThat(config.vet().deadline()).isEqualTo(Duration.ofMillis(millis));
    }

    @Test
    void urlsAreNormalized() throws Exception {
        FarmvetConfig config = load("""
                farm: {name: emea}
                primary: {url: "HTTPS://Bitbucket.Example.COM:443/bitbucket/"}
                nodes:
                  - {name: mirror-1, url: "http://mirror-1.example.com:80/"}
                  - {name: mirror-2, url: "https://mirror-2.example.com:8443//"}
                  - {name: mirror-3, url: "http://[::1]:7990/bb"}
                """);

        assertThat(config.primary().url()).isEqualTo(URI.create("https://bitbucket.example.com/bitbucket"));
        assertThat(config.nodes())
                .extracting(Server::url)
                .containsExactly(
                        URI.create("http://mirror-1.example.com"),
                        URI.create("https://mirror-2.example.com:8443"),
                        URI.create("http://[::1]:7990/bb"));
    }

    @Test
    void secretsAreReadWithOneTrailingNewlineStrippedAndRelativePathsResolved() throws Exception {
        Path token = secretFile("secrets/primary.token", "primary-token-value\n");
        Path password = secretFile("secrets/mirror.password", "mirror password value\r\n");
        Path bare = secretFile("bare.token", "bare-token-value");
        FarmvetConfig config = load("""
                farm: {name: emea}
                primary:
                  url: https://bitbucket.example.com
                  auth: {bearer-token-file: secrets/primary.token}
                nodes:
                  - name: mirror-1
                    url: https://mirror-1.example.com
                    auth:
                      basic: {username: farmvet, password-file: ./secrets/../secrets/mirror.password}
                  - name: mirror-2
                    url: https://mirror-2.example.com
                    auth: {bearer-token-file: %s}
                """.formatted(bare));

        assertThat(config.primary().auth()).isInstanceOfSatisfying(Auth.Bearer.class, bearer -> {
            assertThat(bearer.token().reveal()).isEqualTo("primary-token-value");
            assertThat(bearer.token().file()).isEqualTo(token);
        });
        assertThat(config.nodes().get(0).auth()).isInstanceOfSatisfying(Auth.Basic.class, basic -> {
            assertThat(basic.username()).isEqualTo("farmvet");
            assertThat(basic.password().reveal()).isEqualTo("mirror password value");
            assertThat(basic.password().file()).isEqualTo(password);
        });
        assertThat(((Auth.Bearer) config.nodes().get(1).auth()).token().reveal())
                .isEqualTo("bare-token-value");

        String text = config.toString();
        assertThat(text)
                .doesNotContain("primary-token-value", "mirror password value", "bare-token-value")
                .contains(token.toString(), password.toString());
    }

    @Test
    void parseResolvesAgainstTheGivenSourcesFolder() throws Exception {
        Path sub = Files.createDirectories(dir.resolve("etc"));
        Files.writeString(sub.resolve("primary.token"), "t\n");
        String yaml = MINIMAL.replace(
                "url: https://bitbucket.example.com\n",
                "url: https://bitbucket.example.com\n  auth: {bearer-token-file: primary.token}\n");

        FarmvetConfig config = ConfigLoader.parse(yaml, sub.resolve("not-written.yaml"));

        assertThat(((Auth.Bearer) config.primary().auth()).token().file()).isEqualTo(sub.resolve("primary.token"));
        assertThat(config.source()).isEqualTo(sub.resolve("not-written.yaml"));
    }

    @Test
    void aSecretIsNeverInAMessageEvenWhenRejected() throws Exception {
        secretFile("two.token", "first-line-secret\nsecond-line-secret\n");
        secretFile("ctl.password", "pass\u0007word-secret\n");

        ConfigException e = loadFails("""
                farm: {name: emea}
                primary:
                  url: https://bitbucket.example.com
                  auth: {bearer-token-file: two.token}
                nodes:
                  - name: mirror-1
                    url: https://farmvet:url-secret@mirror-1.example.com/?token=query-secret
                    auth:
                      basic: {username: farmvet, password-file: ctl.password}
                """);

        assertThat(e.problems())
                .containsExactly(
                        "primary.auth.bearer-token-file: " + dir.resolve("two.token")
                                + " holds more than one line; write only the token into it, on one line",
                        "nodes[0].url: must not hold credentials (user-info before @); put them under auth",
                        "nodes[0].auth.basic.password-file: " + dir.resolve("ctl.password")
                                + " holds control characters; write only the password into it, on one line");
        assertThat(e.getMessage()).doesNotContain("secret");
    }

    @Test
    void plainHttpWithCredentialsToAnotherHostIsAWarning() throws Exception {
        secretFile("t.token", "t\n");
        Files.setPosixFilePermissions(dir.resolve("t.token"), PosixFilePermissions.fromString("rw-------"));

        load("""
                farm: {name: emea}
                primary: {url: "http://bitbucket.example.com", auth: {bearer-token-file: t.token}}
                nodes:
                  - {name: local, url: "http://localhost:7990", auth: {bearer-token-file: t.token}}
                  - {name: loop, url: "http://127.0.0.1:7991", auth: {bearer-token-file: t.token}}
                  - {name: anon, url: "http://mirror.example.com"}
                """);

        assertThat(warnings())
                .containsExactly("primary.url: http://bitbucket.example.com is plain http to another host, so the"
                        + " credentials of primary.auth cross the network in clear; use https");
    }

    @Test
    void aSecretFileOthersCanReadIsAWarningNamingTheFile() throws Exception {
        Path token = secretFile("open.token", "open-token-value\n");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-r--r--"));

        load(MINIMAL.replace(
                "url: https://bitbucket.example.com\n",
                "url: https://bitbucket.example.com\n  auth: {bearer-token-file: open.token}\n"));

        assertThat(warnings())
                .containsExactly("primary.auth.bearer-token-file: secret file " + token
                        + " is readable by group or others; run chmod 600 " + token);
    }

    @Test
    void caFileWithAPemCertificateIsAccepted() throws Exception {
        Path ca = dir.resolve("ca.pem");
        try (InputStream in = getClass().getResourceAsStream("/config/valid/ca.pem")) {
            Files.copy(in, ca);
        }

        FarmvetConfig config = load(MINIMAL + "http:\n  ca-file: ca.pem\n");

        assertThat(config.http().caFile()).isEqualTo(ca);
    }

    @Test
    void caFileWithABrokenPemCertificateIsAProblem() throws Exception {
        Path ca = dir.resolve("broken.pem");
        Files.writeString(ca, "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");

        ConfigException e = loadFails(MINIMAL + "http:\n  ca-file: broken.pem\n");

        assertThat(e.problems())
                .singleElement()
                .asString()
                .startsWith("http.ca-file: " + ca + " holds a PEM certificate that does not parse (");
    }

    @Test
    void everyProblemIsReportedInOnePass() throws Exception {
        ConfigException e = loadFails("""
                farm: {name: "a b", scope: [-1]}
                primary: {url: "ftp://x"}
                nodes: [{name: primary, url: "https://m"}, {name: m2, url: "https://m/"}]
                http: {connect-timeout: 0s, read-timeout: 2h, ca-file: nowhere.pem}
                listing: {max-size: 0}
                vet: {deadline: 1x}
                repair: {mode: sometimes, extra: 1}
                """);

        assertThat(e.problems())
                .containsExactly(
                        "farm.name: must be 1 to 64 characters from A-Z a-z 0-9 . _ -, got \"a b\"",
                        "farm.scope[0]: must be a non-negative integer project id, got -1",
                        "primary.url: must be an http(s) URL (start with https:// or http://)",
                        "nodes[0].name: \"primary\" is reserved for the primary; pick another name",
                        "nodes[1].url: is the same as nodes[0].url",
                        "http.connect-timeout: must be positive, got \"0s\"",
                        "http.read-timeout: must be at most 1h, got \"2h\"",
                        "http.ca-file: " + dir.resolve("nowhere.pem")
                                + " does not exist; create it with the PEM certificate(s) of your CA or fix the path",
                        "listing.max-size: must be at least 1 byte, got 0",
                        "vet.deadline: must be a duration like 500ms, 5s, 2m or 1h, got \"1x\"",
                        "repair.extra: unknown key (known here: mode, dry-run, settle, max-fraction, max-per-run, "
                                + "concurrency, rate, retries, backoff-initial, backoff-max, timeout, verify-vets, "
                                + "verify-after, audit-log, http, confirm-per-repository-max)",
                        "repair.mode: must be none, http or agent, got \"sometimes\"");
        assertThat(e.getMessage()).startsWith(dir.resolve("farmvet.yaml") + ": 12 problems:\n  - farm.name: ");
    }

    @Test
    void theConfigFileItselfMustExistAndBeAFile() throws Exception {
        Path missing = dir.resolve("missing.yaml");
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(missing));
        assertThat(e.getMessage())
                .isEqualTo(missing + ": 1 problem:\n  - does not exist; pass the path of a farmvet YAML file"
                        + " (see farmvet.example.yaml)");

        ConfigException folder = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(dir));
        assertThat(folder.problems()).containsExactly("is a folder; pass the path of a farmvet YAML file");
    }

    @Test
    void aConfigFileThatIsNotUtf8IsAProblem() throws Exception {
        Path file = dir.resolve("latin1.yaml");
        Files.write(file, MINIMAL.replace("emea", "\u00e9mea").getBytes(StandardCharsets.ISO_8859_1));

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(file));

        assertThat(e.problems()).containsExactly("is not UTF-8 text; save it as UTF-8");
    }
}
