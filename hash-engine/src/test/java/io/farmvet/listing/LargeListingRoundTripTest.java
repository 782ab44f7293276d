package io.farmvet.listing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** 200,000 repositories written and read through a pipe at the same time: counts and checksums, no timing. */
class LargeListingRoundTripTest {
    private static final int PROJECTS = 2_000;
    private static final int REPOSITORIES_PER_PROJECT = 100;
    private static final long SEED = 0x5eed;

    /** Polynomial hash over each entry's ids and first content byte, in order: a lost, moved or altered entry shows. */
    private static long mix(long checksum, long projectId, long id, int firstByte) {
        return checksum * 1_000_003 + projectId * 31 + id * 17 + firstByte;
    }

    @Test
    void streamsTwoHundredThousandRepositories() throws Exception {
        PipedInputStream in = new PipedInputStream(64 << 10);
        PipedOutputStream pipe = new PipedOutputStream(in);

        CompletableFuture<Long> written = CompletableFuture.supplyAsync(() -> {
            try (OutputStream out = new BufferedOutputStream(pipe)) {
                return write(out);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });

        long[] checksum = {0};
        byte[] first = new byte[HashValue.MAX_HEX_LENGTH / 2];
        ListingSummary summary = new ListingReader(ListingLimits.DEFAULTS).read(in, "pipe", ListingKind.FULL, entry -> {
            entry.content().copyTo(first, 0);
            checksum[0] = mix(checksum[0], entry.projectId(), entry.repositoryId(), first[0] & 0xff);
            assertThat(entry.metadata().hexLength()).isEqualTo(64);
        });

        assertThat(summary.projects()).isEqualTo(PROJECTS);
        assertThat(summary.repositories()).isEqualTo((long) PROJECTS * REPOSITORIES_PER_PROJECT);
        assertThat(checksum[0]).isEqualTo(written.get());
        assertThat(summary.bytes()).isGreaterThan(200_000L * 100);
    }

    private static long write(OutputStream out) {
        SplittableRandom random = new SplittableRandom(SEED);
        long checksum = 0;
        long id = 0;
        try (ListingWriter writer = new ListingWriter(out, ListingKind.FULL)) {
            for (long p = 0; p < PROJECTS; p++) {
                writer.startProject(p, p % 5 == 0, "P" + p);
                for (int r = 0; r < REPOSITORIES_PER_PROJECT; r++) {
                    id += 1 + random.nextInt(3);
                    String content = ListingReaderTest.hex(random, 64);
                    writer.repository(id, "repo-" + id, content, ListingReaderTest.hex(random, 64));
                    checksum = mix(checksum, p, id, Integer.parseInt(content.substring(0, 2), 16));
                }
                writer.endProject();
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return checksum;
    }

    @Test
    void failsWhenTheWriterDiesMidStream() throws InterruptedException, IOException {
        PipedInputStream in = new PipedInputStream();
        // Connected before the writer starts, or the reader may find the pipe not yet connected.
        PipedOutputStream connected = new PipedOutputStream(in);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try (PipedOutputStream out = connected) {
                out.write("{\"projects\":[{\"id\":1,\"repositories\":[".getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        Throwable thrown = catchThrowable(
                () -> new ListingReader(ListingLimits.DEFAULTS).read(in, "pipe", ListingKind.FULL, entry -> {}));
        try {
            writer.get();
        } catch (ExecutionException e) {
            throw new AssertionError(e);
        }
        assertThat(thrown).isInstanceOf(ListingFormatException.class).hasMessageContaining("Unexpected end-of-input");
    }
}
