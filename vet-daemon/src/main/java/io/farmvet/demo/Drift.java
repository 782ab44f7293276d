package io.farmvet.demo;

import io.farmvet.compare.Kind;

/**
 * One change the demo made to one node's copy of one repository, and the kind of drift a vet must find there.
 *
 * @param node the node's name in the farm config ({@code node-1} …)
 * @param repository the repository changed (for an extra one, a repository the primary does not have)
 * @param change what was done, for a person
 */
record Drift(String node, RepositoryName repository, String change, Kind kind) {}
