package io.farmvet.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.farmvet.fetch.ListingFetcher;
import io.farmvet.listing.ListingReader;
import io.farmvet.testing.FakeServer;
import io.farmvet.testing.Listings;
import io.farmvet.vet.Vet;
import io.farmvet.vet.VetReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Issue 11: one reader for every secret file; what it strips, what it refuses, and what goes on the wire. */
class SecretFileTest {
    private static final String TOKEN = "tok-0123456789abcdef";
    private static final String BOM = "\uFEFF";

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        return Files.write(dir.resolve(name), text.getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                TOKEN,
                TOKEN + "\n",
                TOKEN + "\r\n",
                TOKEN + "\n\n",
                BOM + TOKEN + "\n",
                BOM + TOKEN + "   \r\n",
                "  " + TOKEN + "\t\n",
                "\u00A0" + TOKEN + "\u00A0"
            })
    void aByteOrderMarkAndSurroundingWhitespaceAreNotPartOfTheToken(String text) throws Exception {
        Secret secret = SecretFile.read(write("t", text), SecretFile.Kind.TOKEN, "primary.auth.bearer-token-file");

        assertThat(secret.reveal()).isEqualTo(TOKEN);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "s3cr 3t",
                "s3cr\t3t",
                "s3cr\n3t",
                "s3cr\u00A03t",
                "s3cr\u200B3t",
                "s3cr" + BOM + "3t",
                "s3cr\u00073t",
                BOM,
                " \n ",
                ""
            })
    void emptinessInnerWhitespaceAndControlCharactersAreRefusedNamingTheKey(String text) throws IOException {
        Path file = write("t", text);

        assertThatThrownBy(() -> SecretFile.read(file, SecretFile.Kind.TOKEN, "--token-file"))
                .isInstanceOf(SecretFile.Refused.class)
                .hasMessageStartingWith("--token-file: " + file + " ")
                .hasMessageContaining("; write ")
                .hasMessageNotContaining("s3cr");
    }

    @Test
    void aPasswordOrHeaderValueMayHoldPlainSpacesButNoOtherWhitespace() throws Exception {
        Path spaced = write("p", BOM + "correct horse battery\n");
        Path tabbed = write("h", "Basic\tdXNlcjpwdw==\n");

        assertThat(SecretFile.read(spaced, SecretFile.Kind.PASSWORD, "k").reveal())
                .isEqualTo("correct horse battery");
        assertThat(SecretFile.read(spaced, SecretFile.Kind.HEADER_VALUE, "k").reveal())
                .isEqualTo("correct horse battery");
        assertThatThrownBy(() -> SecretFile.read(tabbed, SecretFile.Kind.HEADER_VALUE, "k"))
                .hasMessageContaining("only plain spaces");
    }

    @Test
    void aTokenFileWithAByteOrderMarkAndTrailingSpacesIsSentExactlyAsTheToken() throws Exception {
        Listings farm = Listings.generated(10, 2);
        try (FakeServer primary = FakeServer.start(FakeServer.json(farm.json()));
                FakeServer node = FakeServer.start(FakeServer.json(farm.json()))) {
            write("primary.token", BOM + TOKEN + "   \r\n");
            Path config = write(
                    "farmvet.yaml",
                    "farm:\n  name: test\nprimary:\n  url: " + primary.url() + "\n  auth:\n"
                            + "    bearer-token-file: primary.token\nnodes:\n  - name: mirror-1\n    url: "
                            + node.url() + "\n");

            FarmvetConfig loaded = ConfigLoader.load(config);
            VetReport report;
            try (ListingFetcher fetcher = new ListingFetcher(
                    loaded.http(), new ListingReader(loaded.listing().limits()), 4)) {
                Vet vet = new Vet(loaded, fetcher, Clock.systemUTC());
                report = vet.run(vet.newProgress());
            }

            assertThat(report.primary().error()).isNull();
            assertThat(primary.requests())
                    .filteredOn(r -> r.header("Authorization") != null)
                    .extracting(r -> r.header("Authorization"))
                    .containsOnly("Bearer " + TOKEN)
                    .isNotEmpty();
        }
    }
}
