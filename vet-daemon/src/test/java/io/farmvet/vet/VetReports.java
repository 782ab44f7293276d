package io.farmvet.vet;

import io.farmvet.config.FarmvetConfig;
import io.farmvet.fetch.ListingFetcher;
import io.farmvet.listing.ListingReader;
import io.farmvet.report.JsonReport;
import io.farmvet.report.TextReport;
import io.farmvet.testing.TestConfigs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;

/** Runs one vet the way the command line does, and writes reports as it does, for tests in any package. */
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

    /** The JSON report as {@code farmvet vet --json} writes it. */
    public static String json(VetReport report) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        JsonReport.write(report, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The JSON report without any whitespace, to compare fragments of it whatever the layout. */
    public static String compactJson(VetReport report) throws IOException {
        return json(report).replaceAll("\\s+", "");
    }

    /** The text report as {@code farmvet vet} prints it. */
    public static String text(VetReport report) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TextReport.write(report, new PrintStream(out, true, StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }
}
