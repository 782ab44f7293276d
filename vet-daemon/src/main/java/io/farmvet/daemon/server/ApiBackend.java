package io.farmvet.daemon.server;

import io.farmvet.config.ConfigException;
import io.farmvet.config.FarmvetConfig;
import io.farmvet.daemon.VetRequest;
import io.farmvet.daemon.VetRunner;
import io.farmvet.daemon.history.RunSummary;
import io.farmvet.daemon.hooks.BitbucketWebhook;
import java.util.List;
import java.util.Optional;

/** What the REST API serves: a thin door onto the daemon. Implementations are thread-safe. */
public interface ApiBackend {
    /** The config in force: its tokens and node names apply to each request as it arrives. */
    FarmvetConfig config();

    VetRunner.Start startVet(VetRequest request);

    Optional<VetRunner.Flight> running();

    /** A finished vet's report JSON, or empty when unknown (never run, or pruned). */
    Optional<byte[]> report(String id);

    /** Finished vets, newest first, older than {@code beforeId} if not null; throws when the store is unusable. */
    List<RunSummary> history(int limit, String beforeId);

    /** What keeps the daemon from being ready, one phrase each; empty when ready. */
    List<String> notReady();

    /** Re-reads the config file; on failure the old config stays in force. */
    void reload() throws ConfigException;

    /** The Prometheus exposition. */
    String scrape();

    /**
     * Bitbucket's webhook ({@link BitbucketWebhook#receive}), when {@code server.webhook-secret-file} is set;
     * {@code delivery} null means its body was larger than {@link BitbucketWebhook#MAX_BODY_BYTES}.
     */
    default BitbucketWebhook.Answer bitbucketHook(BitbucketWebhook.Delivery delivery) {
        return new BitbucketWebhook.Answer(404, null, "webhooks are off");
    }

    /**
     * The API answered a request on {@code route} (a template, see {@link ApiHandler#routeTemplate}) with
     * {@code status}; must not throw.
     */
    default void requestServed(String route, String method, int status) {}
}
