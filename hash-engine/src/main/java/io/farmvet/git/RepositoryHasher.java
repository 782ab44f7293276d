package io.farmvet.git;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * Computes the {@code repo-hashes} values of one bare Git repository in-process with JGit.
 *
 * <h2>Content hash (the contract)</h2>
 *
 * The lower-case hex SHA-256 of the UTF-8 bytes of one line {@code "<object-id> <refname>\n"} per ref whose
 * name starts with one of the configured prefixes (default {@code refs/heads/} and {@code refs/tags/}), the
 * lines sorted by the UTF-8 bytes of the ref name compared as unsigned bytes ({@code LC_ALL=C sort}, which is
 * not Java's {@code String} order: U+FF01 sorts before U+1F600 in UTF-8, after it in UTF-16). The object id is
 * the ref's own value: for an annotated tag the tag object, never the peeled commit (peeled values are never
 * lines). A symbolic ref under a prefix shows the object id it resolves to; one that does not resolve is left
 * out, as are names git itself rejects (e.g. {@code a..b}) and unparsable ref files: {@code git for-each-ref}
 * skips those with a warning. No object is read, so a ref naming a missing object is hashed as it is, as git
 * does; a hash covers refs, not objects (that needs fsck). With the default prefixes the value equals, byte for
 * byte:
 *
 * <pre>
 * git for-each-ref --format='%(objectname) %(refname)' refs/heads refs/tags | LC_ALL=C sort -k2 | sha256sum
 * </pre>
 *
 * A repository without such refs hashes the empty input, {@code e3b0c442...b855}; the hash is never all zeros
 * (Bitbucket's "not computed yet" placeholder).
 *
 * <p>The metadata hash is {@link MetadataHash}, the ids are {@link StableIds}.
 *
 * <h2>Reuse</h2>
 *
 * Results are cached per repository directory and served again while a {@link RefStorageFingerprint} (a stat
 * walk of {@code HEAD}, {@code packed-refs}, {@code config}, the loose refs under the prefixes, {@code
 * reftable/}, and loose targets of symbolic refs pointing outside the prefixes) is unchanged. An entry is only
 * stored when the newest file in the fingerprint was modified at least {@link #RACY_WINDOW} before the walk
 * began ("racy git"): a ref rewritten within the file system's timestamp granularity of our read could keep
 * size and mtime, and only a file older than the coarsest granularity we support is certain to show a later
 * write as a different mtime. Hits and misses are counted ({@link #cacheHits()}, {@link #cacheMisses()}).
 * Entries are small (a fingerprint and the hashes) and are kept until {@link #forget} or {@link #clearCache}.
 *
 * <h2>Environment</h2>
 *
 * Each hash opens the repository afresh without a working tree ({@link FileRepositoryBuilder}, not the shared
 * {@code RepositoryCache}, so that thousands of repositories do not keep open pack handles), reads refs and
 * {@code HEAD}, and closes it; this class starts no {@code git} process (JGit itself may run {@code git config
 * --system} once per JVM to find the system config, unless {@code GIT_CONFIG_NOSYSTEM} is set). Loose ref file
 * names are decoded with the JVM's {@code sun.jnu.encoding}: the constructor refuses to run unless that is
 * UTF-8 (start the JVM with e.g. {@code LANG=C.UTF-8}), as non-ASCII loose refs would otherwise silently drop
 * out of the hash. Environment variables such as
 * {@code GIT_DIR} are ignored.
 *
 * <p>Thread-safe: one instance may hash many repositories concurrently (the cache is a concurrent map; two
 * threads missing on the same repository both compute it and either result is stored).
 */
public final class RepositoryHasher {
    public static final List<String> DEFAULT_REF_PREFIXES = List.of(Constants.R_HEADS, Constants.R_TAGS);

    /**
     * How old the newest ref file must be before a result is cached: 2 s is the mtime granularity of FAT and
     * exFAT, the coarsest of the file systems a mirror might sit on (ext3, HFS+ and some NFS servers have 1 s;
     * ext4, XFS and btrfs have 1 ns). Also covers modest clock skew with an NFS server.
     */
    public static final Duration RACY_WINDOW = Duration.ofSeconds(2);

    /** Read attempts when symbolic refs keep pointing at new places outside the prefixes while we read. */
    private static final int MAX_READ_ATTEMPTS = 3;

    private final List<String> refPrefixes;
    private final Clock clock;
    private final Map<Path, CacheEntry> cache = new ConcurrentHashMap<>();
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();

    /** Default prefixes and the system clock. */
    public RepositoryHasher() {
        this(DEFAULT_REF_PREFIXES, Clock.systemUTC());
    }

    /**
     * @param refPrefixes ref name prefixes whose refs make the content hash; each must start with {@code refs/}
     *     and end with {@code /}
     * @param clock compared with file modification times for the racy-git rule (tests pass a fixed clock)
     */
    public RepositoryHasher(List<String> refPrefixes, Clock clock) {
        requireUtf8FileNames(System.getProperty("os.name", ""), System.getProperty("sun.jnu.encoding"));
        if (refPrefixes.isEmpty()) {
            throw new IllegalArgumentException("refPrefixes: must name at least one prefix");
        }
        for (int i = 0; i < refPrefixes.size(); i++) {
            String prefix = refPrefixes.get(i);
            if (prefix == null
                    || !prefix.startsWith(Constants.R_REFS)
                    || !prefix.endsWith("/")
                    || !Repository.isValidRefName(prefix + "x")) {
                throw new IllegalArgumentException(
                        "refPrefixes[" + i + "]: must look like refs/<name>/ (got " + prefix + ")");
            }
        }
        this.refPrefixes = List.copyOf(new TreeSet<>(refPrefixes));
        this.clock = clock;
    }

    /**
     * Refuses to start when the JVM decodes file names with anything but UTF-8: JGit lists loose refs through
     * {@code java.io.File}, and under {@code LANG=C} a branch named {@code refs/heads/ü} decodes to a name that
     * cannot be opened and silently drops out of the hash (checked with JGit 7.8.1), so a healthy mirror would
     * look out of sync. Windows is exempt: its file API is UTF-16 and does not go through this encoding.
     */
    static void requireUtf8FileNames(String osName, String fileNameEncoding) {
        if (osName.startsWith("Windows")) {
            return;
        }
        boolean utf8 = fileNameEncoding != null
                && Charset.isSupported(fileNameEncoding)
                && Charset.forName(fileNameEncoding).equals(StandardCharsets.UTF_8);
        if (!utf8) {
            throw new IllegalStateException("sun.jnu.encoding is " + fileNameEncoding
                    + ", not UTF-8: loose refs with non-ASCII names would be invisible and their repositories"
                    + " would hash wrong; start the JVM with a UTF-8 locale, e.g. LANG=C.UTF-8");
        }
    }

    public List<String> refPrefixes() {
        return refPrefixes;
    }

    /**
     * Hashes the repository at {@code DIR/<project-key>/<slug>.git}, taking key and slug from the path.
     *
     * @throws IllegalArgumentException the directory name does not end in {@code .git}, or a name is invalid
     * @throws RepositoryHashException the repository could not be read
     */
    public RepositoryHashes hash(Path gitDir) throws RepositoryHashException {
        Path absolute = gitDir.toAbsolutePath().normalize();
        Path fileName = absolute.getFileName();
        Path parent = absolute.getParent();
        String name = fileName == null ? "" : fileName.toString();
        if (!name.endsWith(Constants.DOT_GIT_EXT) || parent == null || parent.getFileName() == null) {
            throw new IllegalArgumentException("not a DIR/<project-key>/<slug>.git path: " + gitDir);
        }
        String slug = name.substring(0, name.length() - Constants.DOT_GIT_EXT.length());
        return hash(gitDir, parent.getFileName().toString(), slug);
    }

    /**
     * Hashes the bare repository at {@code gitDir} under the given project key and slug.
     *
     * @throws IllegalArgumentException a name is empty or contains {@code '/'} or control characters
     * @throws RepositoryHashException the repository could not be read (not a repository, corrupt refs or
     *     config, permission denied)
     */
    public RepositoryHashes hash(Path gitDir, String projectKey, String slug) throws RepositoryHashException {
        Names.requireValid("project key", projectKey);
        Names.requireValid("repository slug", slug);
        Path key = gitDir.toAbsolutePath().normalize();
        RefState state;
        try {
            state = refState(key);
        } catch (IOException | RuntimeException e) {
            throw new RepositoryHashException(gitDir, "cannot hash refs: " + e, e);
        }
        return new RepositoryHashes(
                projectKey,
                slug,
                StableIds.projectId(projectKey),
                StableIds.repositoryId(projectKey, slug),
                state.contentHash(),
                MetadataHash.of(projectKey, slug, state.head()),
                state.head(),
                state.refCount());
    }

    /**
     * The exact text the content hash is computed from, read afresh (no cache): the same lines the {@code git
     * for-each-ref} one-liner prints, to show which refs differ between two nodes.
     */
    public String contentInput(Path gitDir) throws RepositoryHashException {
        try {
            return read(gitDir.toAbsolutePath().normalize()).input();
        } catch (IOException | RuntimeException e) {
            throw new RepositoryHashException(gitDir, "cannot read refs: " + e, e);
        }
    }

    /** Hashes served from the cache since this hasher was made. */
    public long cacheHits() {
        return hits.sum();
    }

    /** Hashes that read the repository's refs (no entry, changed fingerprint, or entry too fresh to store). */
    public long cacheMisses() {
        return misses.sum();
    }

    /** Drops the cached result of one repository (e.g. after it was deleted). */
    public void forget(Path gitDir) {
        cache.remove(gitDir.toAbsolutePath().normalize());
    }

    public void clearCache() {
        cache.clear();
    }

    private RefState refState(Path gitDir) throws IOException {
        Instant walkStart = clock.instant();
        CacheEntry cached = cache.get(gitDir);
        Set<String> extraRefNames = cached == null ? Set.of() : cached.state().extraRefNames();
        RefStorageFingerprint before = RefStorageFingerprint.take(gitDir, refPrefixes, extraRefNames);
        if (cached != null && cached.fingerprint().sameAs(before)) {
            hits.increment();
            return cached.state();
        }
        misses.increment();
        for (int attempt = 1; ; attempt++) {
            // The fingerprint is taken before the read: a ref changed in between leaves newer data under an
            // older fingerprint, which the next call sees as changed and reads again. The reverse would hide it.
            RefState state = read(gitDir);
            if (state.extraRefNames().equals(extraRefNames)) {
                Instant trustedBefore = walkStart.minus(RACY_WINDOW);
                if (before.newestModified().toInstant().isBefore(trustedBefore)) {
                    cache.put(gitDir, new CacheEntry(before, state));
                } else {
                    cache.remove(gitDir);
                }
                return state;
            }
            if (attempt == MAX_READ_ATTEMPTS) {
                // Correct for this call, but we have no fingerprint that covers what it depends on: do not store.
                cache.remove(gitDir);
                return state;
            }
            // A symbolic ref points outside the prefixes: its target's file must be in the fingerprint too.
            extraRefNames = state.extraRefNames();
            walkStart = clock.instant();
            before = RefStorageFingerprint.take(gitDir, refPrefixes, extraRefNames);
        }
    }

    private RefState read(Path gitDir) throws IOException {
        try (Repository repository = new FileRepositoryBuilder()
                .setGitDir(gitDir.toFile())
                .setBare()
                .setMustExist(true)
                .build()) {
            ContentHash lines = new ContentHash(refPrefixes);
            Set<String> extraRefNames = new TreeSet<>();
            for (Ref ref : repository.getRefDatabase().getRefsByPrefix(refPrefixes.toArray(String[]::new))) {
                ObjectId id = ref.getObjectId();
                // JGit already drops unresolvable symbolic refs; the null check keeps that true for every ref
                // database.
                if (id == null || !lines.add(ref.getName(), id.name())) {
                    continue;
                }
                collectOutsideTargets(ref, extraRefNames);
            }
            Ref headRef = repository.exactRef(Constants.HEAD);
            String head;
            if (headRef == null) {
                head = "";
            } else if (headRef.isSymbolic()) {
                head = headRef.getLeaf().getName();
                collectOutsideTargets(headRef, extraRefNames);
            } else {
                ObjectId id = headRef.getObjectId();
                head = id == null ? "" : id.name();
            }
            String text = lines.input();
            return new RefState(Sha256.hex(text), lines.refCount(), head, Set.copyOf(extraRefNames), text);
        }
    }

    private void collectOutsideTargets(Ref ref, Set<String> into) {
        for (Ref r = ref; r.isSymbolic(); ) {
            r = r.getTarget();
            String target = r.getName();
            if (refPrefixes.stream().noneMatch(target::startsWith) && Repository.isValidRefName(target)) {
                into.add(target);
            }
        }
    }

    private record RefState(String contentHash, int refCount, String head, Set<String> extraRefNames, String input) {
        // The input text is only needed by contentInput(); cached entries drop it to stay small.
        RefState withoutInput() {
            return new RefState(contentHash, refCount, head, extraRefNames, "");
        }
    }

    private record CacheEntry(RefStorageFingerprint fingerprint, RefState state) {
        CacheEntry {
            state = state.withoutInput();
        }
    }
}
