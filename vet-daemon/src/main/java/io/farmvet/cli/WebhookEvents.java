package io.farmvet.cli;

import io.farmvet.config.FarmvetConfig;
import io.farmvet.daemon.hooks.SyncEventStore;
import io.farmvet.report.SyncEvent;
import io.farmvet.state.StateStore;
import java.nio.file.Files;
import java.util.Map;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhooks' last sync events the daemon recorded in {@code state.dir}, for a report printed by {@code farmvet
 * vet}: only when webhooks are configured and the daemon's database already exists (a one-shot vet creates no
 * state of its own for this). Best effort: a database the daemon holds open, or any other failure, is a log
 * line and no events.
 */
final class WebhookEvents {
    private static final Logger log = LoggerFactory.getLogger(WebhookEvents.class);

    private WebhookEvents() {}

    static LongFunction<SyncEvent> read(FarmvetConfig config) {
        if (config.server().webhookSecret() == null
                || !Files.isRegularFile(StateStore.file(config.state().dir()))) {
            return repoId -> null;
        }
        try {
            Map<Long, SyncEvent> events = new SyncEventStore(config.state().dir()).latestByRepository();
            return events::get;
        } catch (java.sql.SQLException | RuntimeException e) {
            log.info(
                    "the webhooks' sync events in {} cannot be read now ({}); the report goes without them",
                    config.state().dir(),
                    e.getMessage());
            return repoId -> null;
        }
    }
}
