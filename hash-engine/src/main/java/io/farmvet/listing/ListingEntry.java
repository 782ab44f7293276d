package io.farmvet.listing;

/**
 * One repository of a listing, as a reusable cursor: {@link ListingReader} fills the same instance for every
 * entry so that reading allocates nothing per repository.
 */
public final class ListingEntry {
    long projectId;
    long repositoryId;
    final HashValue content = new HashValue();
    final HashValue metadata = new HashValue();
    String slug;

    public long projectId() {
        return projectId;
    }

    public long repositoryId() {
        return repositoryId;
    }

    /** The content hash; {@link HashValue#present()} is false in a {@code /metadata} listing. */
    public HashValue content() {
        return content;
    }

    /** The metadata hash; {@link HashValue#present()} is false in a {@code /content} listing. */
    public HashValue metadata() {
        return metadata;
    }

    /**
     * The repository's slug where the listing names it (farmvet's agent does, so that a node can be asked to
     * clone a repository it does not have; Bitbucket does not), else null.
     */
    public String slug() {
        return slug;
    }

    /** Sets every field, for writers of tests and for other sources of entries than a JSON document. */
    public ListingEntry set(long projectId, long repositoryId, CharSequence contentHex, CharSequence metadataHex) {
        this.projectId = projectId;
        this.repositoryId = repositoryId;
        content.setHex(contentHex);
        metadata.setHex(metadataHex);
        slug = null;
        return this;
    }

    /** Sets the slug after {@link #set}, for writers of tests. */
    public ListingEntry slug(String slug) {
        this.slug = slug;
        return this;
    }

    @Override
    public String toString() {
        return "repository " + repositoryId + " (project " + projectId + ") content=" + content + " metadata="
                + metadata;
    }
}
