package io.farmvet.agent;

import io.farmvet.git.StableIds;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.eclipse.jgit.lib.Constants;

/**
 * Maps repository ids ({@link StableIds#repositoryId}) to the repositories under {@code DIR}, so a resync request
 * that names only an id finds its directory. Built by listing two directory levels (no repository is opened),
 * with the same rules as the listing: directories only, symbolic links not followed, names that are not valid
 * keys or slugs skipped. An id that is not found triggers one rescan before it is called unknown, so a repository
 * created by hand since the last scan is found too. Entries are about 100 bytes each.
 *
 * <p>Thread-safe: all methods synchronise on the index.
 */
final class RepositoryIndex {
    /** A repository's names: {@code DIR/<projectKey>/<slug>.git}. */
    record Location(String projectKey, String slug) {
        @Override
        public String toString() {
            return projectKey + "/" + slug;
        }
    }

    private final Path root;
    private Map<Long, Location> byId = new HashMap<>();

    RepositoryIndex(Path root) {
        this.root = root;
    }

    /** {@code DIR}, the folder the repositories are under. */
    Path root() {
        return root;
    }

    /** Reads {@code DIR} afresh. */
    synchronized int rescan() throws IOException {
        Map<Long, Location> fresh = new HashMap<>();
        try (DirectoryStream<Path> projects = Files.newDirectoryStream(root)) {
            for (Path project : projects) {
                if (!Files.isDirectory(project, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                String key = project.getFileName().toString();
                try (DirectoryStream<Path> repositories = Files.newDirectoryStream(project)) {
                    for (Path repository : repositories) {
                        String name = repository.getFileName().toString();
                        if (!name.endsWith(Constants.DOT_GIT_EXT)
                                || !Files.isDirectory(repository, LinkOption.NOFOLLOW_LINKS)) {
                            continue;
                        }
                        String slug = name.substring(0, name.length() - Constants.DOT_GIT_EXT.length());
                        try {
                            fresh.put(StableIds.repositoryId(key, slug), new Location(key, slug));
                        } catch (IllegalArgumentException e) {
                            // Not a valid key or slug: the listing leaves it out too (and logs it).
                        }
                    }
                } catch (IOException e) {
                    // One unreadable project must not hide the others; the listing logs it.
                }
            }
        }
        byId = fresh;
        return fresh.size();
    }

    /** The repository with this id, rescanning {@code DIR} once if it is not known; null if there is none. */
    synchronized Location find(long repositoryId) throws IOException {
        Location location = byId.get(repositoryId);
        if (location == null) {
            rescan();
            location = byId.get(repositoryId);
        }
        return location;
    }

    synchronized void added(Location location) {
        byId.put(StableIds.repositoryId(location.projectKey(), location.slug()), location);
    }

    synchronized void removed(Location location) {
        byId.remove(StableIds.repositoryId(location.projectKey(), location.slug()));
    }

    synchronized int size() {
        return byId.size();
    }
}
