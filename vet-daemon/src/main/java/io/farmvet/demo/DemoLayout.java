package io.farmvet.demo;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Where everything of one demo farm lives, all under one folder:
 *
 * <pre>
 * DIR/primary/KEY/slug.git        the primary's repositories
 * DIR/node-N/KEY/slug.git         node N's mirrors (N = 1, 2, 3)
 * DIR/quarantine/node-N/          where node N's agent moves repositories the primary does not have
 * DIR/agent.token                 the bearer token of every agent (chmod 600)
 * DIR/farmvet.yaml                the farm's config, as an operator would write it
 * DIR/state/                      the repair ledger and audit log ({@code state.dir})
 * </pre>
 */
record DemoLayout(Path dir) {
    static final List<String> NODE_NAMES = List.of("node-1", "node-2", "node-3");

    DemoLayout {
        dir = dir.toAbsolutePath().normalize();
    }

    Path primary() {
        return dir.resolve("primary");
    }

    /** The repositories folder of node {@code index} (0-based), named {@code NODE_NAMES.get(index)}. */
    Path node(int index) {
        return dir.resolve(NODE_NAMES.get(index));
    }

    List<Path> nodes() {
        return IntStream.range(0, NODE_NAMES.size()).mapToObj(this::node).toList();
    }

    Path quarantine(int index) {
        return dir.resolve("quarantine").resolve(NODE_NAMES.get(index));
    }

    Path tokenFile() {
        return dir.resolve("agent.token");
    }

    Path configFile() {
        return dir.resolve("farmvet.yaml");
    }

    Path stateDir() {
        return dir.resolve("state");
    }

    /** The agents' upstream: a {@code file://} URL template into the primary's folder. */
    String upstreamTemplate() {
        String base = primary().toUri().toString();
        return (base.endsWith("/") ? base : base + "/") + "{project}/{repo}.git";
    }
}
