package io.farmvet.report;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.farmvet.compare.Inconsistency;
import io.farmvet.compare.Kind;
import io.farmvet.repair.RepairEntry;
import io.farmvet.vet.VetReport;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes a {@link VetReport} as the one JSON document of {@code farmvet vet --json} (and later of the REST API):
 *
 * <pre>{"farm", "status", "startedAt", "durationMs", "primary": {"url", "repositories", "bytes", "durationMs",
 * "error"}, "nodes": [{"name", "url", "status", "state", "error", "repositories", "bytes", "durationMs",
 * "inconsistencies": [{"repoId", "projectId", "kinds": [...]}],
 * "repairs": [{"repoId", "kinds": [...], "outcome", "detail"}]}], "repairError"}</pre>
 *
 * Streamed with a generator, so a report with a million inconsistencies is not built twice in memory.
 */
public final class JsonReport {
    private static final JsonFactory FACTORY = JsonFactory.builder().build();

    private JsonReport() {}

    /** Writes the report, pretty-printed, followed by a newline; {@code out} is flushed, not closed. */
    public static void write(VetReport report, OutputStream out) throws IOException {
        try (JsonGenerator json = FACTORY.createGenerator(out)) {
            json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            json.useDefaultPrettyPrinter();
            json.writeStartObject();
            json.writeStringField("farm", report.farm());
            json.writeStringField("status", report.status().wireName());
            json.writeStringField("startedAt", report.startedAt().toString());
            json.writeNumberField("durationMs", report.durationMs());
            VetReport.PrimaryResult primary = report.primary();
            json.writeObjectFieldStart("primary");
            json.writeStringField("url", primary.url());
            writeNullableNumber(json, "repositories", primary.repositories());
            json.writeNumberField("bytes", primary.bytes());
            json.writeNumberField("durationMs", primary.durationMs());
            json.writeStringField("error", primary.error());
            json.writeEndObject();
            json.writeArrayFieldStart("nodes");
            for (VetReport.NodeResult node : report.nodes()) {
                writeNode(json, node);
            }
            json.writeEndArray();
            json.writeStringField("repairError", report.repairError());
            json.writeEndObject();
        }
        out.write('\n');
        out.flush();
    }

    private static void writeNode(JsonGenerator json, VetReport.NodeResult node) throws IOException {
        json.writeStartObject();
        json.writeStringField("name", node.name());
        json.writeStringField("url", node.url());
        json.writeStringField("status", node.status().wireName());
        json.writeStringField("state", node.state());
        json.writeStringField("error", node.error());
        writeNullableNumber(json, "repositories", node.repositories());
        json.writeNumberField("bytes", node.bytes());
        json.writeNumberField("durationMs", node.durationMs());
        json.writeArrayFieldStart("inconsistencies");
        for (Inconsistency inconsistency : node.inconsistencies()) {
            json.writeStartObject();
            json.writeNumberField("repoId", inconsistency.repositoryId());
            json.writeNumberField("projectId", inconsistency.projectId());
            writeKinds(json, inconsistency.kinds());
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeArrayFieldStart("repairs");
        for (RepairEntry repair : node.repairs()) {
            json.writeStartObject();
            json.writeNumberField("repoId", repair.repoId());
            writeKinds(json, repair.kinds());
            json.writeStringField("outcome", repair.outcome().wireName());
            json.writeStringField("detail", repair.detail());
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeEndObject();
    }

    private static void writeKinds(JsonGenerator json, java.util.Set<Kind> kinds) throws IOException {
        json.writeArrayFieldStart("kinds");
        for (Kind kind : kinds) {
            json.writeString(kind.wireName());
        }
        json.writeEndArray();
    }

    private static void writeNullableNumber(JsonGenerator json, String field, Long value) throws IOException {
        if (value == null) {
            json.writeNullField(field);
        } else {
            json.writeNumberField(field, value);
        }
    }
}
