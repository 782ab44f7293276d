package io.farmvet.repair.testing;

import io.farmvet.compare.PrimaryTable;
import io.farmvet.listing.EntryRejectedException;
import io.farmvet.listing.ListingEntry;

/** Primary tables for tests: {@code primary(row(project, repo, content, metadata), ...)}. */
public final class Tables {
    private Tables() {}

    public record Row(long projectId, long repositoryId, String content, String metadata) {}

    public static Row row(long projectId, long repositoryId, String content, String metadata) {
        return new Row(projectId, repositoryId, content, metadata);
    }

    public static PrimaryTable primary(Row... rows) {
        PrimaryTable table = new PrimaryTable();
        ListingEntry entry = new ListingEntry();
        try {
            for (Row row : rows) {
                table.repository(entry.set(row.projectId(), row.repositoryId(), row.content(), row.metadata()));
            }
            table.seal();
        } catch (EntryRejectedException e) {
            throw new IllegalArgumentException(e);
        }
        return table;
    }

    /** {@code count} repositories 1..count in project 1, all with the same hashes. */
    public static PrimaryTable primaryOf(int count) {
        Row[] rows = new Row[count];
        for (int i = 0; i < count; i++) {
            rows[i] = row(1, i + 1, "a".repeat(64), "1".repeat(64));
        }
        return primary(rows);
    }
}
