package io.farmvet.listing;

import static org.assertj.core.api.Assertions.assertThat;

import io.farmvet.listing.RecordingHandler.Project;
import io.farmvet.listing.RecordingHandler.Repo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Well-formed listings, each read whole and one byte per read call. */
class ListingReaderTest {
    static final String C1 = "082a5b4fa5d1e8bd2dbb0b9e8e4c84a9c0e37d2e3f1b1f4b0e96a5f3ae1cc31a";
    static final String M1 = "b8fa0d4c8d3f9e2b6a1c7e5d4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e5d14";
    static final String ZERO = "0000000000000000000000000000000000000000";
    static final String M2 = "e80a7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d";

    static final String SEED = "{'projects':[{'id':1,'public':false,'repositories':["
            + "{'id':1,'hashes':{'content':'" + C1 + "','metadata':'" + M1 + "'}},"
            + "{'id':2,'hashes':{'content':'" + ZERO + "','metadata':'" + M2 + "'}}]}]}";

    private final ListingReader reader = new ListingReader(ListingLimits.DEFAULTS);

    /** Test documents use single quotes so that they read well in Java; the reader sees double quotes. */
    static byte[] json(String singleQuoted) {
        return singleQuoted.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
    }

    private RecordingHandler read(String doc, Delivery delivery, ListingKind kind) throws IOException {
        RecordingHandler handler = new RecordingHandler();
        byte[] bytes = json(doc);
        ListingSummary summary = reader.read(delivery.open(bytes), "test", kind, handler);
        assertThat(summary.projects()).isEqualTo(handler.projects.size());
        assertThat(summary.repositories()).isEqualTo(handler.repositories.size());
        assertThat(summary.bytes()).isEqualTo(bytes.length);
        return handler;
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void readsTheSeedExample(Delivery delivery) throws IOException {
        RecordingHandler handler = read(SEED, delivery, ListingKind.FULL);

        assertThat(handler.events)
                .containsExactly(new Repo(1, 1, C1, M1), new Repo(1, 2, ZERO, M2), new Project(1, false));
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void deliversTheAgentsKeysAndSlugsInAnyFieldOrder(Delivery delivery) throws IOException {
        String doc = "{'projects':[{'repositories':[{'hashes':{'content':'ab','metadata':'cd'},'slug':'web','id':7},"
                + "{'id':8,'slug':null,'hashes':{'content':'ab','metadata':'cd'}}],'key':'PRJ','id':3},"
                + "{'id':4,'repositories':[{'id':9,'hashes':{'content':'ab','metadata':'cd'}}]}]}";

        RecordingHandler handler = read(doc, delivery, ListingKind.FULL);

        assertThat(handler.slugs).containsExactlyInAnyOrderEntriesOf(java.util.Map.of(7L, "web"));
        assertThat(handler.keys).containsExactlyInAnyOrderEntriesOf(java.util.Map.of(3L, "PRJ"));
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void tellsTheZeroPlaceholderAndPublicFlag(Delivery delivery) throws IOException {
        List<Boolean> zero = new ArrayList<>();
        ListingHandler handler = new ListingHandler() {
            @Override
            public void repository(ListingEntry entry) {
                zero.add(entry.content().isZero());
                assertThat(entry.metadata().isZero()).isFalse();
            }
        };
        byte[] doc = json(SEED.replace("'public':false", "'public':true"));
        reader.read(delivery.open(doc), "test", ListingKind.FULL, handler);
        assertThat(zero).containsExactly(false, true);

        RecordingHandler recorded = read(SEED.replace("'public':false", "'public':true"), delivery, ListingKind.FULL);
        assertThat(recorded.projects).containsExactly(new Project(1, true));
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void upperCaseHexEqualsLowerCase(Delivery delivery) throws IOException {
        List<byte[]> packed = new ArrayList<>();
        ListingHandler handler = entry -> {
            byte[] copy = new byte[entry.content().packedLength()];
            entry.content().copyTo(copy, 0);
            packed.add(copy);
            assertThat(entry.content().toHex()).isEqualTo(C1);
        };
        String lower = "{'projects':[{'id':1,'repositories':[{'id':1,'hashes':{'content':'" + C1 + "','metadata':'" + M1
                + "'}}]}]}";
        reader.read(delivery.open(json(lower)), "test", ListingKind.FULL, handler);
        reader.read(delivery.open(json(lower.replace(C1, C1.toUpperCase()))), "test", ListingKind.FULL, handler);

        assertThat(packed).hasSize(2);
        assertThat(packed.get(0)).isEqualTo(packed.get(1));
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void skipsUnknownFieldsOfEveryTypeAtEveryLevel(Delivery delivery) throws IOException {
        String unknown = "'s':'text','n':-12,'f':1.5e3,'t':true,'no':false,'z':null,'o':{'a':[1,{'b':'}'}],'c':{}},"
                + "'a':[[],{},'x',[1,2,[3]]],";
        String doc = "{" + unknown + "'projects':[{" + unknown + "'id':7,'key':'PRJ'," + unknown
                + "'public':true,'repositories':[{" + unknown + "'id':70,'slug':'repo-a'," + unknown + "'hashes':{"
                + unknown + "'content':'abc','future':{'content':'zz'}," + unknown + "'metadata':'def'," + unknown
                + "'z2':0}," + unknown + "'last':1}]," + unknown + "'last':1}]," + unknown + "'last':[]}";

        RecordingHandler handler = read(doc, delivery, ListingKind.FULL);

        assertThat(handler.events).containsExactly(new Repo(7, 70, "abc", "def"), new Project(7, true));
    }

    /** Every order of a project's three fields, a repository's two and the two hashes. */
    @ParameterizedTest
    @EnumSource(Delivery.class)
    void acceptsEveryFieldOrder(Delivery delivery) throws IOException {
        String[][] projectOrders = permutations("'id':P", "'public':true", "'repositories':[R]");
        for (String[] projectOrder : projectOrders) {
            for (boolean idFirst : new boolean[] {true, false}) {
                for (boolean contentFirst : new boolean[] {true, false}) {
                    String hashes = contentFirst ? "'content':'C','metadata':'M'" : "'metadata':'M','content':'C'";
                    String repository =
                            idFirst ? "{'id':I,'hashes':{" + hashes + "}}" : "{'hashes':{" + hashes + "},'id':I}";
                    String project = "{" + String.join(",", projectOrder) + "}";
                    String doc = "{'projects':["
                            + project.replace("P", "3")
                                    .replace(
                                            "R",
                                            repo(repository, 31, "a1", "b1") + "," + repo(repository, 32, "a2", "b2"))
                            + ","
                            + project.replace("P", "4").replace("R", repo(repository, 41, "A3", "B3"))
                            + "]}";

                    RecordingHandler handler = read(doc, delivery, ListingKind.FULL);

                    assertThat(handler.events)
                            .as(doc)
                            .containsExactly(
                                    new Repo(3, 31, "a1", "b1"),
                                    new Repo(3, 32, "a2", "b2"),
                                    new Project(3, true),
                                    new Repo(4, 41, "a3", "b3"),
                                    new Project(4, true));
                }
            }
        }
    }

    private static String repo(String template, long id, String content, String metadata) {
        return template.replace("I", Long.toString(id)).replace("C", content).replace("M", metadata);
    }

    private static String[][] permutations(String a, String b, String c) {
        return new String[][] {{a, b, c}, {a, c, b}, {b, a, c}, {b, c, a}, {c, a, b}, {c, b, a}};
    }

    /** Repositories listed before their project id are held and delivered, in order, when the project ends. */
    @ParameterizedTest
    @EnumSource(Delivery.class)
    void buffersRepositoriesListedBeforeTheirProjectId(Delivery delivery) throws IOException {
        StringBuilder doc = new StringBuilder("{'projects':[{'repositories':[");
        List<Object> expected = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 300; i++) {
            // Odd and even lengths and the all-zero placeholder, so that packed offsets are replayed exactly.
            String content = i % 7 == 0 ? "0".repeat(1 + i % 5) : hex(random, 1 + random.nextInt(128));
            String metadata = hex(random, 1 + random.nextInt(128));
            doc.append(i == 0 ? "" : ",")
                    .append("{'id':")
                    .append(1000 + i)
                    .append(",'hashes':{'content':'")
                    .append(content)
                    .append("','metadata':'")
                    .append(metadata)
                    .append("'}}");
            expected.add(new Repo(9, 1000 + i, content, metadata));
        }
        expected.add(new Project(9, true));
        doc.append(
                "],'public':true,'id':9},{'id':10,'repositories':[{'id':2000,'hashes':{'content':'ab','metadata':'cd'}}]}");
        doc.append(",{'repositories':[{'id':3000,'hashes':{'content':'ef','metadata':'01'}}],'id':11}]}");
        expected.add(new Repo(10, 2000, "ab", "cd"));
        expected.add(new Project(10, false));
        expected.add(new Repo(11, 3000, "ef", "01"));
        expected.add(new Project(11, false));

        RecordingHandler handler = read(doc.toString(), delivery, ListingKind.FULL);

        assertThat(handler.events).containsExactlyElementsOf(expected);
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void buffersSingleHashListings(Delivery delivery) throws IOException {
        String doc =
                "{'projects':[{'repositories':[{'id':1,'hashes':{'metadata':'abc'}},{'id':2,'hashes':{'metadata':'d'}}],'id':5}]}";

        RecordingHandler handler = read(doc, delivery, ListingKind.METADATA);

        assertThat(handler.events)
                .containsExactly(new Repo(5, 1, null, "abc"), new Repo(5, 2, null, "d"), new Project(5, false));
    }

    /** Field order shuffled at random (seeded) at every level, with unknown fields mixed in. */
    @ParameterizedTest
    @EnumSource(Delivery.class)
    void acceptsShuffledFieldOrder(Delivery delivery) throws IOException {
        SplittableRandom random = new SplittableRandom(20261122);
        for (int round = 0; round < 50; round++) {
            StringBuilder doc = new StringBuilder("{'projects':[");
            List<Object> expected = new ArrayList<>();
            int projectCount = 1 + random.nextInt(4);
            for (int p = 0; p < projectCount; p++) {
                long projectId = random.nextLong(Long.MAX_VALUE);
                boolean isPublic = random.nextBoolean();
                List<String> repositories = new ArrayList<>();
                int repositoryCount = random.nextInt(5);
                for (int r = 0; r < repositoryCount; r++) {
                    long id = random.nextLong(Long.MAX_VALUE);
                    String content = hex(random, 40);
                    String metadata = hex(random, 64);
                    String hashes = "{"
                            + shuffled(
                                    random, "'content':'" + content + "'", "'metadata':'" + metadata + "'", "'x':[0]")
                            + "}";
                    repositories.add(
                            "{" + shuffled(random, "'id':" + id, "'hashes':" + hashes, "'slug':'s" + r + "'") + "}");
                    expected.add(new Repo(projectId, id, content, metadata));
                }
                expected.add(new Project(projectId, isPublic));
                doc.append(p == 0 ? "" : ",")
                        .append("{")
                        .append(shuffled(
                                random,
                                "'id':" + projectId,
                                "'public':" + isPublic,
                                "'repositories':[" + String.join(",", repositories) + "]",
                                "'key':'K" + p + "'"))
                        .append("}");
            }
            doc.append("]}");

            RecordingHandler handler = read(doc.toString(), delivery, ListingKind.FULL);

            assertThat(handler.events).as(doc.toString()).containsExactlyElementsOf(expected);
        }
    }

    private static String shuffled(SplittableRandom random, String... fields) {
        for (int i = fields.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            String swap = fields[i];
            fields[i] = fields[j];
            fields[j] = swap;
        }
        return String.join(",", fields);
    }

    static String hex(SplittableRandom random, int length) {
        char[] out = new char[length];
        for (int i = 0; i < length; i++) {
            out[i] = "0123456789abcdef".charAt(random.nextInt(16));
        }
        return new String(out);
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void readsContentAndMetadataVariants(Delivery delivery) throws IOException {
        String content =
                "{'projects':[{'id':1,'public':false,'repositories':[{'id':1,'hashes':{'content':'" + C1 + "'}}]}]}";
        String metadata =
                "{'projects':[{'id':1,'public':false,'repositories':[{'id':1,'hashes':{'metadata':'" + M1 + "'}}]}]}";

        assertThat(read(content, delivery, ListingKind.CONTENT).repositories).containsExactly(new Repo(1, 1, C1, null));
        assertThat(read(metadata, delivery, ListingKind.METADATA).repositories)
                .containsExactly(new Repo(1, 1, null, M1));
    }

    /** A hash the kind does not carry is accepted (and checked) but not shown; null counts as absent. */
    @ParameterizedTest
    @EnumSource(Delivery.class)
    void acceptsAnExtraHashWithoutExposingIt(Delivery delivery) throws IOException {
        String full = "{'projects':[{'id':1,'repositories':[{'id':1,'hashes':{'content':'aa','metadata':'bb'}},"
                + "{'id':2,'hashes':{'content':'cc','metadata':null}},{'id':3,'hashes':{'content':null,'metadata':'dd'}}]}]}";

        assertThat(read(
                                full.replace(",{'id':3,'hashes':{'content':null,'metadata':'dd'}}", ""),
                                delivery,
                                ListingKind.CONTENT)
                        .repositories)
                .containsExactly(new Repo(1, 1, "aa", null), new Repo(1, 2, "cc", null));
        assertThat(read(
                                full.replace("{'id':2,'hashes':{'content':'cc','metadata':null}},", ""),
                                delivery,
                                ListingKind.METADATA)
                        .repositories)
                .containsExactly(new Repo(1, 1, null, "bb"), new Repo(1, 3, null, "dd"));
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void readsEmptyListingsAndEmptyProjects(Delivery delivery) throws IOException {
        assertThat(read("{'projects':[]}", delivery, ListingKind.FULL).events).isEmpty();
        assertThat(read(" \n\t{ 'projects' : [ ] } \r\n ", delivery, ListingKind.FULL).events)
                .isEmpty();
        assertThat(read(
                                "{'projects':[{'id':4,'public':true,'repositories':[]},{'id':5},{'id':6,'public':false}]}",
                                delivery,
                                ListingKind.FULL)
                        .events)
                .containsExactly(new Project(4, true), new Project(5, false), new Project(6, false));
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void acceptsTheWholeRangeOfIds(Delivery delivery) throws IOException {
        String doc = "{'projects':[{'id':0,'repositories':[{'id':0,'hashes':{'content':'1','metadata':'2'}},"
                + "{'id':9223372036854775807,'hashes':{'content':'3','metadata':'4'}}]},{'id':9223372036854775807}]}";

        assertThat(read(doc, delivery, ListingKind.FULL).events)
                .containsExactly(
                        new Repo(0, 0, "1", "2"),
                        new Repo(0, Long.MAX_VALUE, "3", "4"),
                        new Project(0, false),
                        new Project(Long.MAX_VALUE, false));
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void leavesTheStreamOpen(Delivery delivery) throws IOException {
        boolean[] closed = {false};
        var in = new java.io.FilterInputStream(delivery.open(json("{'projects':[]}"))) {
            @Override
            public void close() {
                closed[0] = true;
            }
        };
        reader.read(in, "test", ListingKind.FULL, entry -> {});
        assertThat(closed[0]).isFalse();
    }
}
