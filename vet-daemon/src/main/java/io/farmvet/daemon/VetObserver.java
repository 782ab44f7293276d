package io.farmvet.daemon;

import io.farmvet.vet.VetReport;
import java.util.List;

/**
 * What the daemon tells its metrics, and where it gets the text {@code GET /metrics} serves. The daemon calls
 * these from its vet thread, its reload path and the HTTP threads, so implementations must be thread-safe, fast
 * and must not throw (the daemon logs and carries on if one does). {@link #scrape} must do no work beyond
 * rendering what is already counted.
 */
public interface VetObserver {
    /** Reports nothing and serves an empty exposition: for a daemon run without metrics. */
    VetObserver NONE = new VetObserver() {
        @Override
        public void vetStarted() {}

        @Override
        public void vetFinished(VetReport report) {}

        @Override
        public void reloaded(boolean ok) {}

        @Override
        public String scrape() {
            return "";
        }
    };

    /** A vet is starting (scheduled or triggered). */
    void vetStarted();

    /** A vet has ended with this report: every vet that started ends here, cancelled ones as incomplete. */
    void vetFinished(VetReport report);

    /** A config reload was tried: {@code ok} false means the old config stays in force. */
    void reloaded(boolean ok);

    /** The Prometheus text exposition (format 0.0.4) of everything counted so far. */
    String scrape();

    /**
     * A finished vet could not be written to the run history (read-only or full state.dir): the daemon logged
     * it and keeps serving the report from memory. No-op unless the metrics count it.
     */
    default void historyWriteFailed() {}

    /**
     * The REST API answered a request on {@code route} (a template such as {@code /api/v1/vets/{id}}, or
     * {@code other}) with {@code status}. No-op unless the metrics count it.
     */
    default void requestServed(String route, String method, int status) {}

    /**
     * {@code POST /api/v1/hooks/bitbucket} answered a delivery with this outcome ({@code accepted},
     * {@code duplicate}, {@code ignored}, {@code other-mirror}, {@code bad-signature}, {@code bad-request}). No-op
     * unless counted.
     */
    default void webhookReceived(String outcome) {}

    /** A reload changed the configured nodes: new ones get their series, gone ones lose them. */
    default void nodesChanged(List<String> nodeNames) {}
}
