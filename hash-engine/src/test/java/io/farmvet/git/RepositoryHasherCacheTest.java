package io.farmvet.git;

import static io.farmvet.git.GitCli.cliContentHash;
import static io.farmvet.git.GitCli.commit;
import static io.farmvet.git.GitCli.git;
import static io.farmvet.git.GitCli.initWithMain;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cache serves a repository whose ref storage is unchanged and reads it again after any ref change. The
 * clock stands an hour ahead of the files, so every file is past the racy window unless a test says otherwise.
 */
class RepositoryHasherCacheTest {
    @TempDir
    Path tmp;

    private final MutableClock clock = new MutableClock(Instant.now().plus(Duration.ofHours(1)));
    private final RepositoryHasher hasher = new RepositoryHasher(RepositoryHasher.DEFAULT_REF_PREFIXES, clock);
    private Path gitDir;
    private String main;

    @BeforeEach
    void createRepository() {
        gitDir = tmp.resolve("PROJ").resolve("repo.git");
        main = initWithMain(gitDir, "first");
        git(gitDir, "update-ref", "refs/heads/feature", commit(gitDir, "feature", main));
        git(gitDir, "tag", "-a", "-m", "one", "v1", main);
    }

    /** Hashes (caching), applies {@code change}, and checks the next hash read the refs and is right. */
    private RepositoryHashes assertReadAgainAfter(Runnable change) throws IOException {
        RepositoryHashes before = hasher.hash(gitDir);
        assertThat(hasher.hash(gitDir)).isEqualTo(before);
        long hits = hasher.cacheHits();
        long misses = hasher.cacheMisses();

        change.run();
        RepositoryHashes after = hasher.hash(gitDir);

        assertThat(hasher.cacheMisses()).as("misses").isEqualTo(misses + 1);
        assertThat(hasher.cacheHits()).as("hits").isEqualTo(hits);
        assertThat(after).isEqualTo(new RepositoryHasher().hash(gitDir));
        assertThat(after.contentHash()).isEqualTo(cliContentHash(gitDir));
        // And the new state is cached in its turn.
        assertThat(hasher.hash(gitDir)).isEqualTo(after);
        assertThat(hasher.cacheHits()).as("hits after the change").isEqualTo(hits + 1);
        return after;
    }

    @Test
    void unchangedRepositoryIsServedFromTheCache() throws IOException {
        RepositoryHashes first = hasher.hash(gitDir);
        RepositoryHashes second = hasher.hash(gitDir);
        RepositoryHashes third = hasher.hash(gitDir.resolve("..").resolve("repo.git"));

        assertThat(second).isEqualTo(first);
        assertThat(third).isEqualTo(first);
        assertThat(hasher.cacheMisses()).isEqualTo(1);
        assertThat(hasher.cacheHits()).isEqualTo(2);
    }

    @Test
    void newLooseRefInvalidates() throws IOException {
        RepositoryHashes after = assertReadAgainAfter(() -> git(gitDir, "update-ref", "refs/heads/new", main));

        assertThat(after.refCount()).isEqualTo(4);
    }

    @Test
    void packRefsInvalidatesEvenThoughTheHashStaysTheSame() throws IOException {
        String before = hasher.hash(gitDir).contentHash();

        RepositoryHashes after = assertReadAgainAfter(() -> git(gitDir, "pack-refs", "--all"));

        assertThat(after.contentHash()).isEqualTo(before);
    }

    @Test
    void updatedRefInvalidates() throws IOException {
        String before = hasher.hash(gitDir).contentHash();

        RepositoryHashes after = assertReadAgainAfter(
                () -> git(gitDir, "update-ref", "refs/heads/feature", commit(gitDir, "feature 2", main)));

        assertThat(after.contentHash()).isNotEqualTo(before);
    }

    @Test
    void updatedPackedRefInvalidates() throws IOException {
        git(gitDir, "pack-refs", "--all");
        String before = hasher.hash(gitDir).contentHash();

        RepositoryHashes after = assertReadAgainAfter(() -> {
            git(gitDir, "update-ref", "refs/heads/feature", commit(gitDir, "feature 3", main));
            git(gitDir, "pack-refs", "--all");
        });

        assertThat(after.contentHash()).isNotEqualTo(before);
    }

    @Test
    void deletedRefInvalidates() throws IOException {
        RepositoryHashes after = assertReadAgainAfter(() -> git(gitDir, "update-ref", "-d", "refs/heads/feature"));

        assertThat(after.refCount()).isEqualTo(2);
    }

    @Test
    void changedHeadInvalidates() throws IOException {
        String before = hasher.hash(gitDir).metadataHash();

        RepositoryHashes after = assertReadAgainAfter(() -> git(gitDir, "symbolic-ref", "HEAD", "refs/heads/feature"));

        assertThat(after.head()).isEqualTo("refs/heads/feature");
        assertThat(after.metadataHash()).isNotEqualTo(before);
    }

    @Test
    void changedTargetOfASymbolicRefPointingOutsideThePrefixesInvalidates() throws IOException {
        git(gitDir, "update-ref", "refs/remotes/origin/main", main);
        git(gitDir, "symbolic-ref", "refs/heads/upstream", "refs/remotes/origin/main");
        String before = hasher.hash(gitDir).contentHash();

        RepositoryHashes after = assertReadAgainAfter(
                () -> git(gitDir, "update-ref", "refs/remotes/origin/main", commit(gitDir, "upstream moved", main)));

        assertThat(after.contentHash()).isNotEqualTo(before);
    }

    @Test
    void lockAndDotFilesDoNotInvalidate() throws IOException {
        hasher.hash(gitDir);
        // A ref update in flight and JGit's timestamp probe: neither is a ref, both change refs/heads' mtime.
        Files.writeString(gitDir.resolve("refs/heads/feature.lock"), main + "\n");
        Files.writeString(gitDir.resolve("refs/heads/.probe-1234"), "x");

        hasher.hash(gitDir);

        assertThat(hasher.cacheHits()).isEqualTo(1);
        assertThat(hasher.cacheMisses()).isEqualTo(1);
    }

    @Test
    void refFilesModifiedWithinTheRacyWindowAreNotTrustedUntilItHasPassed() throws IOException {
        Instant modified = clock.instant().minusMillis(500);
        Files.setLastModifiedTime(gitDir.resolve("refs/heads/feature"), FileTime.from(modified));

        hasher.hash(gitDir);
        hasher.hash(gitDir);
        assertThat(hasher.cacheHits()).isZero();
        assertThat(hasher.cacheMisses()).isEqualTo(2);

        clock.set(modified.plus(RepositoryHasher.RACY_WINDOW).plusMillis(1));
        hasher.hash(gitDir);
        hasher.hash(gitDir);
        assertThat(hasher.cacheHits()).isEqualTo(1);
        assertThat(hasher.cacheMisses()).isEqualTo(3);
    }

    @Test
    void forgetAndClearDropEntries() throws IOException {
        hasher.hash(gitDir);
        hasher.forget(gitDir);
        hasher.hash(gitDir);
        hasher.clearCache();
        hasher.hash(gitDir);

        assertThat(hasher.cacheHits()).isZero();
        assertThat(hasher.cacheMisses()).isEqualTo(3);
    }

    @Test
    void concurrentHashesOfOneRepositoryAgreeAndAreCounted() throws Exception {
        RepositoryHashes expected = new RepositoryHasher().hash(gitDir);
        int threads = 8;
        int hashesPerThread = 25;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<RepositoryHashes>>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    List<RepositoryHashes> results = new ArrayList<>();
                    for (int i = 0; i < hashesPerThread; i++) {
                        results.add(hasher.hash(gitDir));
                    }
                    return results;
                }));
            }
            for (Future<List<RepositoryHashes>> future : futures) {
                assertThat(future.get(60, TimeUnit.SECONDS))
                        .hasSize(hashesPerThread)
                        .containsOnly(expected);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(hasher.cacheHits() + hasher.cacheMisses()).isEqualTo((long) threads * hashesPerThread);
        assertThat(hasher.cacheMisses()).isBetween(1L, (long) threads);
    }
}
