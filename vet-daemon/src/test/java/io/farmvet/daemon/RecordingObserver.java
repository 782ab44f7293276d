package io.farmvet.daemon;

import io.farmvet.vet.VetReport;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A {@link VetObserver} that remembers what it was told, and scrapes as a fixed line, for tests. */
final class RecordingObserver implements VetObserver {
    static final String SCRAPE = "# HELP farmvet_test a test metric\n# TYPE farmvet_test gauge\nfarmvet_test 1\n";

    final AtomicInteger started = new AtomicInteger();
    final List<VetReport> finished = new CopyOnWriteArrayList<>();
    final List<Boolean> reloads = new CopyOnWriteArrayList<>();
    final AtomicInteger historyWriteFailures = new AtomicInteger();
    final List<String> webhooks = new CopyOnWriteArrayList<>();

    @Override
    public void webhookReceived(String outcome) {
        webhooks.add(outcome);
    }

    @Override
    public void vetStarted() {
        started.incrementAndGet();
    }

    @Override
    public void vetFinished(VetReport report) {
        finished.add(report);
    }

    @Override
    public void reloaded(boolean ok) {
        reloads.add(ok);
    }

    @Override
    public String scrape() {
        return SCRAPE;
    }

    @Override
    public void historyWriteFailed() {
        historyWriteFailures.incrementAndGet();
    }
}
