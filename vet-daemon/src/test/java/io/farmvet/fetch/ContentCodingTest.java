package io.farmvet.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.farmvet.testing.FakeServer;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.apache.hc.core5.http.message.BasicHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The one Content-Encoding decoder of every GET farmvet sends (listings, REST pages, farmNodes, /status). */
class ContentCodingTest {
    private static ContentCoding of(String value) throws ContentCoding.Refused {
        return ContentCoding.of(value == null ? null : new BasicHeader("Content-Encoding", value));
    }

    @Test
    void noCodingAndIdentityAreReadAsTheyAre() throws Exception {
        assertThat(of(null)).isEqualTo(ContentCoding.IDENTITY);
        assertThat(of("")).isEqualTo(ContentCoding.IDENTITY);
        assertThat(of(" Identity ")).isEqualTo(ContentCoding.IDENTITY);
        InputStream wire = new ByteArrayInputStream(new byte[] {1, 2, 3});

        assertThat(ContentCoding.IDENTITY.decode(wire)).isSameAs(wire);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "GZIP", " gzip ", "x-gzip"})
    void gzipInAnySpellingIsDecoded(String value) throws Exception {
        assertThat(of(value)).isEqualTo(ContentCoding.GZIP);
    }

    @Test
    void gzipIsDecodedWhenTheBodyArrivesOneByteAtATime() throws Exception {
        String text = "{\"state\":\"SYNCHRONIZED\"}".repeat(500);
        InputStream wire = new OneByteAtATime(new ByteArrayInputStream(FakeServer.gzip(text)));

        try (InputStream in = ContentCoding.GZIP.decode(wire)) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(text);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"br", "deflate", "gzip, br", "zstd"})
    void anyOtherCodingIsRefusedNamingItAndWhatToDo(String value) {
        assertThatThrownBy(() -> of(value))
                .isInstanceOf(ContentCoding.Refused.class)
                .hasMessage("answered with Content-Encoding \"" + value + "\", which farmvet cannot decode: it asks"
                        + " for gzip only; have the server (or the proxy in front of it) send gzip or no coding");
    }

    @Test
    void aRefusedCodingIsQuotedWithoutControlCharactersAndBounded() {
        assertThatThrownBy(() -> of("br\u001b[31m" + "x".repeat(500)))
                .isInstanceOfSatisfying(ContentCoding.Refused.class, e -> {
                    assertThat(e.coding()).startsWith("br?[31m").endsWith("…").hasSize(65);
                    assertThat(e.getMessage()).doesNotContain("\u001b").contains(e.coding());
                });
    }

    /** Hands out one byte per read, as a slow network may. */
    private static final class OneByteAtATime extends FilterInputStream {
        OneByteAtATime(InputStream in) {
            super(in);
        }

        @Override
        public int read(byte[] buffer, int off, int len) throws IOException {
            return super.read(buffer, off, Math.min(1, len));
        }
    }
}
