package io.farmvet.report;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.farmvet.compare.Inconsistency;
import io.farmvet.compare.Kind;
import io.farmvet.explain.NodeSync;
import io.farmvet.explain.RefDiff;
import io.farmvet.explain.RefsFound;
import io.farmvet.explain.RepositoryRefs;
import io.farmvet.explain.RepositorySync;
import io.farmvet.explain.SyncDiagnostics;
import io.farmvet.names.RepositoryNames;
import io.farmvet.repair.RepairEntry;
import io.farmvet.vet.SecondLook;
import io.farmvet.vet.VetReport;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.function.LongFunction;

/**
 * Writes a {@link VetReport} as the one JSON document of {@code farmvet vet --json} and, with the run's {@code id}
 * first, of the REST API's {@code GET /api/v1/vets/{id}} ({@link #writeRun}):
 *
 * <pre>{"id" (the API only), "farm", "status", "startedAt", "durationMs", "primary": {"url", "repositories", "bytes", "durationMs",
 * "error", "clockSkewMs", "notes": [...]}, "nodes": [{"name", "url", "status", "state", "error", "repositories",
 * "bytes", "durationMs", "clockSkewMs", "refChangesQueue", "notes": [...],
 * "inconsistencies": [{"repoId", "projectId", "projectKey", "slug", "kinds": [...], "sync", "refs", "refsOmitted"}],
 * "repairs": [{"repoId", "projectKey", "slug", "kinds": [...], "outcome", "detail", "sync"}],
 * "confirm": {"way", "reason", "bytes", "requests"}}], "repairError",
 * "unvettedMembers": [{"name", "address", "listedBy": [...]}], "unlistedNodes": [...], "memberNotes": [...],
 * "refsNotes": [...]}</pre>
 *
 * {@code "sync"} is there only for a repository that has a {@link SyncEvent} or a {@link RepositorySync}: {@code
 * {"lastEventAt", "syncType", "eventId"}}, the last {@code mirror:repo_synchronized} webhook the daemon received
 * for it, and {@code {"lastSyncDate", "initialSyncDate", "failedSyncCount", "status", "bitbucketDelayed"}}, what
 * the node said of it (issue 12 section 3; each null when the node did not say). A node's {@code
 * "refChangesQueue"} is the farm's pending sync requests it reported, and its {@code "notes"} what its listing
 * could not judge and what its sync diagnostics could not do. {@code unvettedMembers} and {@code unlistedNodes} are null when no node gave its
 * farm's member list. {@code "refs": [{"ref", "primary", "node"}]} (object ids, null where the ref is absent on
 * that side; at most {@value RepositoryRefs#MAX_LISTED}) and {@code "refsOmitted"} are there only for a {@code
 * content} inconsistency the explain step listed; {@code refsNotes} says what it could not ask. {@code "confirm"}
 * is there only for a node whose drift was looked at again before a repair: {@code "way"} is {@code per-repository}
 * or {@code listings}, {@code "reason"} says why the listings (else null), {@code "bytes"} and {@code "requests"}
 * what that second look fetched ({@link io.farmvet.vet.SecondLook}).
 *
 * Streamed with a generator, so a report with a million inconsistencies is not built twice in memory.
 */
public final class JsonReport {
    private static final JsonFactory FACTORY = JsonFactory.builder().build();

    private JsonReport() {}

    /** Writes the report, pretty-printed, followed by a newline; {@code out} is flushed, not closed. */
    public static void write(VetReport report, OutputStream out) throws IOException {
        write(null, report.startedAt(), report, out);
    }

    /**
     * Writes the report of the daemon's run {@code id} as {@link #write} does, with {@code id} as its first field
     * and {@code startedAt} the run's: the one the run history lists and {@code GET /api/v1/vets/{id}} answers
     * while the vet runs. The vet reads the clock again when it begins, after the hand-off to the vet thread
     * and the fetcher's set-up, and that second reading made the report and the list disagree (issue 11).
     */
    public static void writeRun(String id, Instant startedAt, VetReport report, OutputStream out) throws IOException {
        writeRun(id, startedAt, report, repoId -> null, out);
    }

    /** As {@link #writeRun(String, Instant, VetReport, OutputStream)}, with each repository's sync event, if any. */
    public static void writeRun(
            String id, Instant startedAt, VetReport report, LongFunction<SyncEvent> sync, OutputStream out)
            throws IOException {
        write(java.util.Objects.requireNonNull(id, "id"), startedAt, report, sync, out);
    }

    /** As {@link #write(VetReport, OutputStream)}, with each repository's last webhook sync event, if any. */
    public static void write(VetReport report, LongFunction<SyncEvent> sync, OutputStream out) throws IOException {
        write(null, report.startedAt(), report, sync, out);
    }

    private static void write(String id, Instant startedAt, VetReport report, OutputStream out) throws IOException {
        write(id, startedAt, report, repoId -> null, out);
    }

    private static void write(
            String id, Instant startedAt, VetReport report, LongFunction<SyncEvent> sync, OutputStream out)
            throws IOException {
        try (JsonGenerator json = FACTORY.createGenerator(out)) {
            json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            json.useDefaultPrettyPrinter();
            json.writeStartObject();
            if (id != null) {
                json.writeStringField("id", id);
            }
            json.writeStringField("farm", report.farm());
            json.writeStringField("status", report.status().wireName());
            json.writeStringField("startedAt", startedAt.toString());
            json.writeNumberField("durationMs", report.durationMs());
            VetReport.PrimaryResult primary = report.primary();
            json.writeObjectFieldStart("primary");
            json.writeStringField("url", primary.url());
            writeNullableNumber(json, "repositories", primary.repositories());
            json.writeNumberField("bytes", primary.bytes());
            json.writeNumberField("durationMs", primary.durationMs());
            json.writeStringField("error", primary.error());
            writeNullableNumber(json, "clockSkewMs", primary.clockSkewMs());
            json.writeArrayFieldStart("notes");
            for (String note : primary.notes()) {
                json.writeString(note);
            }
            json.writeEndArray();
            json.writeEndObject();
            json.writeArrayFieldStart("nodes");
            for (VetReport.NodeResult node : report.nodes()) {
                writeNode(json, node, report.names(), sync, report.sync(), report.refs());
            }
            json.writeEndArray();
            json.writeStringField("repairError", report.repairError());
            FarmMembershipJson.write(json, report.members());
            writeStrings(json, "refsNotes", report.refs().notes());
            json.writeEndObject();
        }
        out.write('\n');
        out.flush();
    }

    private static void writeNode(
            JsonGenerator json,
            VetReport.NodeResult node,
            RepositoryNames names,
            LongFunction<SyncEvent> sync,
            SyncDiagnostics diagnostics,
            RefsFound refs)
            throws IOException {
        json.writeStartObject();
        json.writeStringField("name", node.name());
        json.writeStringField("url", node.url());
        json.writeStringField("status", node.status().wireName());
        json.writeStringField("state", node.state());
        json.writeStringField("error", node.error());
        writeNullableNumber(json, "repositories", node.repositories());
        json.writeNumberField("bytes", node.bytes());
        json.writeNumberField("durationMs", node.durationMs());
        writeNullableNumber(json, "clockSkewMs", node.clockSkewMs());
        NodeSync diagnosed = diagnostics.node(node.name());
        writeNullableNumber(json, "refChangesQueue", diagnosed.refChangesQueue());
        json.writeArrayFieldStart("notes");
        for (String note : node.notes()) {
            json.writeString(note);
        }
        for (String note : diagnosed.notes()) {
            json.writeString(note);
        }
        json.writeEndArray();
        json.writeArrayFieldStart("inconsistencies");
        for (Inconsistency inconsistency : node.inconsistencies()) {
            json.writeStartObject();
            json.writeNumberField("repoId", inconsistency.repositoryId());
            json.writeNumberField("projectId", inconsistency.projectId());
            writeName(json, names.name(inconsistency.repositoryId()));
            writeKinds(json, inconsistency.kinds());
            writeSync(
                    json, sync.apply(inconsistency.repositoryId()), diagnosed.repository(inconsistency.repositoryId()));
            writeRefs(json, refs.of(node.name(), inconsistency.repositoryId()));
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeArrayFieldStart("repairs");
        for (RepairEntry repair : node.repairs()) {
            json.writeStartObject();
            json.writeNumberField("repoId", repair.repoId());
            writeName(json, names.name(repair.repoId()));
            writeKinds(json, repair.kinds());
            json.writeStringField("outcome", repair.outcome().wireName());
            json.writeStringField("detail", repair.detail());
            writeSync(json, sync.apply(repair.repoId()), diagnosed.repository(repair.repoId()));
            json.writeEndObject();
        }
        json.writeEndArray();
        writeSecondLook(json, node.secondLook());
        json.writeEndObject();
    }

    private static void writeSecondLook(JsonGenerator json, SecondLook look) throws IOException {
        if (look == null) {
            return;
        }
        json.writeObjectFieldStart("confirm");
        json.writeStringField("way", look.way().wireName());
        json.writeStringField("reason", look.reason());
        json.writeNumberField("bytes", look.bytes());
        json.writeNumberField("requests", look.requests());
        json.writeEndObject();
    }

    /** {@code "projectKey"} and {@code "slug"}, null when the name is not known (issue 12). */
    private static void writeName(JsonGenerator json, RepositoryNames.Name name) throws IOException {
        json.writeStringField("projectKey", name == null ? null : name.projectKey());
        json.writeStringField("slug", name == null ? null : name.slug());
    }

    /** {@code "refs": [{"ref", "primary", "node"}]} and {@code "refsOmitted"}, for an explained repository only. */
    private static void writeRefs(JsonGenerator json, RepositoryRefs refs) throws IOException {
        if (refs == null) {
            return;
        }
        json.writeArrayFieldStart("refs");
        for (RefDiff diff : refs.refs()) {
            json.writeStartObject();
            json.writeStringField("ref", diff.ref());
            json.writeStringField("primary", diff.primary());
            json.writeStringField("node", diff.node());
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeNumberField("refsOmitted", refs.omitted());
    }

    private static void writeStrings(JsonGenerator json, String field, java.util.List<String> values)
            throws IOException {
        json.writeArrayFieldStart(field);
        for (String value : values) {
            json.writeString(value);
        }
        json.writeEndArray();
    }

    /** One {@code "sync"} object: the webhook's last event and the node's own account, each where there is one. */
    private static void writeSync(JsonGenerator json, SyncEvent event, RepositorySync node) throws IOException {
        if (event == null && node == null) {
            return;
        }
        json.writeObjectFieldStart("sync");
        if (event != null) {
            json.writeStringField("lastEventAt", event.receivedAt().toString());
            json.writeStringField("syncType", event.syncType());
            json.writeStringField("eventId", event.eventId());
        }
        if (node != null) {
            json.writeStringField(
                    "lastSyncDate",
                    node.lastSyncDate() == null ? null : node.lastSyncDate().toString());
            json.writeStringField(
                    "initialSyncDate",
                    node.initialSyncDate() == null
                            ? null
                            : node.initialSyncDate().toString());
            if (node.failedSyncCount() == null) {
                json.writeNullField("failedSyncCount");
            } else {
                json.writeNumberField("failedSyncCount", node.failedSyncCount());
            }
            json.writeStringField("status", node.status());
            json.writeBooleanField("bitbucketDelayed", node.bitbucketDelayed());
        }
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
