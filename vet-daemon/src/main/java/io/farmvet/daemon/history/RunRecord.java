package io.farmvet.daemon.history;

import java.util.List;

/**
 * One finished vet, ready to be written: its summary, how it was started, and the whole report as the REST API
 * serves it.
 *
 * @param trigger {@code schedule} or {@code api}
 * @param nodes the nodes a trigger restricted the vet to; empty for all
 * @param reportJson the report exactly as {@code JsonReport} wrote it
 */
public record RunRecord(RunSummary summary, String trigger, boolean dryRun, List<String> nodes, byte[] reportJson) {
    public RunRecord {
        nodes = List.copyOf(nodes);
    }
}
