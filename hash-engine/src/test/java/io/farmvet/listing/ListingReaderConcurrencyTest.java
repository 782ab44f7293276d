package io.farmvet.listing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** One reader serves many threads at once, as the daemon reads every node in parallel. */
class ListingReaderConcurrencyTest {
    private static final int THREADS = 4;
    private static final int READS_PER_THREAD = 25;

    @Test
    void sharesOneReaderBetweenThreads() throws Exception {
        ListingReader reader = new ListingReader(ListingLimits.DEFAULTS);
        List<byte[]> documents = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            documents.add(listing(t, 500 + t));
        }
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<Long>> sums = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                byte[] doc = documents.get(t);
                Delivery delivery = t % 2 == 0 ? Delivery.WHOLE : Delivery.ONE_BYTE;
                sums.add(pool.submit(() -> {
                    long total = 0;
                    for (int i = 0; i < READS_PER_THREAD; i++) {
                        long[] sum = {0};
                        reader.read(
                                delivery.open(doc),
                                "node",
                                ListingKind.FULL,
                                entry -> sum[0] += entry.repositoryId() * 31 + entry.projectId());
                        total += sum[0];
                    }
                    return total;
                }));
            }
            for (int t = 0; t < THREADS; t++) {
                long expected = 0;
                for (long id = 0; id < 500 + t; id++) {
                    expected += id * 31 + t;
                }
                assertThat(sums.get(t).get()).isEqualTo(expected * READS_PER_THREAD);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static byte[] listing(long projectId, int repositories) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ListingWriter writer = new ListingWriter(out, ListingKind.FULL)) {
            writer.startProject(projectId, false, null);
            for (long id = 0; id < repositories; id++) {
                writer.repository(id, null, Long.toHexString(id + 1), Long.toHexString(id * 7 + 1));
            }
            writer.endProject();
        }
        return out.toByteArray();
    }
}
