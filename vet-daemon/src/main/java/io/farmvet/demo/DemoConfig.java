package io.farmvet.demo;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes the demo farm's config file, which the demo then loads with the real {@code ConfigLoader}: the demo runs
 * exactly what an operator would run with {@code ./farmvet vet --config DIR/farmvet.yaml}.
 *
 * <p>Two keys differ from the defaults, for reasons the file states and the demo prints: {@code repair.settle}
 * and {@code repair.max-fraction}.
 */
final class DemoConfig {
    /**
     * Raised from the default 0.05 because the demo farm is small and drifts on purpose: with {@value
     * PrimaryFleet#REPOSITORY_COUNT} repositories 5% allows {@code max(1, ⌊0.05 × 36⌋) = 1} repair per node and
     * vet, and each node drifted in two; 0.1 allows 3.
     */
    static final String MAX_FRACTION = "0.1";

    /** Down from 30s: nothing writes to the demo farm during the vet, so a short second look confirms as well. */
    static final String SETTLE = "1s";

    private DemoConfig() {}

    static Path write(DemoLayout layout, URI primary, List<URI> nodes) throws IOException {
        Path dir = layout.dir();
        StringBuilder yaml = new StringBuilder();
        yaml.append("# The demo farm started by ./farmvet demo. Vet it again with\n");
        yaml.append("#   ./farmvet vet --config ").append(layout.configFile()).append('\n');
        yaml.append("farm:\n  name: demo\n  scope: inferred\n");
        yaml.append("primary:\n");
        server(yaml, "  ", primary, dir.relativize(layout.tokenFile()));
        yaml.append("nodes:\n");
        for (int i = 0; i < nodes.size(); i++) {
            yaml.append("  - name: ").append(DemoLayout.NODE_NAMES.get(i)).append('\n');
            server(yaml, "    ", nodes.get(i), dir.relativize(layout.tokenFile()));
        }
        yaml.append("http:\n  connect-timeout: 2s\n  read-timeout: 30s\n");
        yaml.append("vet:\n  deadline: 2m\n");
        yaml.append("repair:\n");
        yaml.append("  mode: agent\n");
        yaml.append(
                "  # The default is 30s; nothing writes to this farm during a vet, so a short second look will do.\n");
        yaml.append("  settle: ").append(SETTLE).append('\n');
        yaml.append("  # The default is 0.05: with " + PrimaryFleet.REPOSITORY_COUNT
                + " repositories that allows one repair per node and vet, and each\n");
        yaml.append("  # node of the demo drifted in two on purpose. Keep the default on a real farm.\n");
        yaml.append("  max-fraction: ").append(MAX_FRACTION).append('\n');
        yaml.append("state:\n  dir: ").append(dir.relativize(layout.stateDir())).append('\n');
        return Files.writeString(layout.configFile(), yaml.toString());
    }

    private static void server(StringBuilder yaml, String indent, URI url, Path tokenFile) {
        yaml.append(indent).append("url: ").append(url).append('\n');
        yaml.append(indent).append("auth:\n");
        yaml.append(indent).append("  bearer-token-file: ").append(tokenFile).append('\n');
    }
}
