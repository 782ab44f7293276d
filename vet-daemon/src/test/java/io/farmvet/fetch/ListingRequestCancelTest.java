package io.farmvet.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.farmvet.listing.ListingKind;
import io.farmvet.listing.ListingLimits;
import io.farmvet.listing.ListingReader;
import io.farmvet.secret.SecretMasker;
import java.time.Duration;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.CloseableHttpResponse;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.io.CloseMode;
import org.junit.jupiter.api.Test;

/**
 * A cancel that races the connection lease makes HttpClient throw {@code IllegalStateException("Endpoint not
 * acquired / already released")} from {@code executeOpen}. Seen in {@code DaemonTest} while the daemon stopped
 * (issue 6): the unchecked exception went past {@link ListingRequest#send}, and the report's error was that bare
 * text, naming neither the server nor the cancel. The race is not reproducible on demand, so the client here
 * throws what HttpClient throws.
 */
class ListingRequestCancelTest {
    private static final String URL = "http://127.0.0.1:1/rest/mirroring/latest/repo-hashes";

    @Test
    void issue6_anUncheckedClientErrorDuringACancelNamesTheServerAndTheCancel() {
        ListingRequest request = request();
        request.cancel("vet cancelled: farmvet is stopping");

        FetchException e = catchThrowableOfType(FetchException.class, request::send);

        assertThat(e).hasMessageStartingWith("primary: vet cancelled: farmvet is stopping after 0 repositories (");
        assertThat(e.getCause()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void issue6_anUncheckedClientErrorWithoutACancelIsAnUnexpectedErrorOfThatServer() {
        FetchException e = catchThrowableOfType(FetchException.class, request()::send);

        assertThat(e)
                .hasMessageStartingWith("primary: unexpected error after 0 repositories (")
                .hasMessageEndingWith(": java.lang.IllegalStateException: Endpoint not acquired / already released");
    }

    private static ListingRequest request() {
        ServerProgress progress = new ServerProgress("primary");
        FetchFailure failure = new FetchFailure(
                "primary", URL, "primary", SecretMasker.none(), progress, Duration.ofSeconds(1), Duration.ofSeconds(1));
        return new ListingRequest(
                new RacingClient(),
                new HttpGet(URL),
                new ListingReader(ListingLimits.DEFAULTS),
                ListingKind.FULL,
                failure,
                progress);
    }

    /** Throws what HttpClient throws when a cancel releases the endpoint it is about to use. */
    private static final class RacingClient extends CloseableHttpClient {
        @Override
        protected CloseableHttpResponse doExecute(HttpHost target, ClassicHttpRequest request, HttpContext context) {
            throw new IllegalStateException("Endpoint not acquired / already released");
        }

        @Override
        public void close(CloseMode closeMode) {}

        @Override
        public void close() {}
    }
}
