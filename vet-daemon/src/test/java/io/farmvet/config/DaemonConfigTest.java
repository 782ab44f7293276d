package io.farmvet.config;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.farmvet.testing.ConfigFileFixture;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** The daemon's keys: vet.schedule, server.*, state.dir, history.*; their invalid forms are in config/invalid. */
class DaemonConfigTest extends ConfigFileFixture {
    @Test
    void absentSectionsTakeTheDefaults() throws Exception {
        FarmvetConfig config = load(MINIMAL);

        assertThat(config.vet().schedule())
                .isEqualTo(FarmvetConfig.DEFAULT_SCHEDULE)
                .isEqualTo("0 */15 * * * ?");
        assertThat(config.server().host()).isEqualTo("127.0.0.1");
        assertThat(config.server().port()).isEqualTo(8787);
        assertThat(config.server().listen()).isEqualTo("127.0.0.1:8787");
        assertThat(config.server().token()).isNull();
        assertThat(config.server().metricsToken()).isNull();
        assertThat(config.state().dir()).isEqualTo(dir.resolve("farmvet-state"));
        assertThat(config.history().keepSuccesses()).isEqualTo(100);
        assertThat(config.history().keepFailures()).isEqualTo(500);
    }

    @Test
    void emptySectionsTakeTheDefaults() throws Exception {
        FarmvetConfig config = load(MINIMAL + "server:\nstate:\nhistory:\n");

        assertThat(config.server().listen()).isEqualTo("127.0.0.1:8787");
        assertThat(config.state().dir()).isEqualTo(dir.resolve("farmvet-state"));
        assertThat(config.history())
                .isEqualTo(new FarmvetConfig.History(
                        FarmvetConfig.DEFAULT_KEEP_SUCCESSES,
                        FarmvetConfig.DEFAULT_KEEP_FAILURES,
                        FarmvetConfig.DEFAULT_HISTORY_MAX_BYTES));
    }

    @Test
    void everyKeySet() throws Exception {
        Files.writeString(dir.resolve("api.token"), "0123456789abcdef0123\n");
        Files.writeString(dir.resolve("metrics.token"), "fedcba9876543210fedc\n");
        FarmvetConfig config = load(MINIMAL + """
                vet:
                  schedule: "*/30 * * * * ?"
                server:
                  listen: "[::1]:0"
                  token-file: api.token
                  metrics-token-file: metrics.token
                state:
                  dir: state/here
                history:
                  keep-successes: 3
                  keep-failures: 7
                  max-bytes: 10MiB
                """);

        assertThat(config.vet().schedule()).isEqualTo("*/30 * * * * ?");
        assertThat(config.vet().deadline()).isEqualTo(FarmvetConfig.DEFAULT_VET_DEADLINE);
        assertThat(config.server().host()).isEqualTo("::1");
        assertThat(config.server().port()).isZero();
        assertThat(config.server().listen()).isEqualTo("[::1]:0");
        assertThat(config.server().token().reveal()).isEqualTo("0123456789abcdef0123");
        assertThat(config.server().metricsToken().reveal()).isEqualTo("fedcba9876543210fedc");
        assertThat(config.state().dir()).isEqualTo(dir.resolve("state/here"));
        assertThat(config.history()).isEqualTo(new FarmvetConfig.History(3, 7, 10L << 20));
        // Neither the tokens nor anything else was worth a warning: loopback, chmod left to the test's umask.
        assertThat(logs.list).noneMatch(e -> e.getFormattedMessage().contains("server.listen"));
    }

    @Test
    void listeningBeyondLoopbackWarnsThatTokensTravelInClear() throws Exception {
        FarmvetConfig config = load(MINIMAL + "server:\n  listen: 0.0.0.0:8787\n");

        assertThat(config.server().host()).isEqualTo("0.0.0.0");
        assertThat(logs.list)
                .filteredOn(e -> e.getLevel() == Level.WARN)
                .extracting(ILoggingEvent::getFormattedMessage)
                .containsExactly("server.listen: 0.0.0.0:8787 is not a loopback address; the REST API is plain HTTP,"
                        + " so its tokens cross the network in clear unless a TLS proxy is in front");
    }

    @Test
    void hostNamesAndLoopbackForms() throws Exception {
        assertThat(load(MINIMAL + "server:\n  listen: localhost:9000\n")
                        .server()
                        .listen())
                .isEqualTo("localhost:9000");
        assertThat(load(MINIMAL + "server:\n  listen: 127.0.0.2:1\n").server().port())
                .isEqualTo(1);
        assertThat(logs.list).noneMatch(e -> e.getLevel() == Level.WARN);
    }

    @Test
    void withNodesKeepsEverythingElse() throws Exception {
        FarmvetConfig config = load(
                MINIMAL.replace("nodes:\n", "nodes:\n  - name: mirror-0\n    url: https://mirror-0.example.com\n"));

        FarmvetConfig narrowed = config.withNodes(config.nodes().subList(1, 2));

        assertThat(narrowed.nodes()).extracting(FarmvetConfig.Server::name).containsExactly("mirror-1");
        assertThat(narrowed.withNodes(config.nodes())).isEqualTo(config);
    }
}
