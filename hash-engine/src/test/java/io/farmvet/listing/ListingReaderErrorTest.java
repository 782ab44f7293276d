package io.farmvet.listing;

import static io.farmvet.listing.ListingFormatException.UNKNOWN;
import static io.farmvet.listing.ListingReaderTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every way a listing can be wrong, each read whole and one byte per read call, with the message, the position and
 * the nearest repository the operator is told.
 */
class ListingReaderErrorTest {
    private static final String H = "'hashes':{'content':'aa','metadata':'bb'}";

    /**
     * One bad document. {@code at} is a piece of the document whose first character is where the error must point
     * (its byte offset; line 1, column offset + 1), plus {@code shift} for errors Jackson reports past the token.
     */
    record Case(String name, String doc, ListingKind kind, String problem, String at, int shift, long near) {
        Case shifted(int by) {
            return new Case(name, doc, kind, problem, at, by, near);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static Case bad(String name, String doc, String problem, String at, long near) {
        return new Case(name, doc, ListingKind.FULL, problem, at, 0, near);
    }

    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        // Wrong types of known fields.
        cases.add(bad(
                "project key is a number",
                "{'projects':[{'id':1,'key':7,'repositories':[]}]}",
                "project 1: \"key\" is the number 7, not a string",
                "7",
                UNKNOWN));
        cases.add(bad(
                "repository slug is an object",
                "{'projects':[{'id':1,'repositories':[{'id':5,'slug':{}," + H + "}]}]}",
                "repository 5: \"slug\" is an object, not a string",
                "{}",
                5));
        cases.add(bad(
                "project id is a string",
                "{'projects':[{'id':'7','repositories':[]}]}",
                "a project: \"id\" is a string \"7\", not a whole number",
                "'7'",
                UNKNOWN));
        cases.add(bad(
                "project id is a fraction",
                "{'projects':[{'id':1.5}]}",
                "a project: \"id\" is the number 1.5, not a whole number",
                "1.5",
                UNKNOWN));
        cases.add(bad(
                "project id is null",
                "{'projects':[{'id':null}]}",
                "a project: \"id\" is null, not a whole number",
                "null",
                UNKNOWN));
        cases.add(bad(
                "repository id is a string",
                "{'projects':[{'id':1,'repositories':[{'id':5," + H + "},{'id':'6'," + H + "}]}]}",
                "a repository of project 1: \"id\" is a string \"6\", not a whole number",
                "'6'",
                5));
        cases.add(bad(
                "repository id is an exponent",
                "{'projects':[{'id':1,'repositories':[{'id':1e3," + H + "}]}]}",
                "\"id\" is the number 1e3, not a whole number",
                "1e3",
                UNKNOWN));
        cases.add(bad(
                "public is a string",
                "{'projects':[{'id':1,'public':'no'}]}",
                "project 1: \"public\" is a string \"no\", not true or false",
                "'no'",
                UNKNOWN));
        cases.add(bad(
                "repositories is an object",
                "{'projects':[{'id':1,'repositories':{}}]}",
                "project 1: \"repositories\" is an object, not an array",
                "{}",
                UNKNOWN));
        cases.add(bad(
                "projects is an object", "{'projects':{}}", "\"projects\" is an object, not an array", "{}", UNKNOWN));
        cases.add(bad("projects is null", "{'projects':null}", "\"projects\" is null, not an array", "null", UNKNOWN));
        cases.add(bad(
                "a project is a number",
                "{'projects':[{'id':1},2]}",
                "a project is the number 2, not an object",
                "2]",
                UNKNOWN));
        cases.add(bad(
                "a repository is a string",
                "{'projects':[{'id':1,'repositories':['r']}]}",
                "a repository of project 1 is a string \"r\", not an object",
                "'r'",
                UNKNOWN));
        cases.add(bad(
                "hashes is a string",
                "{'projects':[{'id':1,'repositories':[{'id':8,'hashes':'aa'}]}]}",
                "repository 8: \"hashes\" is a string \"aa\", not an object",
                "'aa'",
                8));
        cases.add(bad(
                "a hash is a number",
                "{'projects':[{'id':1,'repositories':[{'id':8,'hashes':{'content':12,'metadata':'bb'}}]}]}",
                "repository 8: content hash is the number 12, not a string",
                "12",
                8));
        cases.add(bad(
                "a hash is an array",
                "{'projects':[{'id':1,'repositories':[{'id':8,'hashes':{'content':'aa','metadata':['bb']}}]}]}",
                "repository 8: metadata hash is an array, not a string",
                "['bb']",
                8));
        // Ids out of range.
        cases.add(bad(
                "negative project id", "{'projects':[{'id':-3}]}", "a project: \"id\" -3 is negative", "-3", UNKNOWN));
        cases.add(bad(
                "negative repository id",
                "{'projects':[{'id':1,'repositories':[{'id':4," + H + "},{" + H + ",'id':-1}]}]}",
                "a repository of project 1: \"id\" -1 is negative",
                "-1",
                4));
        cases.add(bad(
                "id too large",
                "{'projects':[{'id':9223372036854775808}]}",
                "a project: \"id\" \"9223372036854775…\" is larger than 9223372036854775807",
                "9223372036854775808",
                UNKNOWN));
        cases.add(bad(
                "id too small",
                "{'projects':[{'id':-99999999999999999999}]}",
                "a project: \"id\" \"-999999999999999…\" is negative",
                "-999",
                UNKNOWN));
        // Hashes that are not hashes.
        cases.add(bad(
                "empty hash",
                "{'projects':[{'id':1,'repositories':[{'id':42,'hashes':{'content':'','metadata':'bb'}}]}]}",
                "repository 42: content hash is empty",
                "''",
                42));
        cases.add(bad(
                "hash not hex",
                "{'projects':[{'id':1,'repositories':[{'id':42,'hashes':{'content':'zz12aabbccddeeff00112233','metadata':'bb'}}]}]}",
                "repository 42: content hash is not hex: \"zz12aabbccddeeff…\"",
                "'zz12",
                42));
        cases.add(bad(
                "hash with non-ASCII digits",
                "{'projects':[{'id':1,'repositories':[{'id':42,'hashes':{'content':'aa','metadata':'١٢'}}]}]}",
                "repository 42: metadata hash is not hex: \"١٢\"",
                "'١",
                42));
        cases.add(bad(
                "hash too long",
                "{'projects':[{'id':1,'repositories':[{'id':42,'hashes':{'content':'" + "a".repeat(129)
                        + "','metadata':'bb'}}]}]}",
                "repository 42: content hash is 129 characters long, over the limit of 128",
                "'aaa",
                42));
        cases.add(bad(
                "hash before id is bad",
                "{'projects':[{'id':1,'repositories':[{'id':3," + H + "},{'hashes':{'content':'x'},'id':4}]}]}",
                "a repository of project 1: content hash is not hex: \"x\"",
                "'x'",
                3));
        // Missing fields.
        cases.add(bad("no projects", "{'project':[]}", "the document has no \"projects\" array", "}", UNKNOWN));
        cases.add(bad(
                        "project without id",
                        "{'projects':[{'public':true,'repositories':[{'id':2," + H + "}]}]}",
                        "a project has no \"id\"",
                        "}}]}]}",
                        2)
                .shifted(3));
        cases.add(bad(
                "repository without id",
                "{'projects':[{'id':1,'repositories':[{" + H + "}]}]}",
                "a repository of project 1 has no \"id\"",
                "}]}]}",
                UNKNOWN));
        cases.add(bad(
                "repository without content",
                "{'projects':[{'id':1,'repositories':[{'id':6,'hashes':{'metadata':'bb'}}]}]}",
                "repository 6 has no content hash (a FULL listing carries one for every repository)",
                "}]}]}",
                6));
        cases.add(bad(
                "repository with null content",
                "{'projects':[{'id':1,'repositories':[{'id':6,'hashes':{'content':null,'metadata':'bb'}}]}]}",
                "repository 6 has no content hash",
                "}]}]}",
                6));
        cases.add(bad(
                "repository without hashes",
                "{'projects':[{'id':1,'repositories':[{'id':6}]}]}",
                "repository 6 has no content hash",
                "}]}]}",
                6));
        cases.add(new Case(
                "metadata listing without metadata",
                "{'projects':[{'id':1,'repositories':[{'id':6,'hashes':{'content':'aa'}}]}]}",
                ListingKind.METADATA,
                "repository 6 has no metadata hash (a METADATA listing",
                "}]}]}",
                0,
                6));
        cases.add(new Case(
                "content listing without content",
                "{'projects':[{'id':1,'repositories':[{'id':6,'hashes':{'metadata':'aa'}}]}]}",
                ListingKind.CONTENT,
                "repository 6 has no content hash (a CONTENT listing",
                "}]}]}",
                0,
                6));
        // Fields listed twice.
        cases.add(
                bad("projects twice", "{'projects':[],'projects':[]}", "\"projects\" is listed twice", "[]}", UNKNOWN));
        cases.add(bad(
                "project id twice",
                "{'projects':[{'id':1,'id':2}]}",
                "project 1: \"id\" is listed twice",
                "2}",
                UNKNOWN));
        cases.add(bad(
                "repository id twice",
                "{'projects':[{'id':1,'repositories':[{'id':5,'id':6}]}]}",
                "repository 5: \"id\" is listed twice",
                "6}",
                5));
        cases.add(bad(
                "content twice",
                "{'projects':[{'id':1,'repositories':[{'id':5,'hashes':{'content':'aa','content':'bb'}}]}]}",
                "repository 5: the content hash is listed twice",
                "'bb'",
                5));
        // Not a listing at all.
        cases.add(bad(
                "root is an array", "[{'projects':[]}]", "the document is an array, not a JSON object", "[", UNKNOWN));
        cases.add(bad(
                "root is a string",
                "'projects'",
                "the document is a string \"projects\", not a JSON object",
                "'",
                UNKNOWN));
        cases.add(bad("empty document", "", "the document is empty", "", UNKNOWN));
        cases.add(bad("blank document", " \n", "the document is empty", "", UNKNOWN));
        // Trailing data.
        cases.add(bad(
                        "second document",
                        "{'projects':[]}{'projects':[]}",
                        "trailing data after the listing: an object",
                        "{'projects':[]}",
                        UNKNOWN)
                .shifted(15));
        return cases;
    }

    static Stream<Arguments> casesByDelivery() {
        return cases().stream().flatMap(c -> Stream.of(Delivery.values()).map(d -> Arguments.of(c, d)));
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("casesByDelivery")
    void reportsWhatAndWhere(Case c, Delivery delivery) {
        ListingFormatException e = failure(c.doc(), c.kind(), delivery);

        assertThat(e.problem()).contains(c.problem());
        assertThat(e.getMessage()).startsWith("mirror-2: malformed repo-hashes listing: ");
        String doc = new String(json(c.doc()), java.nio.charset.StandardCharsets.UTF_8);
        long offset = c.at().isEmpty() ? json(c.doc()).length : byteIndex(doc, c.at().replace('\'', '"')) + c.shift();
        assertThat(e.byteOffset()).as("byte offset").isEqualTo(offset);
        if (!doc.contains("\n")) {
            assertThat(e.line()).as("line").isEqualTo(1);
            assertThat(e.column()).as("column").isEqualTo(offset + 1);
        }
        assertThat(e.nearRepositoryId()).as("near repository").isEqualTo(c.near());
    }

    private static long byteIndex(String doc, String piece) {
        int index = doc.indexOf(piece);
        assertThat(index).as("test case marker " + piece).isNotNegative();
        return doc.substring(0, index).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }

    private ListingFormatException failure(String doc, ListingKind kind, Delivery delivery) {
        return catchThrowableOfType(ListingFormatException.class, () -> new ListingReader(ListingLimits.DEFAULTS)
                .read(delivery.open(json(doc)), "mirror-2", kind, new RecordingHandler()));
    }
}
