package io.farmvet.demo;

import io.farmvet.git.StableIds;
import java.nio.file.Path;

/** A repository of the demo farm by its names: {@code KEY/slug}, at {@code DIR/KEY/slug.git} on every server. */
record RepositoryName(String projectKey, String slug) {

    Path path(Path root) {
        return root.resolve(projectKey).resolve(slug + ".git");
    }

    /** The id every server's listing gives it ({@link StableIds}). */
    long repositoryId() {
        return StableIds.repositoryId(projectKey, slug);
    }

    @Override
    public String toString() {
        return projectKey + "/" + slug;
    }
}
