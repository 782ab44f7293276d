package io.farmvet.grokmirror;

/**
 * One repository of a grokmirror manifest, as a reusable cursor: {@link ManifestReader} fills the same instance for
 * every key, so copy what must outlive {@link ManifestHandler#repository}.
 */
public final class ManifestEntry {
    /** {@link #modified()} of an entry that carries none. */
    public static final long NO_MODIFIED = Long.MIN_VALUE;

    String path;
    String fingerprint;
    String head;
    long modified;

    void clear(String path) {
        this.path = path;
        fingerprint = null;
        head = null;
        modified = NO_MODIFIED;
    }

    /** The manifest's key, with a leading {@code /} added where a grokmirror 1.x manifest left it out. */
    public String path() {
        return path;
    }

    /**
     * grokmirror's fingerprint in lower-case hex: SHA-1 of the repository's {@code git show-ref} output, or null when
     * the manifest carries none (see {@link ManifestReader}).
     */
    public String fingerprint() {
        return fingerprint;
    }

    /** The text of the repository's {@code HEAD} file ({@code ref: refs/heads/master}), or null. */
    public String head() {
        return head;
    }

    /** Newest committer date of the repository, in seconds since the epoch, or {@link #NO_MODIFIED}. */
    public long modified() {
        return modified;
    }

    @Override
    public String toString() {
        return path + " fingerprint=" + fingerprint + " head=" + head;
    }
}
