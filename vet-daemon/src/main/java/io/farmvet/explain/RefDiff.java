package io.farmvet.explain;

/**
 * One ref that differs between the primary and a node: {@code "refs": [{"ref", "primary", "node"}]} in the report.
 *
 * @param primary its object id on the primary, null where the primary does not have it
 * @param node its object id on the node, null where the node does not have it
 */
public record RefDiff(String ref, String primary, String node) {}
