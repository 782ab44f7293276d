package io.farmvet.repair.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.farmvet.compare.Kind;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * {@code repair.audit-log}: an append-only JSON-lines record of every repair request farmvet made and of how each
 * ended, one object per line. A {@code sent} line is written before the request leaves (after its ledger row), and
 * an answer line after it, with the same {@code repairId}, so a request in flight at a crash or a stop still has its
 * line:
 *
 * <pre>
 * {"time":"2026-11-22T10:15:30.123Z","repairId":17,"node":"mirror-1","repoId":42,"projectId":7,
 *  "kinds":["content"],"request":"POST https://automation/resync?repo=42","outcome":"sent"}
 * {"time":"2026-11-22T10:15:30.187Z","repairId":17,"node":"mirror-1","repoId":42,"projectId":7,
 *  "kinds":["content"],"request":"POST https://automation/resync?repo=42","answer":"HTTP 202","outcome":"accepted"}
 * </pre>
 *
 * The outcomes are listed in {@link AuditRecord}; {@code detail} is added when the outcome needs a reason. Requests and answers arrive masked (see
 * {@link io.farmvet.repair.send.RepairRequest#summary}). The file is opened in append mode, never truncated; each
 * line goes out in one write and is flushed before {@link #append} returns, so a crash loses at most the line
 * being written. Dry runs write nothing. Thread-safe.
 */
public final class AuditLog implements AutoCloseable {
    /** The default file under {@code state.dir}. */
    public static final String DEFAULT_FILE_NAME = "repairs.jsonl";

    private static final JsonFactory JSON = new JsonFactory();

    private final Path file;
    private final OutputStream out;

    private AuditLog(Path file, OutputStream out) {
        this.file = file;
        this.out = out;
    }

    /** The default {@code repair.audit-log} for a {@code state.dir}. */
    public static Path defaultPath(Path stateDir) {
        return stateDir.resolve(DEFAULT_FILE_NAME);
    }

    /** Opens {@code file} for appending, creating it and its folder when missing. */
    public static AuditLog open(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        OutputStream out = Files.newOutputStream(
                file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        return new AuditLog(file, out);
    }

    public Path file() {
        return file;
    }

    /** Appends one line and flushes it. */
    public synchronized void append(AuditRecord record) {
        byte[] line = (line(record) + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            out.write(line);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "audit log " + file + ": cannot append a line of " + line.length + " bytes: " + e.getMessage(), e);
        }
    }

    static String line(AuditRecord record) {
        StringWriter text = new StringWriter();
        try (JsonGenerator json = JSON.createGenerator(text)) {
            json.writeStartObject();
            json.writeStringField("time", record.time().toString());
            json.writeNumberField("repairId", record.repairId());
            json.writeStringField("node", record.node());
            json.writeNumberField("repoId", record.repositoryId());
            json.writeNumberField("projectId", record.projectId());
            json.writeArrayFieldStart("kinds");
            for (Kind kind : record.kinds()) {
                json.writeString(kind.wireName());
            }
            json.writeEndArray();
            if (record.request() != null) {
                json.writeStringField("request", record.request());
            }
            if (record.answer() != null) {
                json.writeStringField("answer", record.answer());
            }
            json.writeStringField("outcome", record.outcome());
            if (record.detail() != null) {
                json.writeStringField("detail", record.detail());
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to a string cannot fail", e);
        }
        return text.toString();
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }

    @Override
    public String toString() {
        return "audit log " + file;
    }
}
