package io.farmvet.compare;

import io.farmvet.listing.EntryRejectedException;
import io.farmvet.listing.HashValue;
import io.farmvet.listing.ListingEntry;
import io.farmvet.listing.ListingHandler;
import java.util.Arrays;

/**
 * The primary's listing held once, compactly, keyed by repository id, so that every node's listing can be
 * streamed against it in whatever order the node sends it.
 *
 * <p>Per repository it keeps the id, the index of its project, and both hashes as packed nibbles in one byte
 * arena (a length byte, 0 for absent, then the nibbles): about 90 bytes for 64-character hashes, with no object
 * per entry. Project keys and repository slugs are kept only where the listing names them (farmvet's agent does,
 * so that a node can be asked to clone a repository it lacks; Bitbucket does not, and then they cost nothing).
 * Fill it as the {@link ListingHandler} of the primary's read; after that it is read-only and safe to share
 * between the threads comparing nodes.
 */
public final class PrimaryTable implements ListingHandler {
    private static final int INITIAL_CAPACITY = 1024;

    private final LongIndex byRepositoryId = new LongIndex(INITIAL_CAPACITY);
    private final LongIndex byProjectId = new LongIndex(64);
    private long[] repositoryIds = new long[INITIAL_CAPACITY];
    private int[] projectIndex = new int[INITIAL_CAPACITY];
    private int[] hashOffset = new int[INITIAL_CAPACITY];
    private byte[] arena = new byte[INITIAL_CAPACITY * 66];
    private int arenaUsed;
    private long[] projectIds = new long[64];
    private String[] projectKeys = new String[64];
    /** Null until the first entry with a slug. */
    private String[] slugs;

    private int size;

    @Override
    public void repository(ListingEntry entry) throws EntryRejectedException {
        long id = entry.repositoryId();
        int first = byRepositoryId.putIfAbsent(id, size);
        if (first >= 0) {
            throw new EntryRejectedException("repository " + id + " is listed twice (projects "
                    + projectIds[projectIndex[first]] + " and " + entry.projectId() + ")");
        }
        if (size == repositoryIds.length) {
            int capacity = size * 2;
            repositoryIds = Arrays.copyOf(repositoryIds, capacity);
            projectIndex = Arrays.copyOf(projectIndex, capacity);
            hashOffset = Arrays.copyOf(hashOffset, capacity);
            if (slugs != null) {
                slugs = Arrays.copyOf(slugs, capacity);
            }
        }
        if (entry.slug() != null) {
            if (slugs == null) {
                slugs = new String[repositoryIds.length];
            }
            slugs[size] = entry.slug();
        }
        repositoryIds[size] = id;
        projectIndex[size] = internProject(entry.projectId());
        hashOffset[size] = arenaUsed;
        append(entry.content());
        append(entry.metadata());
        size++;
    }

    @Override
    public void project(long projectId, boolean isPublic, String key) {
        int index = internProject(projectId);
        if (key != null) {
            projectKeys[index] = key;
        }
    }

    /** Number of repositories. */
    public int size() {
        return size;
    }

    /** Index of the repository with this id, or -1 when the primary does not have it. */
    public int indexOf(long repositoryId) {
        return byRepositoryId.get(repositoryId);
    }

    public long repositoryId(int index) {
        return repositoryIds[index];
    }

    public long projectId(int index) {
        return projectIds[projectIndex[index]];
    }

    /** The key of the repository's project where the listing names it, else null. */
    public String projectKey(int index) {
        return projectKeys[projectIndex[index]];
    }

    /** The repository's slug where the listing names it, else null. */
    public String slug(int index) {
        return slugs == null ? null : slugs[index];
    }

    /** True when the primary lists this project (with or without repositories). */
    public boolean hasProject(long projectId) {
        return byProjectId.get(projectId) >= 0;
    }

    /** The primary's content hash of the repository at {@code index}, as hex, or null when not listed. */
    public String contentHex(int index) {
        int at = hashOffset[index];
        return hex(at);
    }

    /** The primary's metadata hash of the repository at {@code index}, as hex, or null when not listed. */
    public String metadataHex(int index) {
        int at = hashOffset[index];
        return hex(at + 1 + packedLength(arena[at]));
    }

    /**
     * Compares a node's entry with the primary's entry at {@code index}: returns the {@link Kind} bits of
     * {@link Kind#CONTENT} and {@link Kind#METADATA}, 0 when they agree.
     */
    int differences(int index, ListingEntry entry) {
        int at = hashOffset[index];
        int bits = 0;
        if (contentDiffers(at, entry.content())) {
            bits |= Kind.CONTENT.bit;
        }
        int metadataAt = at + 1 + packedLength(arena[at]);
        if (hashDiffers(metadataAt, entry.metadata()) || projectId(index) != entry.projectId()) {
            bits |= Kind.METADATA.bit;
        }
        return bits;
    }

    /** Approximate bytes held (names not counted: only agent listings carry them), for the benchmark. */
    public long footprintBytes() {
        return byRepositoryId.footprintBytes()
                + byProjectId.footprintBytes()
                + (long) repositoryIds.length * (Long.BYTES + 2 * Integer.BYTES)
                + arena.length
                + (long) projectIds.length * Long.BYTES;
    }

    private boolean contentDiffers(int at, HashValue node) {
        // The all-zero placeholder on either side means "not computed yet", which counts as up to date.
        return hashDiffers(at, node) && !node.isZero() && !isZero(at);
    }

    /** Both present and different; an absent side (a /content or /metadata listing) cannot differ. */
    private boolean hashDiffers(int at, HashValue node) {
        int hexLength = arena[at] & 0xff;
        return hexLength != 0 && node.present() && !node.sameAs(arena, at + 1, hexLength);
    }

    private boolean isZero(int at) {
        int end = at + 1 + packedLength(arena[at]);
        for (int i = at + 1; i < end; i++) {
            if (arena[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private String hex(int at) {
        int hexLength = arena[at] & 0xff;
        return hexLength == 0 ? null : HashValue.toHex(arena, at + 1, hexLength);
    }

    private static int packedLength(byte hexLengthByte) {
        return ((hexLengthByte & 0xff) + 1) >>> 1;
    }

    private void append(HashValue hash) {
        int needed = 1 + (hash.present() ? hash.packedLength() : 0);
        if (arenaUsed + needed > arena.length) {
            arena = Arrays.copyOf(arena, Math.max(arena.length * 2, arenaUsed + needed));
        }
        if (hash.present()) {
            arena[arenaUsed] = (byte) hash.hexLength();
            hash.copyTo(arena, arenaUsed + 1);
        } else {
            arena[arenaUsed] = 0;
        }
        arenaUsed += needed;
    }

    private int internProject(long projectId) {
        int count = byProjectId.size();
        int existing = byProjectId.putIfAbsent(projectId, count);
        if (existing >= 0) {
            return existing;
        }
        if (count == projectIds.length) {
            projectIds = Arrays.copyOf(projectIds, count * 2);
            projectKeys = Arrays.copyOf(projectKeys, count * 2);
        }
        projectIds[count] = projectId;
        return count;
    }
}
