package io.farmvet.demo;

import io.farmvet.concurrent.NamedThreads;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;

/**
 * Clones the primary's repositories into a node's folder as bare mirrors with JGit ({@code git clone --mirror}
 * without the {@code git} executable). Independent of the agent's own resync code, so that the demo's nodes do not
 * start out shaped by the code under demonstration.
 */
final class NodeClones {
    private NodeClones() {}

    /** Clones every node at once, one thread per node: cloning is file I/O, which overlaps well. */
    static void cloneNodes(Path primary, List<Path> nodes, List<RepositoryName> names)
            throws IOException, InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(nodes.size(), NamedThreads.of("demo-clone"));
        try {
            List<Future<Void>> clones = new ArrayList<>();
            for (Path node : nodes) {
                clones.add(pool.submit(() -> {
                    cloneAll(primary, node, names);
                    return null;
                }));
            }
            for (Future<Void> clone : clones) {
                try {
                    clone.get();
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof IOException io) {
                        throw io;
                    }
                    throw new IllegalStateException("cloning a node failed unexpectedly", e.getCause());
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    static void cloneAll(Path primary, Path node, List<RepositoryName> names) throws IOException {
        for (RepositoryName name : names) {
            Path target = name.path(node);
            Files.createDirectories(target.getParent());
            try (Git ignored = Git.cloneRepository()
                    .setURI(name.path(primary).toUri().toString())
                    .setDirectory(target.toFile())
                    .setBare(true)
                    .setMirror(true)
                    .call()) {
                // Cloned; nothing else to do with it.
            } catch (GitAPIException e) {
                throw new IOException("cannot clone " + name + " into " + target + ": " + e.getMessage(), e);
            }
        }
    }
}
