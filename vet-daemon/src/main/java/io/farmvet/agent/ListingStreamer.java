package io.farmvet.agent;

import io.farmvet.git.RepositoryHasher;
import io.farmvet.git.RepositoryHashes;
import io.farmvet.git.StableIds;
import io.farmvet.listing.ListingKind;
import io.farmvet.listing.ListingWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.eclipse.jgit.lib.Constants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the repo-hashes listing of the repositories under {@code DIR/<project-key>/<slug>.git} while it is
 * computed.
 *
 * <p>Strategy: projects are visited one after another in name order, so each appears exactly once in the
 * {@code projects} array; within a project, repositories are hashed in parallel on the shared hashing pool, at
 * most {@code window} at a time, and written in the order they finish. Memory is bounded by the window (a few
 * hundred bytes per repository in flight), not by the size of a project or of the fleet; only the sorted names of
 * the current project's directory are held. A project is written when its first repository hashes, so an empty
 * project folder (left after its last repository was quarantined, say) is not listed and does not widen the vet's
 * inferred scope.
 *
 * <p>A repository that fails to hash (unreadable, corrupt, not a valid name, a symbolic link) is left out and
 * logged; the vet then reports it as {@code missing} on this node, which a resync repairs by fetching it afresh.
 * A listing is never a broken document because of one repository. If the walk itself fails ({@code DIR}
 * unreadable, the client gone), the exception propagates and the document is left unfinished, so a reader can
 * never mistake part of a listing for all of it.
 *
 * <p>Thread-safe: each {@link #write} call uses only its own state and the shared, thread-safe hasher and pool.
 */
final class ListingStreamer {
    private static final Logger LOG = LoggerFactory.getLogger(ListingStreamer.class);

    private final Path root;
    private final RepositoryHasher hasher;
    private final ExecutorService hashPool;
    private final int window;

    /**
     * @param window repositories of one listing hashed or queued at a time; twice the pool's threads keeps every
     *     thread busy while the writer drains finished ones
     */
    ListingStreamer(Path root, RepositoryHasher hasher, ExecutorService hashPool, int window) {
        this.root = root;
        this.hasher = hasher;
        this.hashPool = hashPool;
        this.window = window;
    }

    /** Repositories written and left out by one {@link #write}. */
    record Summary(int projects, int repositories, int leftOut) {}

    /**
     * Writes the whole listing to {@code out} (flushed, not closed).
     *
     * @throws IOException {@code DIR} cannot be listed, or writing to {@code out} failed
     */
    Summary write(OutputStream out, ListingKind kind) throws IOException, InterruptedException {
        ListingWriter writer = new ListingWriter(out, kind);
        int projects = 0;
        int repositories = 0;
        int leftOut = 0;
        for (Path project : sortedEntries(root)) {
            BasicFileAttributes attrs = attributes(project);
            if (attrs == null || !attrs.isDirectory()) {
                if (attrs != null && attrs.isSymbolicLink()) {
                    LOG.warn("listing: left out {}: a project that is a symbolic link is not followed", project);
                }
                continue;
            }
            String key = project.getFileName().toString();
            long projectId;
            List<Path> candidates;
            try {
                projectId = StableIds.projectId(key);
                candidates = sortedEntries(project);
            } catch (IllegalArgumentException | IOException e) {
                LOG.warn("listing: left out project {}: {}", project, e.getMessage());
                continue;
            }
            ProjectCount count = writeProject(writer, projectId, key, candidates);
            if (count.written > 0) {
                projects++;
            }
            repositories += count.written;
            leftOut += count.leftOut;
        }
        // Only here, after every project: close() finishes the document, which must not happen after a failure.
        writer.close();
        return new Summary(projects, repositories, leftOut);
    }

    private static final class ProjectCount {
        int written;
        int leftOut;
    }

    private ProjectCount writeProject(ListingWriter writer, long projectId, String key, List<Path> candidates)
            throws IOException, InterruptedException {
        ProjectCount count = new ProjectCount();
        CompletionService<RepositoryHashes> done = new ExecutorCompletionService<>(hashPool);
        Set<Future<RepositoryHashes>> inFlight = new HashSet<>();
        Iterator<Path> next = candidates.iterator();
        boolean finished = false;
        try {
            while (next.hasNext() || !inFlight.isEmpty()) {
                while (inFlight.size() < window && next.hasNext()) {
                    Path repository = next.next();
                    String slug = slugOf(repository);
                    if (slug != null) {
                        inFlight.add(done.submit(() -> hash(repository, key, slug)));
                    }
                }
                if (inFlight.isEmpty()) {
                    continue;
                }
                Future<RepositoryHashes> future = done.take();
                inFlight.remove(future);
                RepositoryHashes hashes;
                try {
                    hashes = future.get();
                } catch (ExecutionException e) {
                    // The vet sees this repository as missing here; a resync fetches it afresh.
                    LOG.warn("listing: left out {}", e.getCause().getMessage());
                    count.leftOut++;
                    continue;
                }
                if (count.written == 0) {
                    writer.startProject(projectId, false, key);
                }
                writer.repository(hashes.repositoryId(), hashes.slug(), hashes.contentHash(), hashes.metadataHash());
                count.written++;
            }
            if (count.written > 0) {
                writer.endProject();
            }
            finished = true;
            return count;
        } finally {
            if (!finished) {
                inFlight.forEach(f -> f.cancel(true));
            }
        }
    }

    private RepositoryHashes hash(Path repository, String key, String slug) throws IOException {
        try {
            return hasher.hash(repository, key, slug);
        } catch (IllegalArgumentException e) {
            // A directory name that is not a valid slug: the message alone would not say which directory.
            throw new IOException(repository + ": " + e.getMessage(), e);
        }
    }

    /** The slug of a {@code <slug>.git} directory, or null for anything else (logged when it is a link). */
    private static String slugOf(Path repository) {
        String name = repository.getFileName().toString();
        if (!name.endsWith(Constants.DOT_GIT_EXT)) {
            return null;
        }
        BasicFileAttributes attrs = attributes(repository);
        if (attrs == null || !attrs.isDirectory()) {
            if (attrs != null && attrs.isSymbolicLink()) {
                LOG.warn("listing: left out {}: a repository that is a symbolic link is not followed", repository);
            }
            return null;
        }
        return name.substring(0, name.length() - Constants.DOT_GIT_EXT.length());
    }

    private static BasicFileAttributes attributes(Path path) {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            LOG.warn("listing: left out {}: {}", path, e.toString());
            return null;
        }
    }

    private static List<Path> sortedEntries(Path dir) throws IOException {
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(entries::add);
        }
        entries.sort(null);
        return entries;
    }
}
