package io.farmvet.vet;

import io.farmvet.config.FarmvetConfig;
import io.farmvet.fetch.ServerProgress;
import java.util.ArrayList;
import java.util.List;

/** Live counters of one vet, a {@link ServerProgress} per server, the primary first. */
public final class VetProgress {
    private final FarmvetConfig config;
    private final List<ServerProgress> servers = new ArrayList<>();

    VetProgress(FarmvetConfig config) {
        this.config = config;
        servers.add(new ServerProgress(config.primary().name()));
        for (FarmvetConfig.Server node : config.nodes()) {
            servers.add(new ServerProgress(node.name()));
        }
    }

    public ServerProgress primary() {
        return servers.get(0);
    }

    public ServerProgress node(int index) {
        return servers.get(index + 1);
    }

    /** Fresh counters for the vet's second look, which confirms drift before repairing it. */
    VetProgress secondLook() {
        return new VetProgress(config);
    }

    public List<ServerProgress> servers() {
        return List.copyOf(servers);
    }
}
