package io.farmvet.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import io.farmvet.config.Auth;
import io.farmvet.config.Secret;
import io.farmvet.report.JsonReport;
import io.farmvet.report.TextReport;
import io.farmvet.testing.FakeServer;
import io.farmvet.testing.Listings;
import io.farmvet.testing.TestConfigs;
import io.farmvet.vet.VetReport;
import io.farmvet.vet.VetReports;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * Issue 11: a repo-hashes listing whose field carries the request's {@code Authorization} value is quoted in the
 * parse error, 16 characters at most: {@code "Bearer "} and 9 characters of the token reached the report and the
 * log (so stderr). Over the real fetch path (a loopback server echoing the header into the listing, the real
 * client and reader), no fragment of a secret may show anywhere.
 */
class ListingQuotesNoSecretTest {
    /** Random-looking, so that any 4 of its characters in a row can only come from the token. */
    private static final String TOKEN = "Zq8vXk3Lr9Wm2Tp7Yh5Nc1Bd";

    private static final String PASSWORD = "Gf4sJ8wQ2zR6uE0y";
    private static final String USER = "farmvet";
    private static final String BASIC =
            Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));

    /** Shorter runs than this are masked only whole: see {@code SecretMasker.MIN_FRAGMENT_CHARS}. */
    private static final int FRAGMENT = 4;

    private final StringBuffer captured = new StringBuffer();
    private final Capture logs = new Capture(captured);

    @BeforeEach
    void captureLogs() {
        logs.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
        logs.start();
        root().addAppender(logs);
    }

    @AfterEach
    void releaseLogs() {
        root().detachAppender(logs);
    }

    static Stream<Arguments> echoes() {
        Function<String, String> stringId = auth -> listing("\"" + auth + "\"", "\"" + zeros() + "\"");
        Function<String, String> hash = auth -> listing("1", "\"" + auth.substring(auth.indexOf(' ') + 1) + "\"");
        Function<String, String> hashWithScheme = auth -> listing("1", "\"" + auth + "\"");
        return Stream.of(
                Arguments.of("bearer, a string field holds the header", bearer(), stringId, TOKEN),
                Arguments.of("bearer, a hash field holds the token", bearer(), hash, TOKEN),
                Arguments.of("bearer, a hash field holds the header", bearer(), hashWithScheme, TOKEN),
                Arguments.of("basic, a string field holds the header", basic(), stringId, BASIC),
                Arguments.of("basic, a hash field holds the credentials", basic(), hash, BASIC));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("echoes")
    void issue11_noFragmentOfTheRequestsCredentialsReachesTheReportOrTheLog(
            String name, Auth auth, Function<String, String> listing, String secret) throws Exception {
        Listings farm = Listings.generated(20, 2);
        // Only the listing request carries credentials; a /status probe gets the farm's own listing.
        FakeServer.Responder echo = (request, out) -> {
            String authorization = request.header("Authorization");
            FakeServer.json(authorization == null ? farm.json() : listing.apply(authorization))
                    .respond(request, out);
        };
        try (FakeServer echoing = FakeServer.start(echo);
                FakeServer node = FakeServer.start(FakeServer.json(farm.json()))) {
            VetReport primaryFails = VetReports.vet(
                    new TestConfigs().primary(echoing.url(), auth).node("mirror-1", node.url()));
            VetReport nodeFails;
            try (FakeServer primary = FakeServer.start(FakeServer.json(farm.json()))) {
                nodeFails =
                        VetReports.vet(new TestConfigs().primary(primary.url()).node("mirror-1", echoing.url(), auth));
            }

            assertThat(primaryFails.primary().error()).contains("malformed repo-hashes listing");
            assertThat(nodeFails.nodes().get(0).error()).contains("malformed repo-hashes listing");
            String all = captured + report(primaryFails) + report(nodeFails);
            for (int i = 0; i + FRAGMENT <= secret.length(); i++) {
                String fragment = secret.substring(i, i + FRAGMENT);
                assertThat(all.contains(fragment))
                        .as("%s: %s of the secret shows in:\n%s", name, fragment, all)
                        .isFalse();
            }
            if (secret.equals(BASIC)) {
                assertThat(all).doesNotContain(PASSWORD.substring(0, FRAGMENT));
            }
        }
    }

    private static Auth bearer() {
        return new Auth.Bearer(new Secret(TOKEN, Path.of("primary.token")));
    }

    private static Auth basic() {
        return new Auth.Basic(USER, new Secret(PASSWORD, Path.of("node.password")));
    }

    private static String listing(String repositoryId, String contentHash) {
        return "{\"projects\":[{\"id\":1,\"public\":false,\"repositories\":[{\"id\":" + repositoryId
                + ",\"hashes\":{\"content\":" + contentHash + ",\"metadata\":\"" + zeros() + "\"}}]}]}";
    }

    private static String zeros() {
        return "0".repeat(64);
    }

    private static String report(VetReport report) throws Exception {
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        JsonReport.write(report, json);
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        TextReport.write(report, new PrintStream(text, true, StandardCharsets.UTF_8));
        return json.toString(StandardCharsets.UTF_8) + text.toString(StandardCharsets.UTF_8);
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }

    /** Every logging event, with its stack trace, appended as text: what the console appender puts on stderr. */
    private static final class Capture extends AppenderBase<ILoggingEvent> {
        private final StringBuffer into;

        Capture(StringBuffer into) {
            this.into = into;
        }

        @Override
        protected void append(ILoggingEvent event) {
            into.append(event.getFormattedMessage()).append('\n');
            if (event.getThrowableProxy() != null) {
                into.append(ThrowableProxyUtil.asString(event.getThrowableProxy()))
                        .append('\n');
            }
        }
    }
}
