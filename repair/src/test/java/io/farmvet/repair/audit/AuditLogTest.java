package io.farmvet.repair.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.farmvet.compare.Kind;
import io.farmvet.repair.testing.AuditLines;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditLogTest {
    @TempDir
    Path dir;

    @Test
    void linesAreAppendedAcrossReopensAndParseBack() throws IOException {
        Path file = AuditLog.defaultPath(dir.resolve("state"));
        Instant t = Instant.parse("2026-11-22T10:00:00.123Z");
        try (AuditLog log = AuditLog.open(file)) {
            log.append(new AuditRecord(
                    t,
                    17,
                    "mirror \"1\"",
                    42,
                    7,
                    EnumSet.of(Kind.CONTENT, Kind.METADATA),
                    "POST http://a/x",
                    "HTTP 202",
                    "accepted",
                    null));
        }
        try (AuditLog log = AuditLog.open(file)) {
            log.append(new AuditRecord(
                    t, 18, "m2", 43, 8, EnumSet.of(Kind.MISSING), null, null, "repaired", "repaired 60 s after"));
        }

        List<Map<String, Object>> lines = AuditLines.parse(file);

        assertThat(file.getFileName().toString()).isEqualTo("repairs.jsonl");
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0))
                .containsEntry("time", "2026-11-22T10:00:00.123Z")
                .containsEntry("repairId", 17L)
                .containsEntry("node", "mirror \"1\"")
                .containsEntry("repoId", 42L)
                .containsEntry("projectId", 7L)
                .containsEntry("kinds", List.of("content", "metadata"))
                .containsEntry("request", "POST http://a/x")
                .containsEntry("answer", "HTTP 202")
                .containsEntry("outcome", "accepted")
                .doesNotContainKey("detail");
        assertThat(lines.get(1))
                .containsEntry("outcome", "repaired")
                .containsEntry("detail", "repaired 60 s after")
                .doesNotContainKeys("request", "answer");
    }

    @Test
    void eachLineIsOnDiskWhenAppendReturns() throws IOException {
        Path file = dir.resolve("audit.jsonl");
        try (AuditLog log = AuditLog.open(file)) {
            log.append(new AuditRecord(
                    Instant.EPOCH, 1, "n", 1, 1, EnumSet.of(Kind.EXTRA), "POST x", "HTTP 500", "failed", "d"));

            // Read through another handle while the log is still open.
            assertThat(Files.readAllLines(file)).hasSize(1);
        }
    }
}
