package io.farmvet.git;

import static io.farmvet.git.GitCli.commit;
import static io.farmvet.git.GitCli.git;
import static io.farmvet.git.GitCli.initBare;
import static io.farmvet.git.GitCli.initWithMain;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MirrorSyncTest {
    private static final Clock FIXED = Clock.fixed(Instant.parse("2026-11-22T01:02:03Z"), ZoneOffset.UTC);

    @TempDir
    Path tmp;

    private Path upstream;
    private Path mirror;
    private RepositoryHasher hasher;

    @BeforeEach
    void createFarm() throws IOException {
        upstream = Files.createDirectories(tmp.resolve("upstream"));
        mirror = Files.createDirectories(tmp.resolve("mirror"));
        // A clock an hour ahead lets the hasher cache every result, so a stale cache entry would show.
        hasher = new RepositoryHasher(
                RepositoryHasher.DEFAULT_REF_PREFIXES, Clock.offset(Clock.systemUTC(), Duration.ofHours(1)));
    }

    private MirrorSync sync() throws IOException {
        return new MirrorSync(mirror, upstream + "/{project}/{repo}.git", null, hasher, FIXED, 60);
    }

    private Path upstreamRepo(String key, String slug) {
        return upstream.resolve(key).resolve(slug + ".git");
    }

    private Path mirrorOf(String key, String slug) {
        Path target = mirror.resolve(key).resolve(slug + ".git");
        try {
            Files.createDirectories(target.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        git(
                target.getParent(),
                "clone",
                "-q",
                "--mirror",
                upstreamRepo(key, slug).toString(),
                target.toString());
        return target;
    }

    private void assertSameHashes(String key, String slug) throws IOException {
        RepositoryHashes expected = hasher.hash(upstreamRepo(key, slug));
        RepositoryHashes actual = hasher.hash(mirror.resolve(key).resolve(slug + ".git"));
        assertThat(actual.contentHash()).isEqualTo(expected.contentHash());
        assertThat(actual.metadataHash()).isEqualTo(expected.metadataHash());
        assertThat(actual.head()).isEqualTo(expected.head());
    }

    @Test
    void fetchBringsNewCommitsAndBranchesPrunesDeletedTagsAndTakesTheNewDefaultBranch() throws IOException {
        Path up = upstreamRepo("PROJ", "repo");
        String main = initWithMain(up, "first");
        git(up, "tag", "-a", "-m", "release", "v1", main);
        git(up, "tag", "old", main);
        Path copy = mirrorOf("PROJ", "repo");
        RepositoryHashes before = hasher.hash(copy);

        String second = commit(up, "second", main);
        git(up, "update-ref", "refs/heads/main", second);
        git(up, "update-ref", "refs/heads/develop", commit(up, "develop", second));
        git(up, "tag", "-d", "old");
        git(up, "symbolic-ref", "HEAD", "refs/heads/develop");
        assertThat(hasher.hash(up).contentHash()).isNotEqualTo(before.contentHash());

        MirrorSync.Result result = sync().sync("PROJ", "repo");

        assertThat(result.action()).isEqualTo(MirrorSync.Action.FETCHED);
        assertThat(result.head()).isEqualTo("refs/heads/develop");
        assertThat(result.note()).isEmpty();
        assertThat(result.refUpdates()).isEqualTo(3); // main moved, develop new, old deleted
        assertThat(git(copy, "tag", "-l")).isEqualTo("v1\n");
        assertSameHashes("PROJ", "repo");
    }

    @Test
    void aMissingRepositoryIsClonedAsABareMirrorIntoANewProjectFolder() throws IOException {
        Path up = upstreamRepo("NEW", "fresh");
        String main = initWithMain(up, "first");
        git(up, "update-ref", "refs/heads/feature", commit(up, "feature", main));
        git(up, "tag", "-a", "-m", "release", "v1", main);
        MirrorSync sync = sync();

        MirrorSync.Result result = sync.sync("NEW", "fresh");

        Path cloned = mirror.resolve("NEW").resolve("fresh.git");
        assertThat(result.action()).isEqualTo(MirrorSync.Action.CLONED);
        assertThat(result.path()).isEqualTo(cloned.toRealPath());
        assertThat(git(cloned, "rev-parse", "--is-bare-repository")).isEqualTo("true\n");
        assertSameHashes("NEW", "fresh");
        try (Stream<Path> entries = Files.list(mirror.resolve("NEW"))) {
            assertThat(entries.map(p -> p.getFileName().toString())).containsExactly("fresh.git");
        }
        assertThat(sync.fetchCount()).isEqualTo(1);
    }

    @Test
    void aDirectoryThatIsNoRepositoryIsQuarantinedAndClonedAfresh() throws IOException {
        initWithMain(upstreamRepo("PROJ", "broken"), "first");
        Path broken = Files.createDirectories(mirror.resolve("PROJ").resolve("broken.git"));
        Files.writeString(broken.resolve("keep-me"), "operator data\n");

        MirrorSync.Result result = sync().sync("PROJ", "broken");

        Path kept = tmp.resolve(MirrorSync.DEFAULT_QUARANTINE_NAME)
                .toRealPath()
                .resolve("20261122T010203Z-PROJ-broken.git");
        assertThat(result.action()).isEqualTo(MirrorSync.Action.CLONED);
        assertThat(result.note()).contains("not a Git repository").contains(kept.toString());
        assertThat(kept.resolve("keep-me")).hasContent("operator data");
        assertSameHashes("PROJ", "broken");
    }

    @Test
    void aFailedCloneLeavesNothingBehind() throws IOException {
        MirrorSync sync = sync();

        assertThatThrownBy(() -> sync.sync("GONE", "nothing"))
                .isInstanceOf(MirrorSyncException.class)
                .hasMessageContaining("GONE/nothing")
                .hasMessageContaining(upstreamRepo("GONE", "nothing").toString());

        try (Stream<Path> entries = Files.list(mirror.resolve("GONE"))) {
            assertThat(entries).isEmpty();
        }
    }

    @Test
    void anUpstreamWithoutHeadLeavesHeadAloneAndSaysSo() throws IOException {
        Path up = initBare(upstreamRepo("PROJ", "empty"));
        Path copy = mirrorOf("PROJ", "empty");
        git(copy, "symbolic-ref", "HEAD", "refs/heads/trunk");
        assertThat(up).exists();

        MirrorSync.Result result = sync().sync("PROJ", "empty");

        assertThat(result.head()).isEqualTo("refs/heads/trunk");
        assertThat(result.note()).contains("advertised no default branch").contains("refs/heads/trunk");
        assertThat(git(copy, "symbolic-ref", "HEAD")).isEqualTo("refs/heads/trunk\n");
    }

    @Test
    void quarantineMovesTheRepositoryOutsideTheFolderWithoutDeletingIt() throws IOException {
        Path up = upstreamRepo("PROJ", "extra");
        String main = initWithMain(up, "first");
        Path copy = mirrorOf("PROJ", "extra");
        MirrorSync sync = sync();

        MirrorSync.Result first = sync.quarantine("PROJ", "extra");
        mirrorOf("PROJ", "extra");
        MirrorSync.Result second = sync.quarantine("PROJ", "extra");

        Path quarantine = tmp.resolve(MirrorSync.DEFAULT_QUARANTINE_NAME).toRealPath();
        assertThat(first.action()).isEqualTo(MirrorSync.Action.QUARANTINED);
        assertThat(first.path()).isEqualTo(quarantine.resolve("20261122T010203Z-PROJ-extra.git"));
        assertThat(second.path()).isEqualTo(quarantine.resolve("20261122T010203Z-PROJ-extra-2.git"));
        assertThat(copy).doesNotExist();
        assertThat(first.path().startsWith(mirror.toRealPath())).isFalse();
        assertThat(git(first.path(), "rev-parse", "refs/heads/main")).isEqualTo(main + "\n");
        assertThat(sync.fetchCount()).isZero();
    }

    @Test
    void quarantineOfAnAbsentRepositoryFailsNamingIt() throws IOException {
        MirrorSync sync = sync();

        assertThatThrownBy(() -> sync.quarantine("PROJ", "absent"))
                .isInstanceOf(MirrorSyncException.class)
                .hasMessageContaining("PROJ/absent")
                .hasMessageContaining("no such repository");
    }

    @Test
    void errorsMaskTheUpstreamsUserInfoInTheMessageAndEveryCause() throws IOException {
        // Port 1 on loopback: nothing listens there, so the fetch fails at once with a connection error.
        MirrorSync sync = new MirrorSync(
                mirror, "http://alice:s3cr%40t@127.0.0.1:1/scm/{project}/{repo}.git", null, hasher, FIXED, 5);
        localRepositoryOnly("PROJ", "repo");

        assertThatThrownBy(() -> sync.sync("PROJ", "repo"))
                .isInstanceOf(MirrorSyncException.class)
                .hasMessageContaining("PROJ/repo")
                .hasMessageContaining("http://***@127.0.0.1:1/scm/PROJ/repo.git")
                .satisfies(e -> {
                    for (Throwable t = e; t != null; t = t.getCause()) {
                        assertThat(String.valueOf(t.getMessage()))
                                .doesNotContain("s3cr")
                                .doesNotContain("alice");
                    }
                });
    }

    private void localRepositoryOnly(String key, String slug) {
        initWithMain(mirror.resolve(key).resolve(slug + ".git"), "local");
    }

    @Test
    void maskUrlHidesUserInfoOfUrlsAndScpLikeAddresses() {
        assertThat(MirrorSync.maskUrl("https://u:p@host/x.git")).isEqualTo("https://***@host/x.git");
        assertThat(MirrorSync.maskUrl("ssh://git@host:22/x.git")).isEqualTo("ssh://***@host:22/x.git");
        assertThat(MirrorSync.maskUrl("git@host:team/x.git")).isEqualTo("***@host:team/x.git");
        assertThat(MirrorSync.maskUrl("/srv/git/x.git")).isEqualTo("/srv/git/x.git");
        assertThat(MirrorSync.maskUrl("file:///srv/git/x.git")).isEqualTo("file:///srv/git/x.git");
    }

    @Test
    void namesThatWouldLeaveTheFolderAreRefused() throws IOException {
        MirrorSync sync = sync();

        for (List<String> names : List.of(List.of("..", "x"), List.of("PROJ", ".."), List.of("a/b", "x"))) {
            assertThatThrownBy(() -> sync.sync(names.get(0), names.get(1)))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(tmp.resolve("x.git")).doesNotExist();
    }

    @Test
    void unusableTemplatesAndQuarantinesAreRefusedAtConstruction() {
        assertThatThrownBy(() -> new MirrorSync(mirror, "https://host/{project}", null, hasher, FIXED, 60))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("{repo}");
        assertThatThrownBy(() -> new MirrorSync(mirror, "https://host/{proj}/{repo}", null, hasher, FIXED, 60))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown placeholder {proj}");
        assertThatThrownBy(() ->
                        new MirrorSync(mirror, "https://host/{repo}", mirror.resolve("quarantine"), hasher, FIXED, 60))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be outside the repositories folder");
    }
}
