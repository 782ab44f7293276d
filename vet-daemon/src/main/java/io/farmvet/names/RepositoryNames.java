package io.farmvet.names;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Repository ids with their project key and slug, for the report: a compact, immutable table (a sorted
 * {@code long[]} of ids beside the key and slug of each, one {@code String} per distinct project key), never the
 * JSON objects they came from. Thread-safe.
 */
public final class RepositoryNames {
    /**
     * Bitbucket limits project keys and repository slugs to 128 characters; anything longer did not come from it.
     */
    static final int MAX_NAME_CHARS = 128;
    /**
     * What Bitbucket allows in project keys (letters, digits, {@code _}; {@code ~USER} for personal projects) and
     * slugs (letters, digits, {@code -_.}). A name outside it (a control character, markup, a space) is refused
     * rather than escaped: the report must not show a name Bitbucket could not have given. Also {@code %}: a grokmirror
     * manifest's project is its directory with {@code /} written {@code %2F} ({@link
     * io.farmvet.grokmirror.ManifestPaths}), and {@code %} is neither markup nor a control character.
     */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.~%-]{1," + MAX_NAME_CHARS + "}");

    public static final RepositoryNames NONE = new RepositoryNames(new long[0], new String[0], new String[0], 0, 0);

    /** One repository's name: {@code PROJ/slug}. */
    public record Name(String projectKey, String slug) {
        @Override
        public String toString() {
            return projectKey + "/" + slug;
        }
    }

    private final long[] ids;
    private final String[] keys;
    private final String[] slugs;
    private final int refused;
    private final int conflicting;

    private RepositoryNames(long[] ids, String[] keys, String[] slugs, int refused, int conflicting) {
        this.ids = ids;
        this.keys = keys;
        this.slugs = slugs;
        this.refused = refused;
        this.conflicting = conflicting;
    }

    /** The repository's name, or null when it is not known (or was refused, or listed with two names). */
    public Name name(long repositoryId) {
        int at = Arrays.binarySearch(ids, repositoryId);
        return at < 0 || keys[at] == null ? null : new Name(keys[at], slugs[at]);
    }

    /**
     * True when the lookup saw this id, named or not: a refused or conflicting name is not asked for again at every
     * vet, only a repository the table has never seen.
     */
    public boolean saw(long repositoryId) {
        return Arrays.binarySearch(ids, repositoryId) >= 0;
    }

    public int size() {
        return ids.length;
    }

    /** Every name known, in id order (refused and conflicting ones are not). */
    public java.util.List<Name> names() {
        java.util.List<Name> names = new java.util.ArrayList<>(ids.length);
        for (int i = 0; i < ids.length; i++) {
            if (keys[i] != null) {
                names.add(new Name(keys[i], slugs[i]));
            }
        }
        return names;
    }

    /** Names left unnamed because they were not what Bitbucket allows ({@link #NAME}). */
    public int refused() {
        return refused;
    }

    /** Ids left unnamed because they were listed twice with different names. */
    public int conflicting() {
        return conflicting;
    }

    /** True when {@code name} may be shown as a project key or slug. */
    public static boolean acceptable(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Collects names in any order; not thread-safe. */
    public static final class Builder {
        private long[] ids = new long[64];
        private String[] keys = new String[64];
        private String[] slugs = new String[64];
        private int size;
        private int refused;
        // One String per distinct key: a farm has thousands of repositories per project, not per key.
        private final Map<String, String> distinctKeys = new HashMap<>();

        /** Adds a name; a key or slug Bitbucket could not have given is counted as refused and left unnamed. */
        public Builder add(long repositoryId, String projectKey, String slug) {
            if (!acceptable(projectKey) || !acceptable(slug)) {
                refused++;
                projectKey = null;
                slug = null;
            }
            if (size == ids.length) {
                int grown = Math.max(64, size + (size >> 1));
                ids = Arrays.copyOf(ids, grown);
                keys = Arrays.copyOf(keys, grown);
                slugs = Arrays.copyOf(slugs, grown);
            }
            ids[size] = repositoryId;
            keys[size] = projectKey == null ? null : distinctKeys.computeIfAbsent(projectKey, k -> k);
            slugs[size] = slug;
            size++;
            return this;
        }

        public int size() {
            return size;
        }

        /**
         * The table. An id listed twice with the same name is kept once; with different names it is left unnamed and
         * counted in {@link RepositoryNames#conflicting}, since neither name can be trusted.
         */
        public RepositoryNames build() {
            Integer[] order = new Integer[size];
            for (int i = 0; i < size; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Long.compare(ids[a], ids[b]));
            long[] sortedIds = new long[size];
            String[] sortedKeys = new String[size];
            String[] sortedSlugs = new String[size];
            int kept = 0;
            int conflicting = 0;
            for (int i = 0; i < size; ) {
                int first = order[i];
                int end = i + 1;
                boolean same = true;
                while (end < size && ids[order[end]] == ids[first]) {
                    same &= Objects.equals(keys[order[end]], keys[first])
                            && Objects.equals(slugs[order[end]], slugs[first]);
                    end++;
                }
                sortedIds[kept] = ids[first];
                if (same) {
                    sortedKeys[kept] = keys[first];
                    sortedSlugs[kept] = slugs[first];
                } else {
                    conflicting++;
                }
                kept++;
                i = end;
            }
            return new RepositoryNames(
                    Arrays.copyOf(sortedIds, kept),
                    Arrays.copyOf(sortedKeys, kept),
                    Arrays.copyOf(sortedSlugs, kept),
                    refused,
                    conflicting);
        }
    }
}
