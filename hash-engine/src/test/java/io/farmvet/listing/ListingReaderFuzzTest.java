package io.farmvet.listing;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 6: whatever bytes a server sends, {@link ListingReader#read} ends in a summary or a typed error
 * ({@link ListingFormatException}, or an {@link IOException} from the stream), never a hang, an
 * {@link OutOfMemoryError} or another unchecked exception, for all three listing kinds; and it ends the same way
 * whether the bytes arrive at once or one at a time.
 *
 * <p>In {@code ./mvnw verify} the Jazzer test runs over its seed corpus only ({@code
 * ListingReaderFuzzTestInputs/}) and {@link #seededMutationsEndInAResultOrATypedError} runs a fixed number of
 * seeded random mutations of the same seeds. A longer, coverage-guided run is local:
 * {@code JAZZER_FUZZ=1 ./mvnw -pl hash-engine test -Dtest=ListingReaderFuzzTest#anyBytesEndInAResultOrATypedError}
 * (it stops after {@code maxDuration}; findings land in {@code src/test/resources/...Inputs/}).
 */
class ListingReaderFuzzTest {
    /** Small limits, so that no input can make the reader hold much: 64 KiB documents, 1 KiB strings, depth 8. */
    private static final ListingLimits SMALL = new ListingLimits(64 << 10, 1 << 10, 8);

    private static final ListingReader READER = new ListingReader(SMALL);

    /** Mutated inputs per CI run: a few seconds on two cores. */
    private static final int MUTATIONS = 4_000;

    @FuzzTest(maxDuration = "5m")
    void anyBytesEndInAResultOrATypedError(byte[] input) {
        check(input);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS) // a guard against a hang, far above the few seconds it takes
    void seededMutationsEndInAResultOrATypedError() throws Exception {
        List<byte[]> seeds = seeds();
        assertThat(seeds).hasSizeGreaterThan(5);
        SplittableRandom random = new SplittableRandom(6);
        for (int i = 0; i < MUTATIONS; i++) {
            byte[] input = Mutations.mutate(seeds, random);
            try {
                check(input);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("mutation " + i + " failed: " + new String(input, "ISO-8859-1"), e);
            }
        }
    }

    /**
     * Jazzer's first finding: bytes that start with zeros make Jackson read the document as UTF-32, whose
     * decoder reports a bad character as a {@code CharConversionException}, an {@link IOException} that is not a
     * stream failure. It escaped the reader untyped, so a fetch reported a malformed document as a broken
     * connection ("reading the listing failed").
     */
    @Test
    void issue6_textThatIsNotUnicodeIsAFormatErrorNotAStreamFailure() {
        byte[] utf32 = "\u0000\u0000\u0000{\"projects\":[]}".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);

        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(
                () -> READER.read(new ByteArrayInputStream(utf32), "mirror-1", ListingKind.FULL, entry -> {}));

        assertThat(thrown)
                .isInstanceOf(ListingFormatException.class)
                .hasMessageStartingWith(
                        "mirror-1: malformed repo-hashes listing: not UTF-8 JSON text: Invalid UTF-32" + " character")
                .hasCauseInstanceOf(java.io.CharConversionException.class);
    }

    /** Reads {@code input} as every kind, whole and one byte at a time, and checks how each read ended. */
    static void check(byte[] input) {
        for (ListingKind kind : ListingKind.values()) {
            Outcome whole = read(new ByteArrayInputStream(input), kind);
            Outcome trickled = read(new OneByteInputStream(new ByteArrayInputStream(input)), kind);
            assertThat(trickled).as("%s, one byte at a time vs whole", kind).isEqualTo(whole);
        }
    }

    /** How a read ended: the summary and entries on success, or the kind of typed error. */
    private record Outcome(ListingSummary summary, List<String> entries, String failure) {}

    private static Outcome read(InputStream in, ListingKind kind) {
        List<String> entries = new ArrayList<>();
        ListingHandler handler = entry -> {
            assertThat(entry.repositoryId()).isNotNegative();
            assertThat(entry.projectId()).isNotNegative();
            // A hash the kind does not carry is checked but never shown.
            if (!kind.carriesContent()) {
                assertThat(entry.content().present()).isFalse();
            }
            if (!kind.carriesMetadata()) {
                assertThat(entry.metadata().present()).isFalse();
            }
            entries.add(entry.toString());
        };
        try {
            ListingSummary summary = READER.read(in, "fuzz", kind, handler);
            assertThat(summary.repositories()).isEqualTo(entries.size());
            assertThat(summary.bytes()).isNotNegative().isLessThanOrEqualTo(SMALL.maxDocumentBytes());
            return new Outcome(summary, List.copyOf(entries), null);
        } catch (ListingFormatException e) {
            assertThat(e.getMessage()).startsWith("fuzz: ").doesNotContain("\n");
            return new Outcome(null, List.of(), ListingFormatException.class.getSimpleName());
        } catch (IOException e) {
            // Only the stream could raise one, and a byte array never does: anything else is a reader bug.
            throw new AssertionError("an untyped IOException escaped the reader", e);
        }
    }

    static List<byte[]> seeds() throws IOException, URISyntaxException {
        Path dir = Path.of(ListingReaderFuzzTest.class
                .getResource("ListingReaderFuzzTestInputs/anyBytesEndInAResultOrATypedError")
                .toURI());
        try (Stream<Path> files = Files.list(dir)) {
            List<byte[]> seeds = new ArrayList<>();
            for (Path file : files.sorted().toList()) {
                seeds.add(Files.readAllBytes(file));
            }
            return seeds;
        }
    }

    /** Small structural mutations of JSON text: byte flips, JSON punctuation inserted, ranges cut or doubled. */
    static final class Mutations {
        private static final byte[] INTERESTING =
                "{}[]\",:-0123456789abcdefxyz \\eE.+u\u0000\n\t".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);

        private Mutations() {}

        static byte[] mutate(List<byte[]> seeds, SplittableRandom random) {
            byte[] input = seeds.get(random.nextInt(seeds.size())).clone();
            int rounds = 1 + random.nextInt(4);
            for (int r = 0; r < rounds; r++) {
                input = once(input, seeds, random);
            }
            return input;
        }

        private static byte[] once(byte[] in, List<byte[]> seeds, SplittableRandom random) {
            if (in.length == 0) {
                return new byte[] {INTERESTING[random.nextInt(INTERESTING.length)]};
            }
            int at = random.nextInt(in.length);
            switch (random.nextInt(7)) {
                case 0:
                    in[at] = (byte) random.nextInt(256);
                    return in;
                case 1:
                    in[at] = INTERESTING[random.nextInt(INTERESTING.length)];
                    return in;
                case 2:
                    return splice(in, at, 0, new byte[] {INTERESTING[random.nextInt(INTERESTING.length)]});
                case 3:
                    return splice(in, at, Math.min(in.length - at, 1 + random.nextInt(16)), new byte[0]);
                case 4: {
                    int length = Math.min(in.length - at, 1 + random.nextInt(64));
                    byte[] copy = java.util.Arrays.copyOfRange(in, at, at + length);
                    return splice(in, at, 0, copy);
                }
                case 5:
                    return java.util.Arrays.copyOf(in, at);
                default: {
                    byte[] other = seeds.get(random.nextInt(seeds.size()));
                    int from = random.nextInt(other.length);
                    return splice(in, at, 0, java.util.Arrays.copyOfRange(other, from, other.length));
                }
            }
        }

        private static byte[] splice(byte[] in, int at, int remove, byte[] insert) {
            byte[] out = new byte[in.length - remove + insert.length];
            System.arraycopy(in, 0, out, 0, at);
            System.arraycopy(insert, 0, out, at, insert.length);
            System.arraycopy(in, at + remove, out, at + insert.length, in.length - at - remove);
            return out;
        }
    }
}
