package io.farmvet.git;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import org.eclipse.jgit.lib.Repository;

/**
 * The content hash's input, built one ref at a time: the rule of {@link RepositoryHasher} (lines {@code "<object-id>
 * <refname>\n"} of the refs under the prefixes, sorted by the names' UTF-8 bytes compared unsigned, names git rejects
 * left out), in one place so that a repository read from disk and one listed over the Git protocol hash alike.
 * Not thread-safe; one per repository.
 */
public final class ContentHash {
    private final List<String> refPrefixes;
    // Keyed by the UTF-8 bytes compared unsigned: byte order is the contract, and overlapping prefixes (refs/ and
    // refs/heads/) must not produce a line twice.
    private final TreeMap<byte[], String> lines = new TreeMap<>(Arrays::compareUnsigned);

    /** @param refPrefixes as {@link RepositoryHasher#refPrefixes()} */
    public ContentHash(List<String> refPrefixes) {
        this.refPrefixes = refPrefixes;
    }

    /**
     * Adds ref {@code name} with object id {@code objectId} (an annotated tag's own id, never the peeled one).
     *
     * @return whether it is a line of the hash (under a prefix, a name git accepts)
     */
    public boolean add(String name, String objectId) {
        // git for-each-ref drops names check-ref-format rejects; JGit and a server's advertisement may list them.
        if (objectId == null || refPrefixes.stream().noneMatch(name::startsWith) || !Repository.isValidRefName(name)) {
            return false;
        }
        lines.put(name.getBytes(StandardCharsets.UTF_8), objectId + " " + name + "\n");
        return true;
    }

    /** How many lines the hash covers. */
    public int refCount() {
        return lines.size();
    }

    /** The exact text hashed. */
    public String input() {
        StringBuilder input = new StringBuilder(lines.size() * 64);
        lines.values().forEach(input::append);
        return input.toString();
    }

    /** Lower-case hex SHA-256 of {@link #input()}. */
    public String hex() {
        return Sha256.hex(input());
    }
}
