package io.farmvet.secret;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SecretMaskerTest {
    private static final String TOKEN = "tok-5ecret-0123456789abcdef";

    @Test
    void masksEveryFormOfBasicCredentialsAServerCouldEcho() {
        String userPassword = "farmvet:pa55-w0rd-secret";
        String base64 = Base64.getEncoder().encodeToString(userPassword.getBytes(StandardCharsets.UTF_8));
        SecretMasker masker = SecretMasker.of(SecretMasker.authorizationSecrets("Basic " + base64));

        assertThat(masker.text("echo: Authorization: Basic " + base64)).isEqualTo("echo: Authorization: ***");
        assertThat(masker.text("user " + userPassword + " refused")).isEqualTo("user *** refused");
        assertThat(masker.text("password pa55-w0rd-secret is wrong")).isEqualTo("password *** is wrong");
        assertThat(masker.text("bare " + base64)).isEqualTo("bare ***");
    }

    @Test
    void masksTheBearerHeaderAndItsTokenAlone() {
        SecretMasker masker = SecretMasker.of(SecretMasker.authorizationSecrets("Bearer " + TOKEN));

        assertThat(masker.text("got Bearer " + TOKEN + " and " + TOKEN)).isEqualTo("got *** and ***");
    }

    @Test
    void masksTheBeginningOfASecretThatATruncatedQuoteShows() {
        SecretMasker masker = SecretMasker.of(SecretMasker.authorizationSecrets("Bearer " + TOKEN));

        // As ListingParse quotes 16 characters: "Bearer " and 9 of the token (issue 11).
        String quoted = "a string \"" + ("Bearer " + TOKEN).substring(0, 16) + "…\" (at byte 12)";
        String hex = "is not hex: \"" + TOKEN.substring(0, 16) + "…\"";
        String jackson = "Unrecognized token '" + TOKEN.substring(0, 20) + "...': was expecting";
        String tail = "…" + TOKEN.substring(10) + " was cut";

        assertThat(masker.text(quoted)).isEqualTo("a string \"***…\" (at byte 12)");
        assertThat(masker.text(hex)).isEqualTo("is not hex: \"***…\"");
        assertThat(masker.text(jackson)).isEqualTo("Unrecognized token '***...': was expecting");
        assertThat(masker.text(tail)).isEqualTo("…*** was cut");
    }

    @Test
    void leavesOrdinaryTruncatedQuotesAndShortCoincidencesAlone() {
        SecretMasker masker = SecretMasker.of(List.of(TOKEN));

        assertThat(masker.text("a string \"0123456789abcdef…\"")).isEqualTo("a string \"0123456789abcdef…\"");
        // Three characters of the token's beginning are not enough to mask: too common, too little told.
        assertThat(masker.text("the slug \"xyztok…\"")).isEqualTo("the slug \"xyztok…\"");
        assertThat(masker.text("the slug \"xyztok-…\"")).isEqualTo("the slug \"xyz***…\"");
    }

    @Test
    void urlsLoseTheirUserInfoAndSecretLookingQueryValues() {
        SecretMasker none = SecretMasker.none();

        assertThat(none.url("https://u:p@host/x.git")).isEqualTo("https://***@host/x.git");
        assertThat(none.url("ssh://git@host:22/x.git")).isEqualTo("ssh://***@host:22/x.git");
        assertThat(none.url("git@host:team/x.git")).isEqualTo("***@host:team/x.git");
        assertThat(none.url("/srv/git/x.git")).isEqualTo("/srv/git/x.git");
        assertThat(none.url("file:///srv/git/x.git")).isEqualTo("file:///srv/git/x.git");
        assertThat(none.url("https://h/x?access_token=abc&page=2&sig=zz"))
                .isEqualTo("https://h/x?access_token=***&page=2&sig=***");
        assertThat(none.text("fetch https://farmvet@host/x failed")).isEqualTo("fetch https://***@host/x failed");
    }

    @Test
    void aUrlsSecretsAreKnownRawAndDecoded() {
        Set<String> secrets = SecretMasker.urlSecrets("https://farmvet:p%40ss@host/x?token=a%2Bb&page=2");

        assertThat(secrets).contains("farmvet:p%40ss", "p%40ss", "p@ss", "a%2Bb", "a+b");
        assertThat(secrets).doesNotContain("2");
        SecretMasker masker = SecretMasker.forRequest("https://h/x?token=a%2Bb", null);
        assertThat(masker.text("the server said: bad token a+b")).isEqualTo("the server said: bad token ***");
    }

    @Test
    void longestSecretFirstSoNoTailIsLeftBehind() {
        SecretMasker masker = SecretMasker.of(List.of("pw", "user:pw"));

        assertThat(masker.text("as user:pw")).isEqualTo("as ***");
    }

    @Test
    void headerValuesAreMaskedButForAFewHarmlessOnes() {
        assertThat(SecretMasker.headerValue("Content-Type", "application/json")).isEqualTo("application/json");
        assertThat(SecretMasker.headerValue("X-Api-Key", "k")).isEqualTo("***");
        assertThat(SecretMasker.headerValue("X-Anything", "v")).isEqualTo("***");
    }

    @Test
    void aCauseChainIsCopiedMaskedOnlyWhenItShowsASecret() {
        SecretMasker masker = SecretMasker.of(List.of(TOKEN));
        IOException clean = new IOException("connection reset", new IllegalStateException("closed"));
        IOException leaking = new IOException("outer", new IllegalStateException("inner " + TOKEN));

        Throwable kept = masker.throwable(clean);
        Throwable copied = masker.throwable(leaking);

        assertThat(kept).isSameAs(clean);
        assertThat(copied.getMessage()).isEqualTo("java.io.IOException: outer");
        assertThat(copied.getCause().getMessage()).isEqualTo("java.lang.IllegalStateException: inner ***");
        assertThat(copied.getCause().getStackTrace())
                .isEqualTo(leaking.getCause().getStackTrace());
    }
}
