package io.farmvet.listing;

import static io.farmvet.listing.ListingFormatException.UNKNOWN;
import static io.farmvet.listing.ListingReaderTest.SEED;
import static io.farmvet.listing.ListingReaderTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Documents that break below the listing's structure (bad JSON, an early end, trailing data, parser limits), a
 * handler that rejects an entry, and a stream that fails: each read whole and one byte per read call.
 */
class ListingReaderFailureTest {
    private final ListingReader reader = new ListingReader(ListingLimits.DEFAULTS);

    private ListingFormatException failure(
            ListingReader reader, byte[] doc, Delivery delivery, ListingHandler handler) {
        return catchThrowableOfType(
                ListingFormatException.class,
                () -> reader.read(delivery.open(doc), "mirror-2", ListingKind.FULL, handler));
    }

    private ListingFormatException failure(String doc, Delivery delivery) {
        return failure(reader, json(doc), delivery, new RecordingHandler());
    }

    private static void assertAt(ListingFormatException e, long offset, long near) {
        assertThat(e.byteOffset()).as("byte offset").isEqualTo(offset);
        assertThat(e.line()).as("line").isEqualTo(1);
        assertThat(e.column()).as("column").isEqualTo(offset + 1);
        assertThat(e.nearRepositoryId()).as("near repository").isEqualTo(near);
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void reportsMalformedJson(Delivery delivery) {
        String doc = "{'projects':[{'id':1,'repositories':[{'id':3,'hashes':{'content':'aa','metadata':'bb'}},]}]}";
        ListingFormatException e = failure(doc, delivery);

        assertThat(e.problem()).startsWith("malformed JSON: Unexpected character (']'");
        assertThat(e.getCause()).isInstanceOf(JsonParseException.class);
        // The bracket that came where a value had to.
        assertAt(e, doc.indexOf(",]") + 1, 3);
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void quotesAtMostTwentyCharactersOfABadToken(Delivery delivery) {
        String doc = "{'projects':[{'id':1,'public':" + "nope".repeat(50) + "}]}";
        ListingFormatException e = failure(doc, delivery);

        assertThat(e.problem()).startsWith("malformed JSON: Unrecognized token 'nopenopenopenopenope...'");
        assertThat(e.problem()).doesNotContain("nope".repeat(6));
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void reportsGarbageAfterTheListing(Delivery delivery) {
        String doc = "{'projects':[]} garbage";
        ListingFormatException e = failure(doc, delivery);

        assertThat(e.problem()).startsWith("malformed JSON: Unrecognized token 'garbage'");
        assertAt(e, doc.indexOf("garbage"), UNKNOWN);
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void reportsACloseMarkerAfterTheListing(Delivery delivery) {
        String doc = "{'projects':[]}]";
        ListingFormatException e = failure(doc, delivery);

        assertThat(e.problem()).startsWith("malformed JSON: Unexpected close marker ']'");
        assertAt(e, doc.length() - 1, UNKNOWN);
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void reportsASecondDocumentAfterTheListing(Delivery delivery) {
        String doc = SEED + "\n" + SEED;
        ListingFormatException e = failure(doc, delivery);

        assertThat(e.problem()).isEqualTo("trailing data after the listing: an object");
        assertThat(e.byteOffset()).isEqualTo(SEED.length() + 1);
        assertThat(e.line()).isEqualTo(2);
        assertThat(e.column()).isEqualTo(1);
        assertThat(e.nearRepositoryId()).isEqualTo(2);
    }

    /** Cutting the seed document anywhere must fail: a short listing must never read as a smaller farm. */
    @ParameterizedTest
    @EnumSource(Delivery.class)
    void failsOnEveryEarlyEnd(Delivery delivery) {
        byte[] whole = json(SEED);
        int falseAt = SEED.indexOf("false");
        for (int length = 0; length < whole.length; length++) {
            byte[] cut = Arrays.copyOf(whole, length);
            RecordingHandler handler = new RecordingHandler();
            ListingFormatException e = failure(reader, cut, delivery, handler);

            assertThat(e).as("cut at %d", length).isNotNull();
            // A cut inside a literal is reported where the literal starts.
            boolean inLiteral = length > falseAt && length < falseAt + 5;
            int expectedOffset = inLiteral ? falseAt : length;
            assertThat(e.byteOffset()).as("cut at %d", length).isEqualTo(expectedOffset);
            // The project is seen only once its closing brace (the third byte from the end) has been read.
            assertThat(handler.projects).as("cut at %d", length).hasSize(length > whole.length - 3 ? 1 : 0);
            if (length == 0) {
                assertThat(e.problem()).isEqualTo("the document is empty");
            } else if (inLiteral) {
                // Jackson does not tell a cut literal from a misspelt one.
                assertThat(e.problem())
                        .as("cut at %d", length)
                        .startsWith(
                                "malformed JSON: Unrecognized token '" + "false".substring(0, length - falseAt) + "'");
            } else {
                assertThat(e.problem()).as("cut at %d", length).startsWith("malformed JSON: Unexpected end-of-input");
                // Mostly JsonEOFException, but after a comma Jackson throws its parent type with the same words.
                assertThat(e.getCause()).isInstanceOf(JsonParseException.class);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void refusesADocumentOverTheSizeLimit(Delivery delivery) throws IOException {
        byte[] doc = json(SEED);
        ListingReader exact = new ListingReader(ListingLimits.DEFAULTS.withMaxDocumentBytes(doc.length));
        assertThat(exact.read(delivery.open(doc), "mirror-2", ListingKind.FULL, new RecordingHandler())
                        .bytes())
                .isEqualTo(doc.length);

        ListingReader small = new ListingReader(ListingLimits.DEFAULTS.withMaxDocumentBytes(doc.length - 1));
        ListingFormatException e = failure(small, doc, delivery, new RecordingHandler());

        assertThat(e.problem())
                .isEqualTo("the document is larger than the limit of " + (doc.length - 1)
                        + " bytes (raise listing.max-size if the farm really is that large)");
        assertThat(e.getCause()).isInstanceOf(StreamConstraintsException.class);
        assertThat(e.byteOffset()).isEqualTo(doc.length);
        assertThat(e.line()).isZero();
        assertThat(e.getMessage())
                .startsWith("mirror-2: repo-hashes listing too large: the document is larger")
                .contains("(at byte " + doc.length + ", near repository 2)");
        assertThat(e.tooLarge()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void refusesAStringOverTheLimit(Delivery delivery) {
        ListingReader strict = new ListingReader(new ListingLimits(1 << 20, 200, 32));
        String doc =
                "{'projects':[{'id':1,'repositories':[{'id':3,'hashes':{'content':'" + "a".repeat(100_000) + "'}}]}]}";
        ListingFormatException e = failure(strict, json(doc), delivery, new RecordingHandler());

        assertThat(e.problem()).isEqualTo("a string is longer than the limit of 200 characters");
        assertThat(e.getCause()).isInstanceOf(StreamConstraintsException.class);
        assertThat(e.nearRepositoryId()).isEqualTo(3);
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void refusesNestingOverTheLimit(Delivery delivery) {
        String doc = "{'projects':[],'x':" + "[".repeat(40) + "]".repeat(40) + "}";
        ListingFormatException e = failure(doc, delivery);

        assertThat(e.problem()).isEqualTo("objects and arrays nest deeper than the limit of 32 levels");
        // Just after the 32nd bracket of 'x', the 33rd level.
        assertAt(e, doc.indexOf("[[") + 32, UNKNOWN);
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void refusesANumberOverTheLimit(Delivery delivery) {
        String doc = "{'projects':[{'id':" + "1".repeat(30) + "}]}";
        ListingFormatException e = failure(doc, delivery);

        assertThat(e.problem()).isEqualTo("a number is longer than the limit of 24 characters");
        assertThat(e.nearRepositoryId()).isEqualTo(UNKNOWN);
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void refusesAFieldNameOverTheLimit(Delivery delivery) {
        String doc = "{'projects':[],'" + "n".repeat(2000) + "':1}";
        ListingFormatException e = failure(doc, delivery);

        assertThat(e.problem()).isEqualTo("a field name is longer than the limit of 1024 characters");
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void turnsARejectedRepositoryIntoAFormatError(Delivery delivery) {
        RecordingHandler handler = new RecordingHandler();
        handler.rejectRepository = 2;
        ListingFormatException e = failure(reader, json(SEED), delivery, handler);

        assertThat(e.problem()).isEqualTo("repository 2 is listed twice");
        assertThat(e.getCause()).isInstanceOf(EntryRejectedException.class);
        // The closing brace of repository 2's object.
        assertAt(e, SEED.indexOf("}}]}]}") + 1, 2);
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void endsAWholeListingOnceAndABrokenOneNever(Delivery delivery) throws IOException {
        RecordingHandler whole = new RecordingHandler();
        reader.read(delivery.open(json(SEED)), "mirror-2", ListingKind.FULL, whole);
        assertThat(whole.ends).isEqualTo(1);

        for (String broken :
                List.of(SEED + SEED, SEED.substring(0, SEED.length() - 1), SEED.replace("'id':2", "'id':-2"))) {
            RecordingHandler handler = new RecordingHandler();
            failure(reader, json(broken), delivery, handler);
            assertThat(handler.ends).as(broken).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void turnsARejectionAtTheEndIntoAFormatErrorNamingItsRepository(Delivery delivery) {
        RecordingHandler handler = new RecordingHandler();
        handler.rejectAtEnd = 1;
        ListingFormatException e = failure(reader, json(SEED), delivery, handler);

        assertThat(e.problem()).isEqualTo("repository 1 is listed twice");
        assertThat(e.getCause()).isInstanceOf(EntryRejectedException.class);
        // Found at the end of the document, about repository 1 though repository 2 was read last.
        assertAt(e, SEED.length(), 1);
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void turnsARejectedProjectIntoAFormatError(Delivery delivery) {
        RecordingHandler handler = new RecordingHandler();
        handler.rejectProject = 1;
        ListingFormatException e = failure(reader, json(SEED), delivery, handler);

        assertThat(e.problem()).isEqualTo("project 1 is not mirrored here");
        assertThat(e.getCause()).isInstanceOf(EntryRejectedException.class);
        assertAt(e, SEED.length() - 3, 2);
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void rejectsBufferedRepositoriesAtTheEndOfTheirProject(Delivery delivery) {
        RecordingHandler handler = new RecordingHandler();
        handler.rejectRepository = 1;
        String doc = "{'projects':[{'repositories':[{'id':1,'hashes':{'content':'aa','metadata':'bb'}},"
                + "{'id':2,'hashes':{'content':'cc','metadata':'dd'}}],'id':7}]}";
        ListingFormatException e = failure(reader, json(doc), delivery, handler);

        assertThat(e.problem()).isEqualTo("repository 1 is listed twice");
        assertAt(e, doc.length() - 3, 1);
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void countsLinesAndColumnsInPrettyPrintedListings(Delivery delivery) {
        String doc = "{\n  'projects' : [ {\n    'id' : 1,\n    'repositories' : [ {\n      'id' : 42,\n"
                + "      'hashes' : { 'content' : 'zz12', 'metadata' : 'bb' }\n    } ]\n  } ]\n}\n";
        ListingFormatException e = failure(doc, delivery);

        assertThat(e.problem()).isEqualTo("repository 42: content hash is not hex: \"zz12\"");
        assertThat(e.line()).isEqualTo(6);
        assertThat(e.column()).isEqualTo(32);
        assertThat(e.byteOffset()).isEqualTo(doc.indexOf("'zz12'"));
        assertThat(e.getMessage())
                .isEqualTo("mirror-2: malformed repo-hashes listing: repository 42: content hash is not hex: \"zz12\""
                        + " (at byte " + doc.indexOf("'zz12'") + ", line 6, column 32, near repository 42)");
    }

    /** A broken connection is not a broken document: the stream's own exception reaches the caller as it was. */
    @ParameterizedTest
    @EnumSource(Delivery.class)
    void passesStreamFailuresThroughUnchanged(Delivery delivery) {
        byte[] doc = json(SEED);
        for (int failAt : new int[] {0, 1, 4, 50, doc.length / 2, doc.length - 1, doc.length}) {
            SocketTimeoutException timeout = new SocketTimeoutException("Read timed out");
            InputStream in = new FailingInputStream(doc, failAt, timeout);
            InputStream source = delivery == Delivery.WHOLE ? in : new OneByteInputStream(in);

            Throwable thrown =
                    catchThrowable(() -> reader.read(source, "mirror-2", ListingKind.FULL, new RecordingHandler()));

            assertThat(thrown).as("fail at %d", failAt).isSameAs(timeout);
        }
    }
}
