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

    /** Sets every field, for writers of tests and for other sources of entries than a JSON document. */
    public ListingEntry set(long projectId, long repositoryId, CharSequence contentHex, CharSequence metadataHex) {
        this.projectId = projectId;
        this.repositoryId = repositoryId;
        content.setHex(contentHex);
        metadata.setHex(metadataHex);
        return this;
    }

    @Override
    public String toString() {
        return "repository " + repositoryId + " (project " + projectId + ") content=" + content + " metadata="
                + metadata;
    }
}
