package io.farmvet.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code explain.max-repositories} (issue 12, part 5); the bad values are in config/invalid/explain-*. */
class ExplainConfigTest {
    private static final String BASE = "farm:\n  name: emea\nprimary:\n  url: https://bitbucket.example.com\n"
            + "nodes:\n  - name: mirror-1\n    url: https://mirror-1.example.com\n";

    @TempDir
    Path dir;

    private FarmvetConfig load(String yaml) throws Exception {
        Path file = dir.resolve("farmvet.yaml");
        Files.writeString(file, BASE + yaml);
        return ConfigLoader.load(file);
    }

    @Test
    void defaultsTo50AndTakesZeroToListNone() throws Exception {
        assertThat(load("").explain().maxRepositories()).isEqualTo(50);
        assertThat(load("explain:\n").explain().maxRepositories()).isEqualTo(50);
        assertThat(load("explain:\n  max-repositories: 0\n").explain().maxRepositories())
                .isZero();
        assertThat(load("explain:\n  max-repositories: 10000\n").explain().maxRepositories())
                .isEqualTo(10_000);
    }

    @Test
    void survivesACopyForChosenNodesAndADryRun() throws Exception {
        FarmvetConfig config = load("explain:\n  max-repositories: 7\n");

        assertThat(config.withNodes(config.nodes()).explain().maxRepositories()).isEqualTo(7);
        assertThat(config.withDryRun().explain().maxRepositories()).isEqualTo(7);
    }
}
