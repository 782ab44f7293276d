package io.farmvet.vet;

import io.farmvet.config.FarmvetConfig;
import io.farmvet.fetch.ListingFetcher;
import io.farmvet.listing.ListingReader;
import io.farmvet.testing.TestConfigs;
import java.time.Clock;

/** Runs one vet the way the command line does, for tests in any package. */
public final class VetReports {
    private VetReports() {}

    public static VetReport vet(TestConfigs configs) throws Exception {
        FarmvetConfig config = configs.build();
        try (ListingFetcher fetcher = new ListingFetcher(
                config.http(), new ListingReader(config.listing().limits()), 8)) {
            Vet vet = new Vet(config, fetcher, Clock.systemUTC());
            return vet.run(vet.newProgress());
        }
    }
}
