package io.farmvet.fetch;

import io.farmvet.config.FarmvetConfig;
import io.farmvet.config.FarmvetConfig.RepositoryPath;
import io.farmvet.fetch.manifest.ManifestSource;
import io.farmvet.grokmirror.ManifestReader;
import io.farmvet.listing.ListingEntry;
import io.farmvet.listing.ListingHandler;
import io.farmvet.listing.ListingSummary;
import io.farmvet.names.PrimaryRepos;
import io.farmvet.names.RepositoryNames;
import io.farmvet.util.Units;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The repositories that one vet's servers of kind {@code git} are asked for by ls-remote ({@code repositories.from}),
 * resolved once per vet and shared by all of them, the second look included: {@code file} as the config read it,
 * {@code bitbucket} from the primary's paged {@code rest/mirroring/latest/repos} ({@link PrimaryRepos}), {@code
 * manifest} from the keys of a grokmirror manifest, fetched with the primary's credentials. A list that cannot be
 * had fails the vet's primary with the reason ({@link #error}): without it nothing can be judged. Immutable.
 */
public final class GitRepositories {
    /**
     * Most repositories read from the primary's REST list before its paging is taken to be endless: a farm of a
     * million repositories is ten times the largest we know of, and ls-remote of each would take hours anyway.
     */
    static final long MAX_REPOSITORIES = 1_000_000;

    private final List<RepositoryPath> paths;
    private final String error;

    private GitRepositories(List<RepositoryPath> paths, String error) {
        this.paths = List.copyOf(paths);
        this.error = error;
    }

    public static GitRepositories of(List<RepositoryPath> paths) {
        return new GitRepositories(paths, null);
    }

    /** No list: the primary fails with {@code error}. */
    public static GitRepositories failed(String error) {
        return new GitRepositories(List.of(), error);
    }

    /** The repositories, empty when {@link #error} is set. */
    public List<RepositoryPath> paths() {
        return paths;
    }

    /** Why there is no list, naming the key and the source; null when there is one. */
    public String error() {
        return error;
    }

    /**
     * The list of {@code config}'s vet, read on {@code pool} within {@code within} (the vet's deadline); read only
     * when a server is listed by ls-remote and {@code repositories.from} is not {@code file}.
     */
    public static GitRepositories resolve(
            FarmvetConfig config, ListingFetcher fetcher, ExecutorService pool, Duration within) {
        FarmvetConfig.Git git = config.git();
        boolean lsRemote = isListedByLsRemote(config.primary())
                || config.nodes().stream().anyMatch(GitRepositories::isListedByLsRemote);
        if (!lsRemote || git.from() == FarmvetConfig.RepositoriesFrom.FILE) {
            return of(git.repositories());
        }
        AtomicReference<Runnable> cancel = new AtomicReference<>(() -> {});
        Future<GitRepositories> read = pool.submit(() -> git.from() == FarmvetConfig.RepositoriesFrom.BITBUCKET
                ? fromBitbucket(fetcher, config.primary(), cancel)
                : fromManifest(fetcher, config.primary(), git.manifest(), cancel));
        try {
            return read.get(within.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            cancel.get().run();
            read.cancel(true);
            return failed("repositories.from: " + source(git) + " not read within vet.deadline ("
                    + Units.duration(within) + " left); nothing is judged without the farm's repositories");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancel.get().run();
            read.cancel(true);
            return failed("repositories.from: vet cancelled while " + source(git) + " was read");
        } catch (ExecutionException e) {
            return failed("repositories.from: " + source(git) + " could not be read: " + e.getCause());
        }
    }

    private static boolean isListedByLsRemote(FarmvetConfig.Server server) {
        return server != null && server.isGit() && !server.isManifest();
    }

    private static String source(FarmvetConfig.Git git) {
        return git.from() == FarmvetConfig.RepositoriesFrom.BITBUCKET
                ? "bitbucket (the primary's " + "rest/mirroring/latest/repos)"
                : "manifest " + git.manifest();
    }

    private static GitRepositories fromBitbucket(
            ListingFetcher fetcher, FarmvetConfig.Server primary, AtomicReference<Runnable> cancel) {
        PrimaryRepos repos = new PrimaryRepos(fetcher, primary);
        cancel.set(repos::cancel);
        RepositoryNames names;
        try {
            names = repos.read(MAX_REPOSITORIES, id -> true);
        } catch (PrimaryRepos.NamesException e) {
            return failed("repositories.from: bitbucket: the primary's repository list could not be read: "
                    + e.getMessage() + "; check primary.url and primary.auth (REPO_READ), or use from: file");
        }
        if (names.refused() > 0 || names.conflicting() > 0) {
            // A repository left out would never be vetted, and no report would say so.
            return failed("repositories.from: bitbucket: the primary's repository list holds "
                    + Units.count(names.refused(), "name", "names") + " Bitbucket could not have given and "
                    + Units.count(names.conflicting(), "id", "ids") + " listed under two names; use from: file");
        }
        if (names.size() == 0) {
            return failed("repositories.from: bitbucket: the primary lists no repository (are primary.auth's"
                    + " permissions enough to see them?)");
        }
        return of(names.names().stream()
                .map(n -> new RepositoryPath(n.projectKey(), n.slug()))
                .toList());
    }

    private static GitRepositories fromManifest(
            ListingFetcher fetcher, FarmvetConfig.Server primary, String location, AtomicReference<Runnable> cancel) {
        ManifestSource source = ManifestSource.of(fetcher, primary, location);
        Keys keys = new Keys();
        try {
            JsonGet request = source.request();
            if (request != null) {
                cancel.set(request::cancel);
            }
            try (InputStream in = source.open(request)) {
                source.parse(new ManifestReader(), in, keys);
            }
        } catch (IOException e) {
            return failed("repositories.manifest: " + e.getMessage());
        }
        if (keys.duplicate != null) {
            return failed("repositories.manifest: " + source.name() + " lists " + keys.duplicate
                    + " twice (with and without .git?); nothing is judged on a list that names a repository twice");
        }
        if (keys.paths.isEmpty()) {
            return failed("repositories.manifest: " + source.name() + " lists no repository");
        }
        return of(keys.paths);
    }

    /** The names of a manifest's keys: each entry's slug, then its project ({@link ListingHandler#project}). */
    private static final class Keys implements ListingHandler {
        final List<RepositoryPath> paths = new ArrayList<>();
        final Set<String> seen = new HashSet<>();
        String slug;
        String duplicate;

        @Override
        public void repository(ListingEntry entry) {
            slug = entry.slug();
        }

        @Override
        public void project(long projectId, boolean isPublic, String key) {
            RepositoryPath path = new RepositoryPath(key, slug);
            if (!seen.add(path.toString()) && duplicate == null) {
                duplicate = path.toString();
            }
            paths.add(path);
        }
    }

    /** The primary's listing when the list could not be had: fails at once with the reason. */
    ListingSource failedPrimary(ServerProgress progress) {
        return new ListingSource() {
            @Override
            public void send() throws FetchException {
                progress.state(ServerProgress.State.FAILED);
                throw new FetchException(error, null);
            }

            @Override
            public ListingSummary read(ListingHandler handler) throws FetchException {
                throw new FetchException(error, null);
            }

            @Override
            public void cancel(String reason) {}

            @Override
            public Long clockSkewMs() {
                return null;
            }

            @Override
            public long bytesRead() {
                return 0;
            }

            @Override
            public void close() {}
        };
    }
}
