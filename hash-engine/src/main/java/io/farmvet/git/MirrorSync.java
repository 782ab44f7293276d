package io.farmvet.git;

import io.farmvet.secret.SecretMasker;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.ConfigConstants;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.RepositoryCache;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.FetchResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.transport.TrackingRefUpdate;
import org.eclipse.jgit.util.FS;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings one bare mirror repository at {@code DIR/<project-key>/<slug>.git} in line with its upstream, with JGit
 * (in-process; any transport JGit speaks: {@code file://} and plain paths, {@code https://}, {@code ssh://}).
 *
 * <ul>
 *   <li>{@link #sync}: when the repository exists, fetch from the upstream with the mirror refspecs {@value
 *       #HEADS_REFSPEC} and {@value #TAGS_REFSPEC} and prune (branches and tags the upstream no longer has are
 *       deleted; refs outside {@code refs/heads/} and {@code refs/tags/} are left alone, as they are not in the
 *       content hash); then point {@code HEAD} at the branch the upstream advertises as its {@code HEAD} symref.
 *       When the upstream advertises none (an empty upstream, or a server without the {@code symref}
 *       capability), {@code HEAD} is left as it is and {@link Result#note()} says so. When the repository does
 *       not exist, it is cloned: a bare repository is made in a temporary sibling {@code <slug>.git.farmvet-clone-
 *       <random>} (a name the fleet walk skips, as it does not end in {@code .git}), fetched into the same way,
 *       and renamed into place, so a listing never sees half a clone. The project folder is created if needed. A
 *       directory in the repository's place that is not a Git repository (listings leave it out, so the vet
 *       keeps asking for it as missing) is moved to the quarantine first and the repository cloned afresh.
 *   <li>{@link #quarantine}: renames the repository to {@code QUARANTINE/<yyyyMMdd'T'HHmmss'Z'>-<key>-<slug>.git}
 *       ({@code -2}, {@code -3}, ... appended if that name is taken). Nothing is ever deleted. The quarantine
 *       folder must be outside {@code DIR} and on the same file system, so the move is one atomic rename; both are
 *       checked by the constructor.
 * </ul>
 *
 * After each change the repository's cached hash is dropped ({@link RepositoryHasher#forget}) so the next listing
 * reads it afresh.
 *
 * <p>The upstream URL is the template with {@value #PROJECT_PLACEHOLDER} and {@value #REPO_PLACEHOLDER} replaced
 * by the project key and the slug as they are (no percent-encoding: the template may be a local path, and
 * {@code git} itself does not encode). Errors ({@link MirrorSyncException}) name the repository and the upstream
 * URL with its user-info masked, in the message and in every chained cause.
 *
 * <p>Thread-safe for different repositories. The caller must not run two operations on the same repository at
 * once (the node agent keeps at most one job per repository); a fetch may run while a listing hashes the same
 * repository, as ref updates are atomic per ref.
 */
public final class MirrorSync {
    private static final Logger LOG = LoggerFactory.getLogger(MirrorSync.class);

    public static final String PROJECT_PLACEHOLDER = "{project}";
    public static final String REPO_PLACEHOLDER = "{repo}";
    public static final String HEADS_REFSPEC = "+refs/heads/*:refs/heads/*";
    public static final String TAGS_REFSPEC = "+refs/tags/*:refs/tags/*";

    /** Name of the default quarantine folder, a sibling of {@code DIR}. */
    public static final String DEFAULT_QUARANTINE_NAME = "farmvet-quarantine";

    /**
     * Seconds a fetch may wait on the network without progress before JGit gives up: long enough for a server
     * that counts objects of a large repository before it sends the first byte, short enough that a dead
     * connection does not hold a resync slot for ever.
     */
    public static final int DEFAULT_TIMEOUT_SECONDS = 300;

    private static final String CLONE_SUFFIX = ".farmvet-clone-";
    private static final int MAX_QUARANTINE_NAME_ATTEMPTS = 1000;
    private static final DateTimeFormatter QUARANTINE_STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{[^}]*}");

    /** What a {@link #sync} or {@link #quarantine} did. */
    public enum Action {
        FETCHED,
        CLONED,
        QUARANTINED
    }

    /**
     * @param path where the repository is now: its place under {@code DIR}, or in the quarantine
     * @param head what {@code HEAD} points to afterwards ({@code ""} when unknown, e.g. after a quarantine)
     * @param refUpdates refs created, moved or deleted by the fetch
     * @param note a remark for the log, e.g. that the upstream advertised no default branch; empty if none
     */
    public record Result(
            String projectKey, String slug, Action action, Path path, String head, int refUpdates, String note) {}

    private final Path root;
    private final String upstreamTemplate;
    private final Path quarantine;
    private final RepositoryHasher hasher;
    private final Clock clock;
    private final int timeoutSeconds;
    private final AtomicLong fetches = new AtomicLong();

    /**
     * @param root {@code DIR}, an existing directory
     * @param upstreamTemplate the upstream URL with {@value #REPO_PLACEHOLDER} and optionally {@value
     *     #PROJECT_PLACEHOLDER}
     * @param quarantine the quarantine folder, or null for {@link #defaultQuarantine(Path)}; created if missing
     * @throws IllegalArgumentException the template or the quarantine folder is unusable (the message says why)
     * @throws IOException {@code DIR} does not exist or the quarantine folder cannot be created
     */
    public MirrorSync(
            Path root,
            String upstreamTemplate,
            Path quarantine,
            RepositoryHasher hasher,
            Clock clock,
            int timeoutSeconds)
            throws IOException {
        this.root = root.toRealPath();
        if (!Files.isDirectory(this.root)) {
            throw new IOException(root + ": the repositories folder is not a directory");
        }
        this.upstreamTemplate = validateTemplate(upstreamTemplate);
        this.quarantine = validateQuarantine(this.root, quarantine == null ? defaultQuarantine(this.root) : quarantine);
        this.hasher = hasher;
        this.clock = clock;
        if (timeoutSeconds < 1) {
            throw new IllegalArgumentException("timeoutSeconds: must be 1 or greater (got " + timeoutSeconds + ")");
        }
        this.timeoutSeconds = timeoutSeconds;
    }

    /** {@code DIR/../farmvet-quarantine}: next to the repositories, so on the same file system in most setups. */
    public static Path defaultQuarantine(Path root) throws IOException {
        Path parent = root.toRealPath().getParent();
        if (parent == null) {
            throw new IllegalArgumentException(
                    "the repositories folder " + root + " has no parent for the default quarantine; give one");
        }
        return parent.resolve(DEFAULT_QUARANTINE_NAME);
    }

    public Path root() {
        return root;
    }

    public Path quarantineFolder() {
        return quarantine;
    }

    /** Transport fetches started so far (each {@link #sync}, whether it fetched into an existing repository or cloned). */
    public long fetchCount() {
        return fetches.get();
    }

    /**
     * {@code DIR/<projectKey>/<slug>.git}.
     *
     * @throws IllegalArgumentException a name is not a valid key or slug, or is {@code .} or {@code ..}
     */
    public Path repositoryPath(String projectKey, String slug) {
        requireName("project key", projectKey);
        requireName("repository slug", slug);
        Path path = root.resolve(projectKey).resolve(slug + Constants.DOT_GIT_EXT);
        // Names hold no '/' and are not . or .., so this holds; checked again because the names come from the network.
        if (!root.equals(path.normalize().getParent().getParent())) {
            throw new IllegalArgumentException("repository " + projectKey + "/" + slug + " would leave " + root);
        }
        return path;
    }

    /** The upstream URL of a repository, as given to JGit (credentials included: never log it; see {@link #maskUrl}). */
    public String upstreamUrl(String projectKey, String slug) {
        requireName("project key", projectKey);
        requireName("repository slug", slug);
        return upstreamTemplate.replace(PROJECT_PLACEHOLDER, projectKey).replace(REPO_PLACEHOLDER, slug);
    }

    /**
     * Fetches the repository from its upstream (or clones it when it does not exist) and takes the upstream's
     * default branch for {@code HEAD}.
     */
    public Result sync(String projectKey, String slug) throws MirrorSyncException {
        Path path = repositoryPath(projectKey, slug);
        String url = upstreamUrl(projectKey, slug);
        String what = projectKey + "/" + slug + " (" + path + ")";
        try {
            if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                if (!RepositoryCache.FileKey.isGitRepository(path.toFile(), FS.DETECTED)) {
                    // Left out of listings, so the vet keeps asking for it as missing: a fetch could never
                    // succeed, so keep what is there in the quarantine and clone afresh.
                    Result moved = quarantine(projectKey, slug);
                    Result cloned = cloneInto(path, url, projectKey, slug);
                    return new Result(
                            projectKey,
                            slug,
                            Action.CLONED,
                            path,
                            cloned.head(),
                            cloned.refUpdates(),
                            "the directory was not a Git repository; moved to " + moved.path() + " and cloned afresh"
                                    + (cloned.note().isEmpty() ? "" : "; " + cloned.note()));
                }
                try {
                    return fetchInto(path, url, projectKey, slug, Action.FETCHED);
                } finally {
                    hasher.forget(path);
                }
            }
            if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException(path + " exists but is not a directory; move it away by hand");
            }
            return cloneInto(path, url, projectKey, slug);
        } catch (IOException | GitAPIException | RuntimeException e) {
            throw failure(what + ": resync from " + maskUrl(url) + " failed", url, e);
        }
    }

    /** Moves the repository to the quarantine folder. */
    public Result quarantine(String projectKey, String slug) throws MirrorSyncException {
        Path path = repositoryPath(projectKey, slug);
        String what = projectKey + "/" + slug + " (" + path + ")";
        try {
            if (!Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException("no such repository directory");
            }
            String stamp = QUARANTINE_STAMP.format(clock.instant());
            String base = stamp + "-" + projectKey + "-" + slug;
            for (int attempt = 1; attempt <= MAX_QUARANTINE_NAME_ATTEMPTS; attempt++) {
                Path target = quarantine.resolve((attempt == 1 ? base : base + "-" + attempt) + Constants.DOT_GIT_EXT);
                if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                try {
                    Files.move(path, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    throw new IOException(
                            "cannot rename into the quarantine " + quarantine + " (another file system?); choose a"
                                    + " quarantine folder on the same file system as " + root,
                            e);
                } finally {
                    hasher.forget(path);
                }
                return new Result(projectKey, slug, Action.QUARANTINED, target, "", 0, "");
            }
            throw new IOException("quarantine names " + base + "*.git are all taken in " + quarantine);
        } catch (IOException | RuntimeException e) {
            throw failure(what + ": quarantine into " + quarantine + " failed", null, e);
        }
    }

    private Result cloneInto(Path path, String url, String projectKey, String slug)
            throws IOException, GitAPIException {
        Path project = path.getParent();
        Files.createDirectories(project);
        Path temporary = project.resolve(slug
                + Constants.DOT_GIT_EXT
                + CLONE_SUFFIX
                + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1));
        boolean moved = false;
        try {
            Git.init().setBare(true).setDirectory(temporary.toFile()).call().close();
            Result fetched = fetchInto(temporary, url, projectKey, slug, Action.CLONED);
            // Without ATOMIC_MOVE a rename onto an existing directory could merge or replace; with it, a repository
            // that appeared meanwhile makes the move fail instead.
            Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE);
            moved = true;
            return new Result(
                    projectKey, slug, Action.CLONED, path, fetched.head(), fetched.refUpdates(), fetched.note());
        } finally {
            hasher.forget(path);
            if (!moved) {
                // Our own partial clone, never the operator's data.
                deleteTree(temporary);
            }
        }
    }

    private Result fetchInto(Path gitDir, String url, String projectKey, String slug, Action action)
            throws IOException, GitAPIException {
        fetches.incrementAndGet();
        try (Repository repository = new FileRepositoryBuilder()
                        .setGitDir(gitDir.toFile())
                        .setBare()
                        .setMustExist(true)
                        .build();
                Git git = new Git(repository)) {
            // JGit runs an automatic gc after a fetch, detached by default: in a temporary clone that we then
            // rename it would race with the rename. Run it inside the resync instead (in memory only; the
            // repository's config file is not changed).
            repository
                    .getConfig()
                    .setBoolean(ConfigConstants.CONFIG_GC_SECTION, null, ConfigConstants.CONFIG_KEY_AUTODETACH, false);
            FetchResult fetch = git.fetch()
                    .setRemote(url)
                    .setRefSpecs(new RefSpec(HEADS_REFSPEC), new RefSpec(TAGS_REFSPEC))
                    .setRemoveDeletedRefs(true)
                    // The tags refspec already takes every tag; auto-following would add nothing.
                    .setTagOpt(TagOpt.NO_TAGS)
                    .setTimeout(timeoutSeconds)
                    .call();
            List<String> rejected = new ArrayList<>();
            int updates = 0;
            for (TrackingRefUpdate update : fetch.getTrackingRefUpdates()) {
                switch (update.getResult()) {
                    case NEW, FORCED, FAST_FORWARD, RENAMED -> updates++;
                    case NO_CHANGE -> {}
                    default -> rejected.add(update.getLocalName() + " " + update.getResult());
                }
            }
            if (!rejected.isEmpty()) {
                throw new IOException("refs not updated: " + String.join(", ", rejected));
            }
            Ref advertisedHead = fetch.getAdvertisedRef(Constants.HEAD);
            String upstreamHead = advertisedHead != null && advertisedHead.isSymbolic()
                    ? advertisedHead.getTarget().getName()
                    : null;
            String currentHead = currentHead(repository);
            if (upstreamHead == null) {
                return new Result(
                        projectKey,
                        slug,
                        action,
                        gitDir,
                        currentHead,
                        updates,
                        "the upstream advertised no default branch (no HEAD symref); HEAD left at "
                                + (currentHead.isEmpty() ? "(none)" : currentHead));
            }
            if (!Repository.isValidRefName(upstreamHead)) {
                throw new IOException("the upstream advertised an invalid default branch " + upstreamHead);
            }
            if (!upstreamHead.equals(currentHead)) {
                RefUpdate.Result linked = repository.updateRef(Constants.HEAD).link(upstreamHead);
                if (linked != RefUpdate.Result.NEW
                        && linked != RefUpdate.Result.FORCED
                        && linked != RefUpdate.Result.NO_CHANGE) {
                    throw new IOException("cannot point HEAD at " + upstreamHead + ": " + linked);
                }
            }
            return new Result(projectKey, slug, action, gitDir, upstreamHead, updates, "");
        }
    }

    /** The ref {@code HEAD} names when symbolic, its object id when detached, {@code ""} without one. */
    private static String currentHead(Repository repository) throws IOException {
        Ref head = repository.exactRef(Constants.HEAD);
        if (head == null) {
            return "";
        }
        if (head.isSymbolic()) {
            return head.getTarget().getName();
        }
        return head.getObjectId() == null ? "" : head.getObjectId().name();
    }

    /**
     * The URL with its user-info replaced by {@code ***}: {@code https://user:pw@host/x} becomes {@code
     * https://***@host/x}, {@code git@host:x} becomes {@code ***@host:x}. Other text is returned as it is.
     */
    public static String maskUrl(String url) {
        return SecretMasker.none().url(url);
    }

    private static MirrorSyncException failure(String message, String url, Exception cause) {
        SecretMasker masker = SecretMasker.of(SecretMasker.urlSecrets(url));
        String full = message + ": " + masker.text(String.valueOf(cause.getMessage()));
        return new MirrorSyncException(full, masker.throwable(cause));
    }

    private static void requireName(String what, String name) {
        Names.requireValid(what, name);
        if (name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException(what + " must not be . or ..");
        }
    }

    private static String validateTemplate(String template) {
        if (template == null || template.isBlank()) {
            throw new IllegalArgumentException("the upstream URL template is empty");
        }
        if (!template.contains(REPO_PLACEHOLDER)) {
            throw new IllegalArgumentException("the upstream URL template " + maskUrl(template) + " has no "
                    + REPO_PLACEHOLDER + " placeholder: every repository would fetch from the same URL");
        }
        Matcher placeholder = PLACEHOLDER.matcher(template);
        while (placeholder.find()) {
            String found = placeholder.group();
            if (!found.equals(PROJECT_PLACEHOLDER) && !found.equals(REPO_PLACEHOLDER)) {
                throw new IllegalArgumentException("the upstream URL template " + maskUrl(template)
                        + " has an unknown placeholder " + found + " (known: " + PROJECT_PLACEHOLDER + ", "
                        + REPO_PLACEHOLDER + ")");
            }
        }
        return template;
    }

    private static Path validateQuarantine(Path root, Path quarantine) throws IOException {
        Files.createDirectories(quarantine);
        Path real = quarantine.toRealPath();
        if (real.startsWith(root) || root.startsWith(real)) {
            throw new IllegalArgumentException("the quarantine folder " + real + " must be outside the repositories"
                    + " folder " + root + " (and not contain it): a repository moved there would still be listed");
        }
        if (!Files.getFileStore(real).equals(Files.getFileStore(root))) {
            throw new IllegalArgumentException("the quarantine folder " + real + " is on another file system than "
                    + root + "; a repository is moved there by an atomic rename, so choose one on the same file"
                    + " system");
        }
        return real;
    }

    private static void deleteTree(Path dir) {
        try {
            FileTrees.delete(dir);
        } catch (IOException e) {
            // The failure being reported matters more; the leftover name ends in a random suffix, not .git, so
            // listings skip it and the operator can remove it.
            LOG.warn("cannot remove the partial clone {}: {}", dir, e.toString());
        }
    }
}
