package io.farmvet.listing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.farmvet.listing.RecordingHandler.Project;
import io.farmvet.listing.RecordingHandler.Repo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ListingWriterTest {
    private final ListingReader reader = new ListingReader(ListingLimits.DEFAULTS);

    @Test
    void writesTheBitbucketShape() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ListingWriter writer = new ListingWriter(out, ListingKind.FULL)) {
            writer.startProject(1, false, null);
            writer.repository(1, null, "082A", "b8fa");
            writer.repository(2, "repo-b", new HashValue().setHex("0000"), new HashValue().setHex("e80a"));
            writer.endProject();
            writer.startProject(2, true, "PRJ");
            writer.endProject();
        }
        assertThat(out.toString(StandardCharsets.UTF_8))
                .isEqualTo("{\"projects\":[{\"id\":1,\"public\":false,\"repositories\":["
                        + "{\"id\":1,\"hashes\":{\"content\":\"082a\",\"metadata\":\"b8fa\"}},"
                        + "{\"id\":2,\"slug\":\"repo-b\",\"hashes\":{\"content\":\"0000\",\"metadata\":\"e80a\"}}]},"
                        + "{\"id\":2,\"public\":true,\"key\":\"PRJ\",\"repositories\":[]}]}");
    }

    @ParameterizedTest
    @EnumSource(ListingKind.class)
    void writesOnlyTheHashesTheKindCarries(ListingKind kind) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ListingWriter writer = new ListingWriter(out, kind)) {
            writer.startProject(1, false, null);
            writer.repository(
                    1, null, kind.carriesContent() ? "aa" : null, kind.carriesMetadata() ? "bb" : "not hex, ignored");
            writer.endProject();
        }
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(text.contains("\"content\":\"aa\"")).isEqualTo(kind.carriesContent());
        assertThat(text.contains("\"metadata\":\"bb\"")).isEqualTo(kind.carriesMetadata());
        assertThat(text).doesNotContain("ignored");
    }

    @Test
    void writesAnEmptyListing() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new ListingWriter(out, ListingKind.FULL).close();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("{\"projects\":[]}");
    }

    /** Whatever the writer writes, the reader reads back, for every kind, whole and one byte at a time. */
    @ParameterizedTest
    @EnumSource(ListingKind.class)
    void roundTrips(ListingKind kind) throws IOException {
        SplittableRandom random = new SplittableRandom(7);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Object> expected = new ArrayList<>();
        try (ListingWriter writer = new ListingWriter(out, kind)) {
            for (long p = 0; p < 20; p++) {
                boolean isPublic = random.nextBoolean();
                writer.startProject(p * 3, isPublic, p % 2 == 0 ? "KEY" + p : null);
                int count = random.nextInt(6);
                for (int r = 0; r < count; r++) {
                    long id = random.nextLong(Long.MAX_VALUE);
                    String content = ListingReaderTest.hex(random, 1 + random.nextInt(HashValue.MAX_HEX_LENGTH));
                    String metadata = ListingReaderTest.hex(random, 64);
                    writer.repository(id, r % 3 == 0 ? null : "slug-" + r, content.toUpperCase(), metadata);
                    expected.add(new Repo(
                            p * 3,
                            id,
                            kind.carriesContent() ? content : null,
                            kind.carriesMetadata() ? metadata : null));
                }
                writer.endProject();
                expected.add(new Project(p * 3, isPublic));
            }
        }
        for (Delivery delivery : Delivery.values()) {
            RecordingHandler handler = new RecordingHandler();
            ListingSummary summary = reader.read(delivery.open(out.toByteArray()), "writer", kind, handler);

            assertThat(handler.events).containsExactlyElementsOf(expected);
            assertThat(summary.bytes()).isEqualTo(out.size());
        }
    }

    @Test
    void flushesButDoesNotCloseTheStream() throws IOException {
        boolean[] closed = {false};
        int[] flushes = {0};
        ByteArrayOutputStream out = new ByteArrayOutputStream() {
            @Override
            public void flush() {
                flushes[0]++;
            }

            @Override
            public void close() {
                closed[0] = true;
            }
        };
        ListingWriter writer = new ListingWriter(out, ListingKind.CONTENT);
        writer.startProject(1, false, null);
        writer.endProject();
        writer.close();
        writer.close();

        assertThat(closed[0]).isFalse();
        assertThat(flushes[0]).isPositive();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .isEqualTo("{\"projects\":[{\"id\":1,\"public\":false,\"repositories\":[]}]}");
    }

    @Test
    void refusesCallsOutOfOrder() throws IOException {
        ListingWriter writer = new ListingWriter(new ByteArrayOutputStream(), ListingKind.FULL);
        assertThatThrownBy(() -> writer.repository(5, null, "aa", "bb"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("repository 5 written outside a project: call startProject() first");
        assertThatThrownBy(writer::endProject)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("endProject() without an open project: call startProject() first");

        writer.startProject(1, false, null);
        assertThatThrownBy(() -> writer.startProject(2, false, null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("project 1 is still open: call endProject() before starting project 2");
        assertThatThrownBy(writer::close)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("close() with project 1 still open: call endProject()");

        writer.endProject();
        writer.close();
        assertThatThrownBy(() -> writer.startProject(3, false, null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("startProject() after close(): the listing is already finished");
    }

    @Test
    void refusesBadEntries() throws IOException {
        ListingWriter writer = new ListingWriter(new ByteArrayOutputStream(), ListingKind.FULL);
        assertThatThrownBy(() -> writer.startProject(-1, false, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("project id -1 is negative");
        writer.startProject(1, false, null);
        assertThatThrownBy(() -> writer.repository(7, null, "aa", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("repository 7: a FULL listing needs a metadata hash, got null");
        assertThatThrownBy(() -> writer.repository(7, null, "xyz", "bb"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("repository 7: content hash \"xyz\" is not hex");
        assertThatThrownBy(() -> writer.repository(7, null, new HashValue(), new HashValue().setHex("bb")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("repository 7: a FULL listing needs a content hash, got none");
    }
}
