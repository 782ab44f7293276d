package io.farmvet.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import io.farmvet.listing.ListingLimits;
import io.farmvet.testing.FakeServer;
import io.farmvet.testing.Listings;
import io.farmvet.testing.TestConfigs;
import io.farmvet.util.Units;
import io.farmvet.vet.VetReport;
import io.farmvet.vet.VetReports;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Listings a server or a proxy compresses (issue 11): farmvet asks for gzip, decodes it wherever the body's
 * bytes fall, bounds the decoded bytes by {@code listing.max-size}, and refuses any other coding by name. Before,
 * a gzip body failed the parse with {@code Illegal character ((CTRL-CHAR, code 31))}.
 */
class CompressedListingTest {
    private final List<FakeServer> servers = new ArrayList<>();
    private final String json = Listings.generated(300, 6).json();

    @AfterEach
    void stopServers() throws Exception {
        for (FakeServer server : servers) {
            server.close();
        }
    }

    @Test
    void issue11_aGzipListingIsAskedForAndDecoded() throws Exception {
        FakeServer primary = serve(FakeServer.json(json));
        FakeServer node = serve(FakeServer.encoded("gzip", FakeServer.gzip(json)));

        VetReport report = vet(new TestConfigs().primary(primary.url()).node("n", node.url()));

        assertThat(report.nodes().get(0).error()).isNull();
        assertThat(report.status()).isEqualTo(VetReport.Status.CONSISTENT);
        assertThat(report.nodes().get(0).bytes()).isEqualTo(json.getBytes(StandardCharsets.UTF_8).length);
        assertThat(listingRequest(node).header("Accept-Encoding")).isEqualTo("gzip");
        assertThat(listingRequest(primary).header("Accept-Encoding")).isEqualTo("gzip");
    }

    @Test
    void issue11_aGzipListingArrivingOneByteAtATimeIsDecoded() throws Exception {
        FakeServer primary = serve(FakeServer.gzipChunked(FakeServer.gzip(json), 1));
        FakeServer node = serve(FakeServer.gzipChunked(FakeServer.gzip(json), 1));

        VetReport report = vet(new TestConfigs().primary(primary.url()).node("n", node.url()));

        assertThat(report.primary().error()).isNull();
        assertThat(report.nodes().get(0).error()).isNull();
        assertThat(report.status()).isEqualTo(VetReport.Status.CONSISTENT);
    }

    @Test
    void issue11_aGzipBombIsRefusedAsTooLargeAtTheDecodedLimit() throws Exception {
        // 64 MiB of whitespace after the listing inflates from about 64 KiB on the wire.
        byte[] bomb = FakeServer.gzip(json + " ".repeat(64 << 20));
        long limit = json.length() + 100;
        FakeServer primary = serve(FakeServer.json(json));
        FakeServer node = serve(FakeServer.encoded("gzip", bomb));

        VetReport report = vet(new TestConfigs()
                .primary(primary.url())
                .node("n", node.url())
                .limits(ListingLimits.DEFAULTS.withMaxDocumentBytes(limit)));

        VetReport.NodeResult n = report.nodes().get(0);
        assertThat(bomb.length).isLessThan(1 << 20);
        assertThat(n.error())
                .startsWith("n: repo-hashes listing too large: ")
                .contains("raise listing.max-size")
                .containsPattern("decoded from [0-9.]+ (B|KB) gzip");
        // Jackson checks the limit each time it refills its 8000-byte buffer; the inflater reads ahead of it by
        // its own buffer at most.
        assertThat(n.bytes()).isLessThan(limit + (256 << 10));
    }

    @ParameterizedTest
    @ValueSource(strings = {"br", "deflate", "x-foo", "gzip, br"})
    void issue11_anyOtherCodingIsRefusedNamingItAndTheServer(String coding) throws Exception {
        FakeServer primary = serve(FakeServer.json(json));
        FakeServer node = serve(FakeServer.encoded(coding, json.getBytes(StandardCharsets.UTF_8)));

        VetReport report = vet(new TestConfigs().primary(primary.url()).node("n", node.url()));

        assertThat(report.nodes().get(0).error())
                .startsWith("n: GET " + node.url() + "/")
                .contains("answered with Content-Encoding \"" + coding + "\", which farmvet cannot decode")
                .contains("send gzip or no coding")
                .doesNotContain("CTRL-CHAR");
    }

    @Test
    void issue11_aCorruptGzipBodyIsNamedAsSuchWithWireAndDecodedBytes() throws Exception {
        byte[] whole = FakeServer.gzip(json);
        // The HTTP body is complete; the gzip stream in it stops half-way.
        byte[] half = Arrays.copyOf(whole, whole.length / 2);
        FakeServer primary = serve(FakeServer.json(json));
        FakeServer node = serve(FakeServer.encoded("gzip", half));

        VetReport report = vet(new TestConfigs().primary(primary.url()).node("n", node.url()));

        assertThat(report.nodes().get(0).error())
                .startsWith("n: the gzip-compressed listing is corrupt or cut short after ")
                .contains("decoded from " + Units.bytes(half.length) + " gzip");
    }

    @Test
    void issue11_aGzipErrorPageIsQuotedDecoded() throws Exception {
        byte[] page = FakeServer.gzip("{\"errors\":[{\"message\":\"mirror is busy indexing\"}]}");
        FakeServer primary = serve(FakeServer.json(json));
        FakeServer node = serve((request, out) -> {
            out.write(("HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Type: application/json\r\n"
                            + "Content-Encoding: gzip\r\nContent-Length: " + page.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(page);
        });

        VetReport report = vet(new TestConfigs().primary(primary.url()).node("n", node.url()));

        assertThat(report.nodes().get(0).error())
                .startsWith("n: GET " + node.url() + "/")
                .contains("answered 503 Service Unavailable")
                .endsWith(": {\"errors\":[{\"message\":\"mirror is busy indexing\"}]}");
    }

    @Test
    void issue11_aGzipStatusAnswerIsRead() throws Exception {
        FakeServer primary = serve(FakeServer.json(json));
        FakeServer node = serve(FakeServer.route(
                "/status",
                FakeServer.encoded("gzip", FakeServer.gzip("{\"state\":\"SYNCHRONIZED\"}")),
                FakeServer.json(json)));

        VetReport report = vet(new TestConfigs().primary(primary.url()).node("n", node.url()));

        assertThat(report.nodes().get(0).state()).isEqualTo("SYNCHRONIZED");
    }

    private FakeServer serve(FakeServer.Responder responder) throws Exception {
        FakeServer server = FakeServer.start(responder);
        servers.add(server);
        return server;
    }

    private static FakeServer.Request listingRequest(FakeServer server) {
        return server.requests().stream()
                .filter(r -> !r.path().equals("/status"))
                .findFirst()
                .orElseThrow();
    }

    private static VetReport vet(TestConfigs configs) throws Exception {
        return VetReports.vet(configs);
    }
}
