package io.farmvet.git;

/**
 * The metadata hash: what a mirror must agree on about a repository besides its refs, limited to what it can
 * learn over the Git protocol (the path it is served at and the default branch that {@code HEAD} advertises).
 *
 * <p>Canonical form, version 1: the UTF-8 bytes of exactly four lines, each ending in {@code '\n'} (no
 * {@code '\r'}, no trailing blank line):
 *
 * <pre>
 * farmvet-metadata 1
 * project &lt;projectKey&gt;
 * repository &lt;slug&gt;
 * head &lt;head&gt;
 * </pre>
 *
 * where {@code head} is the full name of the ref {@code HEAD} finally points to when it is symbolic (following
 * chains, as {@code git symbolic-ref HEAD} and the protocol's {@code symref=HEAD:} capability do; e.g.
 * {@code refs/heads/main}, also when that branch does not exist yet), the 40 hex digits of its object id when
 * {@code HEAD} is detached, or the empty string when there is no {@code HEAD} (then the line is {@code "head \n"}).
 * The hash is the lower-case hex SHA-256 of those bytes. Check one by hand with
 *
 * <pre>
 * printf 'farmvet-metadata 1\nproject %s\nrepository %s\nhead %s\n' PROJ repo refs/heads/main | sha256sum
 * </pre>
 *
 * <p>Keys and slugs may not contain {@code '/'} or control characters, and ref names cannot contain control
 * characters, so distinct inputs always give distinct forms. Stateless and thread-safe.
 */
public final class MetadataHash {
    /** First line of the canonical form; a new form gets a new number so old and new hashes never compare equal. */
    public static final String FORMAT_LINE = "farmvet-metadata 1";

    private MetadataHash() {}

    /** The exact text that is hashed. */
    public static String canonicalForm(String projectKey, String slug, String head) {
        Names.requireValid("project key", projectKey);
        Names.requireValid("repository slug", slug);
        if (head == null) {
            throw new IllegalArgumentException("head must not be null (use \"\" when there is no HEAD)");
        }
        for (int i = 0; i < head.length(); i++) {
            if (head.charAt(i) < 0x20) {
                throw new IllegalArgumentException("head must not contain control characters: " + Names.escape(head));
            }
        }
        return FORMAT_LINE + "\nproject " + projectKey + "\nrepository " + slug + "\nhead " + head + "\n";
    }

    /** Lower-case hex SHA-256 of {@link #canonicalForm}. */
    public static String of(String projectKey, String slug, String head) {
        return Sha256.hex(canonicalForm(projectKey, slug, head));
    }
}
