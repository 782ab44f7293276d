package io.farmvet.daemon;

import static io.farmvet.daemon.DaemonHarness.NEVER;
import static io.farmvet.daemon.DaemonHarness.TOKEN;
import static io.farmvet.daemon.DaemonHarness.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.farmvet.testing.FakeServer;
import io.farmvet.testing.Listings;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6: a {@code state.dir} that cannot be written. The vet still runs and its report is served, the error
 * says what is wrong with which folder, nothing is repaired (a request that cannot be recorded is never sent),
 * and the store written before is intact once the folder is writable again.
 */
class StateDirFaultTest {
    private static final String RESYNC = "/rest/farmvet/1/resync";
    private static final String REPAIRS = "repair:\n  mode: agent\n  settle: 0s\n";

    @TempDir
    Path dir;

    private final Listings farm = Listings.generated(300, 4);
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private FakeServer primary;
    private FakeServer node;

    @BeforeEach
    void servers() throws Exception {
        primary = FakeServer.start(FakeServer.json(farm.json()));
        closeables.add(primary);
        Listings drifted =
                farm.with(5, r -> new Listings.Repo(r.project(), 5, Listings.hash("stale", 5), r.metadata()));
        node = FakeServer.start(FakeServer.node(
                "SYNCHRONIZED",
                FakeServer.route(
                        RESYNC,
                        FakeServer.status(202, "Accepted", "{\"state\":\"queued\"}"),
                        FakeServer.json(drifted.json()))));
        closeables.add(node);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private DaemonHarness start() throws Exception {
        DaemonHarness d = new DaemonHarness(dir).config(primary.url(), NEVER, REPAIRS, "mirror-1=" + node.url());
        closeables.add(d);
        return d.start();
    }

    @Test
    void issue6_aReadOnlyStateDirIsNotReadyTheVetStillReportsAndTheStoreSurvives() throws Exception {
        DaemonHarness first = start();
        String before = first.trigger("{\"dryRun\": true}");
        first.awaitReport(before);
        first.stop();
        Path state = dir.resolve("state");

        ReadOnly readOnly = ReadOnly.make(state);
        assumeTrue(
                readOnly != null,
                "neither chmod (this process runs as root, which chmod does not stop) nor chattr +i (no"
                        + " CAP_LINUX_IMMUTABLE here) can make a folder read-only; "
                        + "aStateDirWhoseDatabaseIsAFolderIsAClearError covers the unusable store instead");
        JsonNode report;
        HttpResponse<String> ready;
        DaemonHarness d;
        try {
            d = start();
            ready = d.get("/-/ready", null);
            report = d.awaitReport(d.trigger(null));
            d.stop();
        } finally {
            readOnly.undo();
        }

        // H2 opened the unwritable file read-only without a word; before issue 6 /-/ready then said 200.
        assertThat(ready.statusCode())
                .as("made read-only with %s", readOnly.how)
                .isEqualTo(503);
        assertThat(ready.body())
                .startsWith("farmvet is not ready: store not open (state.dir " + state)
                .contains("the database is read-only");
        assertThat(report.get("status").asText()).isEqualTo("inconsistent");
        assertThat(report.get("nodes").get(0).get("inconsistencies")).hasSize(1);
        assertThat(report.get("repairError").asText())
                .startsWith("repairs are off for this vet: cannot open the repair state in " + state + " (state.dir)");
        assertThat(d.observer.historyWriteFailures.get()).isEqualTo(1);
        assertThat(resyncs()).isZero();

        // Writable again: the store opens, the earlier vet is still there and readable.
        DaemonHarness after = start();
        assertThat(after.get("/-/ready", null).statusCode()).isEqualTo(200);
        assertThat(json(after.get("/api/v1/vets", TOKEN)).get("vets"))
                .extracting(v -> v.get("id").asText())
                .contains(before);
        assertThat(after.awaitReport(before).get("status").asText()).isEqualTo("inconsistent");
    }

    /**
     * Works as root too, where chmod stops nothing: the database file's name is taken by a folder, so H2 cannot
     * create or open it. The vet still runs and reports from memory; repairs are off and say why.
     */
    @Test
    void aStateDirWhoseDatabaseIsAFolderIsAClearError() throws Exception {
        Files.createDirectories(dir.resolve("state").resolve("farmvet.mv.db"));

        DaemonHarness d = start();
        HttpResponse<String> ready = d.get("/-/ready", null);
        JsonNode report = d.awaitReport(d.trigger(null));

        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).startsWith("farmvet is not ready: store not open (state.dir " + dir.resolve("state"));
        assertThat(report.get("status").asText()).isEqualTo("inconsistent");
        assertThat(report.get("nodes").get(0).get("inconsistencies")).hasSize(1);
        assertThat(report.get("repairError").asText())
                .startsWith("repairs are off for this vet: cannot open the repair state in " + dir.resolve("state"));
        assertThat(d.observer.historyWriteFailures.get()).isEqualTo(1);
        assertThat(d.get("/api/v1/vets", TOKEN).statusCode()).isEqualTo(503);
        assertThat(resyncs()).isZero();
    }

    private long resyncs() {
        return node.requests().stream()
                .filter(r -> r.method().equals("POST") && r.path().equals(RESYNC))
                .count();
    }

    /** Makes a folder and everything in it unwritable, by chmod or, as root, by chattr +i; undone after. */
    private static final class ReadOnly {
        final String how;
        private final List<Path> paths;

        private ReadOnly(String how, List<Path> paths) {
            this.how = how;
            this.paths = paths;
        }

        static ReadOnly make(Path folder) throws Exception {
            List<Path> paths;
            try (Stream<Path> walk = Files.walk(folder)) {
                paths = walk.toList();
            }
            for (Path p : paths) {
                Files.setPosixFilePermissions(
                        p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "r-xr-xr-x" : "r--r--r--"));
            }
            if (!Files.isWritable(folder)) {
                return new ReadOnly("chmod", paths);
            }
            ReadOnly chattr = new ReadOnly("chattr +i", paths);
            for (Path p : paths) {
                if (!run("chattr", "+i", p.toString())) {
                    chattr.undo();
                    return null;
                }
            }
            return Files.isWritable(folder) ? null : chattr;
        }

        void undo() throws Exception {
            for (Path p : paths) {
                if (how.equals("chattr +i")) {
                    run("chattr", "-i", p.toString());
                }
                Files.setPosixFilePermissions(
                        p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }

        private static boolean run(String... command) throws InterruptedException {
            try {
                Process process =
                        new ProcessBuilder(command).redirectErrorStream(true).start();
                process.getInputStream().readAllBytes();
                return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
            } catch (IOException e) {
                return false;
            }
        }
    }
}
