package io.farmvet.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import io.farmvet.testing.FakeServer;
import io.farmvet.testing.Listings;
import io.farmvet.testing.SelfSignedTls;
import io.farmvet.testing.TestConfigs;
import io.farmvet.vet.VetReport;
import io.farmvet.vet.VetReports;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS is verified, always; {@code http.ca-file} adds trust for an internal CA. */
class TlsFetchTest {
    @Test
    void aCertificateNobodyTrustsFailsTheNodeAndSaysWhatToDo(@TempDir Path dir) throws Exception {
        SelfSignedTls tls = SelfSignedTls.create(dir);
        String json = Listings.generated(20, 2).json();
        try (FakeServer primary = FakeServer.start(FakeServer.json(json));
                FakeServer node = FakeServer.startTls(tls.serverContext(), FakeServer.json(json))) {

            VetReport untrusted =
                    VetReports.vet(new TestConfigs().primary(primary.url()).node("n", node.url()));
            VetReport trusted = VetReports.vet(new TestConfigs()
                    .primary(primary.url())
                    .node("n", node.url())
                    .caFile(tls.caFile()));

            assertThat(untrusted.nodes().get(0).error())
                    .startsWith("n: TLS with 127.0.0.1 failed: ")
                    .endsWith("add that CA to http.ca-file");
            assertThat(trusted.status()).isEqualTo(VetReport.Status.CONSISTENT);
        }
    }
}
