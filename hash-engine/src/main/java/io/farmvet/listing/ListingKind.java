package io.farmvet.listing;

/** The three variants of the repo-hashes listing and the hashes each one carries. */
public enum ListingKind {
    /** {@code rest/mirroring/latest/repo-hashes}: content and metadata hash per repository. */
    FULL("rest/mirroring/latest/repo-hashes", true, true),
    /** {@code rest/mirroring/latest/repo-hashes/content}: the content hash only. */
    CONTENT("rest/mirroring/latest/repo-hashes/content", true, false),
    /** {@code rest/mirroring/latest/repo-hashes/metadata}: the metadata hash only. */
    METADATA("rest/mirroring/latest/repo-hashes/metadata", false, true);

    private final String path;
    private final boolean carriesContent;
    private final boolean carriesMetadata;

    ListingKind(String path, boolean carriesContent, boolean carriesMetadata) {
        this.path = path;
        this.carriesContent = carriesContent;
        this.carriesMetadata = carriesMetadata;
    }

    /** The path below a server's base URL, without a leading slash. */
    public String path() {
        return path;
    }

    public boolean carriesContent() {
        return carriesContent;
    }

    public boolean carriesMetadata() {
        return carriesMetadata;
    }
}
