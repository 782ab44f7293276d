package io.farmvet.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code farmvet bench confirm}, small and untimed: both ways of the second look run through the real vet against
 * the served farm, and each is the way it claims (issue 17's "Confirm cost" figure).
 */
class ConfirmBenchTest {
    @TempDir
    Path dir;

    @Test
    void bothWaysOfTheSecondLookAreMeasuredAndPerRepositoryReadsLess() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int exit = new ConfirmBench(
                        new ConfirmBench.Settings(2_000, 10, 0.01, 1, dir, false),
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8))
                .run();

        String report = out.toString(StandardCharsets.UTF_8);
        assertThat(exit).isZero();
        // 1% of 2000, less the share a node with extra repositories would have had: 16 to confirm, 2 requests each.
        assertThat(report)
                .containsPattern("one node drifting on 1.00% of them \\((\\d+) drifted, no extra ones\\)")
                .containsPattern("\\| per repository \\| \\d+ \\| [0-9.]+ (B|KB) \\|")
                .containsPattern("\\| whole listings \\| 2 \\| [0-9.]+ (KB|MB) \\|")
                .containsPattern("whole listings / per repository, bytes: \\d+×")
                .contains("listings reason as reported: ");
    }
}
