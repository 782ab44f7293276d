package io.farmvet.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.farmvet.compare.Kind;
import io.farmvet.compare.Scope;
import io.farmvet.fetch.ListingFetcher;
import io.farmvet.listing.ListingLimits;
import io.farmvet.listing.ListingReader;
import io.farmvet.testing.TestConfigs;
import io.farmvet.vet.Vet;
import io.farmvet.vet.VetReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark's farm and server, small and untimed: a vet over them finds exactly the drift the generator says
 * it wrote, so the numbers of {@code farmvet bench vet} are numbers of a correct vet.
 */
class SyntheticFarmTest {
    @TempDir
    Path dir;

    @Test
    void aVetOverTheServedFarmFindsExactlyTheGeneratedDrift() throws Exception {
        SyntheticFarm.Farm farm = new SyntheticFarm(5_000, 40, 0.05, 7).write(dir, 2);
        Map<String, Path> files = new LinkedHashMap<>();
        files.put("primary", farm.primary());
        files.put("node-1", farm.nodes().get(0).file());
        files.put("node-2", farm.nodes().get(1).file());

        VetReport report;
        try (ListingFileServer server = new ListingFileServer(files)) {
            TestConfigs config = new TestConfigs()
                    .scope(Scope.ALL)
                    .primary(server.url("primary"))
                    .node("node-1", server.url("node-1"))
                    .node("node-2", server.url("node-2"));
            try (ListingFetcher fetcher =
                    new ListingFetcher(config.build().http(), new ListingReader(ListingLimits.DEFAULTS), 3)) {
                Vet vet = new Vet(config.build(), fetcher, Clock.systemUTC());
                report = vet.run(vet.newProgress());
            }
        }

        assertThat(report.primary().repositories()).isEqualTo(5_000L);
        assertThat(report.primary().bytes()).isEqualTo(Files.size(farm.primary()));
        for (int i = 0; i < 2; i++) {
            VetReport.NodeResult node = report.nodes().get(i);
            SyntheticFarm.Node written = farm.nodes().get(i);
            assertThat(node.status()).isEqualTo(VetReport.NodeStatus.VETTED);
            assertThat(node.repositories()).isEqualTo(written.repositories());
            assertThat((long) node.inconsistencies().size()).isEqualTo(written.expected());
            // 5% of 5000 drifts: every kind is there, and each drifted repository has exactly one kind.
            for (Kind kind : Kind.values()) {
                assertThat(node.inconsistencies())
                        .as("%s on %s", kind, node.name())
                        .anySatisfy(found -> assertThat(found.kinds()).isEqualTo(Set.of(kind)));
            }
            assertThat(node.inconsistencies())
                    .allSatisfy(found -> assertThat(found.kinds()).hasSize(1));
        }
        assertThat(report.nodes().get(0).inconsistencies())
                .as("each node drifts in its own way")
                .isNotEqualTo(report.nodes().get(1).inconsistencies());
    }
}
