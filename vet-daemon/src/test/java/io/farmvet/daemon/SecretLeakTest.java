package io.farmvet.daemon;

import static io.farmvet.daemon.DaemonHarness.METRICS_TOKEN;
import static io.farmvet.daemon.DaemonHarness.NEVER;
import static io.farmvet.daemon.DaemonHarness.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import io.farmvet.config.Auth;
import io.farmvet.config.Secret;
import io.farmvet.metrics.FarmMetrics;
import io.farmvet.repair.RepairMode;
import io.farmvet.repair.RepairSettings;
import io.farmvet.report.JsonReport;
import io.farmvet.report.TextReport;
import io.farmvet.testing.FakeServer;
import io.farmvet.testing.Listings;
import io.farmvet.testing.TestConfigs;
import io.farmvet.vet.VetReport;
import io.farmvet.vet.VetReports;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Issue 6: no token or password farmvet holds ever shows in what it writes. Vets that succeed, fail, repair and
 * dry-run, and a daemon serving them, run with known secrets, at DEBUG, against servers that echo the request's
 * credentials back in their error pages; then every log line (with stack traces), stdout and stderr, the JSON and
 * text reports, exception messages, the repair ledger and audit log, the run history's files, the REST answers
 * and {@code /metrics} are searched for each secret, and for the Base64 of {@code user:password}.
 */
class SecretLeakTest {
    private static final String RESYNC = "/rest/farmvet/1/resync";
    private static final String PRIMARY_TOKEN = "primary-TOKEN-5ecret-0001";
    private static final String NODE_USER = "farmvet";
    private static final String NODE_PASSWORD = "node-PASSWORD-5ecret-0002";
    private static final String NODE2_TOKEN = "node2-TOKEN-5ecret-0003";

    private static final List<String> SECRETS = List.of(
            PRIMARY_TOKEN,
            NODE_PASSWORD,
            NODE2_TOKEN,
            Base64.getEncoder().encodeToString((NODE_USER + ":" + NODE_PASSWORD).getBytes(StandardCharsets.UTF_8)),
            TOKEN,
            METRICS_TOKEN);

    @TempDir
    Path dir;

    private final Listings farm = Listings.generated(200, 4);
    private final Listings drifted = farm.with(
                    5, r -> new Listings.Repo(r.project(), 5, Listings.hash("stale", 5), r.metadata()))
            .with(7, r -> null);
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final StringBuffer captured = new StringBuffer();
    private final Capture logs = new Capture(captured);
    private PrintStream stdout;
    private PrintStream stderr;
    private Level rootLevel;

    @BeforeEach
    void capture() {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        rootLevel = root.getLevel();
        // As an operator debugging with FARMVET_LOG_LEVEL=DEBUG would run it.
        root.setLevel(Level.DEBUG);
        logs.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
        logs.start();
        root.addAppender(logs);
        stdout = System.out;
        stderr = System.err;
        System.setOut(new PrintStream(new Tee(stdout, captured), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new Tee(stderr, captured), true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() throws Exception {
        System.setOut(stdout);
        System.setErr(stderr);
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.detachAppender(logs);
        root.setLevel(rootLevel);
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    @Test
    void noSecretInLogsReportsExceptionsLedgerAuditHistoryApiOrMetrics() throws Exception {
        // A primary and nodes that serve listings and accept resyncs, and some that answer errors repeating the
        // request's Authorization header, as a debugging proxy or a misconfigured server may.
        FakeServer.Responder echo = (request, out) -> FakeServer.status(
                        401, "Unauthorized", "denied for Authorization: " + request.header("Authorization"))
                .respond(request, out);
        FakeServer.Responder echo500 = (request, out) -> FakeServer.status(
                        500, "Server Error", "cannot resync for " + request.header("Authorization"))
                .respond(request, out);
        FakeServer primary = serve(FakeServer.json(farm.json()));
        FakeServer echoingPrimary = serve(echo);
        FakeServer basicNode = serve(FakeServer.node(
                "SYNCHRONIZED",
                FakeServer.route(
                        RESYNC,
                        FakeServer.status(202, "Accepted", "{\"state\":\"queued\"}"),
                        FakeServer.json(drifted.json()))));
        FakeServer failingRepairs = serve(
                FakeServer.node("SYNCHRONIZED", FakeServer.route(RESYNC, echo500, FakeServer.json(drifted.json()))));
        FakeServer echoingNode = serve(echo);
        Path secrets = dir.resolve("secrets");
        Files.createDirectories(secrets);
        Auth primaryAuth = new Auth.Bearer(new Secret(PRIMARY_TOKEN, secrets.resolve("primary.token")));
        Auth basic = new Auth.Basic(NODE_USER, new Secret(NODE_PASSWORD, secrets.resolve("node.password")));
        Auth node2 = new Auth.Bearer(new Secret(NODE2_TOKEN, secrets.resolve("node2.token")));
        Path state = dir.resolve("vet-state");
        RepairSettings repairs = RepairSettings.builder()
                .mode(RepairMode.AGENT)
                .settle(Duration.ZERO)
                .retries(1)
                .backoffInitial(Duration.ofMillis(5))
                .backoffMax(Duration.ofMillis(10))
                .build();

        List<VetReport> reports = new ArrayList<>();
        // Repairs sent with the node's credentials, and repairs that fail with an answer echoing them.
        reports.add(VetReports.vet(new TestConfigs()
                .primary(primary.url(), primaryAuth)
                .node("basic", basicNode.url(), basic)
                .node("failing", failingRepairs.url(), node2)
                .node("echoing", echoingNode.url(), node2)
                .repair(repairs, state)));
        // A dry run describes every request it would send.
        reports.add(VetReports.vet(new TestConfigs()
                .primary(primary.url(), primaryAuth)
                .node("basic", basicNode.url(), basic)
                .repair(
                        RepairSettings.builder()
                                .mode(RepairMode.AGENT)
                                .settle(Duration.ZERO)
                                .dryRun(true)
                                .build(),
                        dir.resolve("dry-state"))));
        // A primary that refuses and echoes the token; nothing is compared.
        reports.add(VetReports.vet(new TestConfigs()
                .primary(echoingPrimary.url(), primaryAuth)
                .node("basic", basicNode.url(), basic)
                .repair(repairs, state)));
        try (FarmMetrics metrics = new FarmMetrics("test", List.of("basic", "failing", "echoing"))) {
            for (VetReport report : reports) {
                ByteArrayOutputStream json = new ByteArrayOutputStream();
                JsonReport.write(report, json);
                captured.append(json.toString(StandardCharsets.UTF_8));
                ByteArrayOutputStream text = new ByteArrayOutputStream();
                TextReport.write(report, new PrintStream(text, true, StandardCharsets.UTF_8));
                captured.append(text.toString(StandardCharsets.UTF_8));
                metrics.vetStarted();
                metrics.vetFinished(report);
            }
            captured.append(metrics.scrape());
        }
        assertThat(reports.get(0).nodes().get(0).repairs()).isNotEmpty();
        assertThat(reports.get(2).primary().error()).contains("answered 401");

        // The daemon: same servers, real metrics, a metrics token; every answer it gives is searched too.
        Files.writeString(dir.resolve("primary.token"), PRIMARY_TOKEN + "\n");
        Files.writeString(dir.resolve("node.password"), NODE_PASSWORD + "\n");
        Files.writeString(dir.resolve("node2.token"), NODE2_TOKEN + "\n");
        DaemonHarness d = new DaemonHarness(dir);
        closeables.add(d);
        Files.writeString(
                d.configFile,
                "farm:\n  name: test\nprimary:\n  url: " + primary.url() + "\n  auth:\n"
                        + "    bearer-token-file: primary.token\nnodes:\n"
                        + "  - name: basic\n    url: " + basicNode.url() + "\n    auth:\n"
                        + "      basic: { username: " + NODE_USER + ", password-file: node.password }\n"
                        + "  - name: failing\n    url: " + failingRepairs.url() + "\n    auth:\n"
                        + "      bearer-token-file: node2.token\n"
                        + "  - name: echoing\n    url: " + echoingNode.url() + "\n    auth:\n"
                        + "      bearer-token-file: node2.token\n"
                        + "vet:\n  schedule: \"" + NEVER + "\"\n"
                        + "repair:\n  mode: agent\n  settle: 0s\n  retries: 1\n  backoff-initial: 5ms\n"
                        + "  backoff-max: 10ms\n"
                        + "server:\n  listen: 127.0.0.1:0\n  token-file: api.token\n"
                        + "  metrics-token-file: metrics.token\n"
                        + "state:\n  dir: state\n");
        try (FarmMetrics metrics = new FarmMetrics("test", List.of("basic", "failing", "echoing"))) {
            d.start(metrics);
            String id = d.trigger(null);
            keep(d.get("/api/v1/vets/" + id, TOKEN));
            d.awaitReport(id);
            String dryRun = d.trigger("{\"dryRun\": true}");
            d.awaitReport(dryRun);
            keep(d.get("/api/v1/vets/" + id, TOKEN));
            keep(d.get("/api/v1/vets/" + dryRun, TOKEN));
            keep(d.get("/api/v1/vets", TOKEN));
            keep(d.get("/metrics", METRICS_TOKEN));
            keep(d.get("/-/ready", null));
            keep(d.post("/-/reload", TOKEN, null));
            // Refusals must not repeat what they refused.
            keep(d.get("/api/v1/vets", METRICS_TOKEN));
            keep(d.get("/metrics", TOKEN));
            keep(d.get("/api/v1/vets?access_token=" + TOKEN, null));
            d.stop();
        }

        // Everything written to disk: ledger, audit log, run history (H2 files), byte for byte.
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(Files::isRegularFile)
                    .filter(f -> !f.startsWith(secrets))
                    .filter(f -> !f.getFileName().toString().matches(".*\\.(token|password)$"))
                    .toList()) {
                captured.append("\n== ").append(file).append('\n');
                captured.append(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
            }
        }

        String all = captured.toString();
        assertThat(all)
                .contains("answered 401")
                .contains("farmvet_repairs_total")
                .contains("== ");
        assertThat(all).contains("\"outcome\":\"sent\"").contains("dry-run");
        for (String secret : SECRETS) {
            assertThat(all.contains(secret))
                    .as("secret %s leaked:\n%s", secret, around(all, secret))
                    .isFalse();
        }
    }

    private void keep(HttpResponse<String> response) {
        captured.append('\n')
                .append(response.statusCode())
                .append(' ')
                .append(response.headers().map())
                .append('\n')
                .append(response.body());
    }

    private static String around(String text, String secret) {
        int at = text.indexOf(secret);
        return at < 0 ? "" : text.substring(Math.max(0, at - 400), Math.min(text.length(), at + 200));
    }

    private FakeServer serve(FakeServer.Responder responder) throws Exception {
        FakeServer server = FakeServer.start(responder);
        closeables.add(server);
        return server;
    }

    /** Every logging event, with its stack trace, appended as text. */
    private static final class Capture extends AppenderBase<ILoggingEvent> {
        private final StringBuffer into;

        Capture(StringBuffer into) {
            this.into = into;
        }

        @Override
        protected void append(ILoggingEvent event) {
            synchronized (into) {
                into.append(event.getLoggerName())
                        .append(' ')
                        .append(event.getFormattedMessage())
                        .append('\n');
                Map<String, String> mdc = event.getMDCPropertyMap();
                if (!mdc.isEmpty()) {
                    into.append(mdc).append('\n');
                }
                if (event.getThrowableProxy() != null) {
                    into.append(ThrowableProxyUtil.asString(event.getThrowableProxy()))
                            .append('\n');
                }
            }
        }
    }

    /** Passes bytes on and keeps a copy. */
    private static final class Tee extends java.io.OutputStream {
        private final PrintStream out;
        private final StringBuffer into;

        Tee(PrintStream out, StringBuffer into) {
            this.out = out;
            this.into = into;
        }

        @Override
        public void write(int b) {
            out.write(b);
            synchronized (into) {
                into.append((char) b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) {
            out.write(b, off, len);
            synchronized (into) {
                into.append(new String(b, off, len, StandardCharsets.UTF_8));
            }
        }
    }
}
