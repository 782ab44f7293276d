package io.farmvet.git;

/**
 * Project and repository ids that every node derives from names alone, so a primary and its mirrors agree on
 * them without talking to each other.
 *
 * <p>Derivation (version 1; changing it changes every id in every listing, so a new rule needs a new version
 * line):
 *
 * <pre>
 * projectId    = first 8 bytes, big-endian, of SHA-256(UTF-8("farmvet-project-id 1\n" + projectKey))     &amp; (2^53 - 1)
 * repositoryId = first 8 bytes, big-endian, of SHA-256(UTF-8("farmvet-repository-id 1\n" + projectKey + "/" + slug)) &amp; (2^53 - 1)
 * </pre>
 *
 * and a result of 0 is replaced by 1, so an id is never 0 (0 reads as "no id" in many clients). 53 bits keep
 * every id exactly representable as a JavaScript number ({@code Number.MAX_SAFE_INTEGER} is 2^53 - 1). Names
 * are used as given: no case folding and no Unicode normalisation, so {@code "PROJ"} and {@code "proj"} are two
 * projects, as they are two directories.
 *
 * <p>Collision odds: ids are uniform over 2^53 values, so by the birthday bound the chance that any two of
 * {@code n} repositories share an id is about {@code n^2 / 2^54}: 5.6e-7 for 100,000 repositories, 5.6e-5 for
 * a million, 5.6e-3 for ten million. Project and repository ids are separate spaces (different prefixes), so a
 * project id equal to a repository id is harmless.
 *
 * <p>Stateless and thread-safe.
 */
public final class StableIds {
    /** Largest id: {@code 2^53 - 1}, JavaScript's {@code Number.MAX_SAFE_INTEGER}. */
    public static final long MAX_ID = (1L << 53) - 1;

    static final String PROJECT_ID_PREFIX = "farmvet-project-id 1\n";
    static final String REPOSITORY_ID_PREFIX = "farmvet-repository-id 1\n";

    private StableIds() {}

    /** The id of the project with this key (the directory name under the repositories root). */
    public static long projectId(String projectKey) {
        Names.requireValid("project key", projectKey);
        return idOf(PROJECT_ID_PREFIX + projectKey);
    }

    /** The id of repository {@code slug} (its directory name without {@code .git}) in project {@code projectKey}. */
    public static long repositoryId(String projectKey, String slug) {
        Names.requireValid("project key", projectKey);
        Names.requireValid("repository slug", slug);
        return idOf(REPOSITORY_ID_PREFIX + projectKey + "/" + slug);
    }

    private static long idOf(String canonical) {
        byte[] digest = Sha256.digest(canonical);
        long id = 0;
        for (int i = 0; i < Long.BYTES; i++) {
            id = (id << 8) | (digest[i] & 0xff);
        }
        id &= MAX_ID;
        // Probability 2^-53 per name; mapping to 1 keeps the rule total and adds that much to id 1's odds.
        return id == 0 ? 1 : id;
    }
}
