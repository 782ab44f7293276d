package io.farmvet.names;

import io.farmvet.compare.PrimaryTable;
import io.farmvet.config.FarmvetConfig;
import io.farmvet.fetch.ListingFetcher;
import io.farmvet.util.Units;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The names of a vet's repositories, kept between vets. A primary whose listing names its repositories (farmvet's
 * agent) is its own source; for Bitbucket the names come from {@link PrimaryRepos}, asked again only when the
 * listing shows an id the last lookup did not see (or the primary's URL changed). Best effort: a lookup that fails
 * keeps the names it had and says why in {@link Result#note}. The daemon holds one for its life; a command-line vet
 * uses a fresh one. Thread-safe; lookups are not run at once (one vet at a time).
 */
public final class NameLookup {
    private static final Logger log = LoggerFactory.getLogger(NameLookup.class);

    private record Cached(URI primary, RepositoryNames names) {}

    /**
     * @param note why some or all repositories are reported by id, else null
     * @param fetched whether {@code rest/mirroring/latest/repos} was asked this time
     */
    public record Result(RepositoryNames names, String note, boolean fetched) {}

    private final AtomicReference<Cached> cached = new AtomicReference<>();
    private final AtomicReference<PrimaryRepos> running = new AtomicReference<>();
    private final AtomicInteger lookups = new AtomicInteger();

    /** The names for every repository of {@code table}, fetched only when needed. */
    public Result names(ListingFetcher fetcher, FarmvetConfig.Server primary, PrimaryTable table) {
        if (table.size() > 0 && table.slug(0) != null) {
            RepositoryNames names = fromListing(table);
            return new Result(names, refusals(names, "the primary's listing"), false);
        }
        Cached last = cached.get();
        if (last != null && last.primary().equals(primary.url()) && sawAll(last.names(), table)) {
            return new Result(last.names(), refusals(last.names(), PrimaryRepos.PATH), false);
        }
        PrimaryRepos repos = new PrimaryRepos(fetcher, primary);
        running.set(repos);
        long start = System.nanoTime();
        try {
            lookups.incrementAndGet();
            RepositoryNames names = repos.read(table.size(), id -> table.indexOf(id) >= 0);
            cached.set(new Cached(primary.url(), names));
            log.info(
                    "primary: names of {} from {} in {}",
                    Units.count(names.size(), "repository", "repositories"),
                    PrimaryRepos.PATH,
                    Units.millis((System.nanoTime() - start) / 1_000_000));
            return new Result(names, refusals(names, PrimaryRepos.PATH), true);
        } catch (PrimaryRepos.NamesException e) {
            log.warn("primary: repository names not read: {}", e.getMessage());
            RepositoryNames kept = last != null && last.primary().equals(primary.url()) ? last.names() : null;
            return new Result(
                    kept == null ? RepositoryNames.NONE : kept,
                    "repository names not read (" + e.getMessage() + "); "
                            + (kept == null ? "repositories are reported by id" : "names are from an earlier vet"),
                    true);
        } finally {
            running.set(null);
        }
    }

    /** Stops a lookup in progress (the vet's deadline passed); it then ends with a note. */
    public void cancel() {
        PrimaryRepos repos = running.get();
        if (repos != null) {
            repos.cancel();
        }
    }

    /** How many times {@code repos} was asked for, for tests of the cache. */
    public int lookups() {
        return lookups.get();
    }

    private static RepositoryNames fromListing(PrimaryTable table) {
        RepositoryNames.Builder names = RepositoryNames.builder();
        for (int i = 0; i < table.size(); i++) {
            names.add(table.repositoryId(i), table.projectKey(i), table.slug(i));
        }
        return names.build();
    }

    private static boolean sawAll(RepositoryNames names, PrimaryTable table) {
        for (int i = 0; i < table.size(); i++) {
            if (!names.saw(table.repositoryId(i))) {
                return false;
            }
        }
        return true;
    }

    private static String refusals(RepositoryNames names, String source) {
        if (names.refused() == 0 && names.conflicting() == 0) {
            return null;
        }
        StringBuilder note = new StringBuilder("some repositories are reported by id: ").append(source);
        if (names.refused() > 0) {
            note.append(" gave ")
                    .append(Units.count(names.refused(), "name", "names"))
                    .append(" that Bitbucket does not allow (control characters, markup, over ")
                    .append(RepositoryNames.MAX_NAME_CHARS)
                    .append(" characters)");
        }
        if (names.conflicting() > 0) {
            note.append(names.refused() > 0 ? " and" : "")
                    .append(" listed ")
                    .append(Units.count(names.conflicting(), "repository", "repositories"))
                    .append(" twice with different names");
        }
        return note.toString();
    }
}
