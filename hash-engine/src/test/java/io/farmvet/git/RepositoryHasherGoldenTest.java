package io.farmvet.git;

import static io.farmvet.git.GitCli.cliContentHash;
import static io.farmvet.git.GitCli.cliContentInput;
import static io.farmvet.git.GitCli.commit;
import static io.farmvet.git.GitCli.git;
import static io.farmvet.git.GitCli.initBare;
import static io.farmvet.git.GitCli.initWithMain;
import static io.farmvet.git.GitCli.sh;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import org.eclipse.jgit.internal.storage.file.FileRepository;
import org.eclipse.jgit.lib.ConfigConstants;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The content hash against the contract's {@code git for-each-ref | LC_ALL=C sort -k2 | sha256sum} one-liner. */
class RepositoryHasherGoldenTest {
    @TempDir
    Path tmp;

    private final RepositoryHasher hasher = new RepositoryHasher();

    /** Same lines as the CLI (the readable failure), then the same hash and count. */
    private RepositoryHashes assertMatchesCli(Path gitDir) throws IOException {
        String cliInput = cliContentInput(gitDir);
        assertThat(hasher.contentInput(gitDir)).isEqualTo(cliInput);
        RepositoryHashes hashes = hasher.hash(gitDir);
        assertThat(hashes.contentHash()).isEqualTo(cliContentHash(gitDir)).hasSize(64);
        assertThat(hashes.refCount()).isEqualTo(cliInput.lines().count());
        return hashes;
    }

    private static List<String> refNames(String input) {
        return input.lines().map(line -> line.substring(line.indexOf(' ') + 1)).toList();
    }

    private Path repoWithBranchesAndTags() {
        Path gitDir = tmp.resolve("PROJ").resolve("repo.git");
        String main = initWithMain(gitDir.toAbsolutePath(), "first");
        String second = commit(gitDir, "second", main);
        git(gitDir, "update-ref", "refs/heads/feature/login", second);
        git(gitDir, "update-ref", "refs/heads/release", main);
        git(gitDir, "tag", "v1-light", main);
        git(gitDir, "tag", "-a", "-m", "release 1", "v1", main);
        return gitDir;
    }

    @Test
    void looseRefsOnly() throws IOException {
        Path gitDir = repoWithBranchesAndTags();
        assertThat(gitDir.resolve("packed-refs")).doesNotExist();

        RepositoryHashes hashes = assertMatchesCli(gitDir);

        assertThat(hashes.refCount()).isEqualTo(5);
        assertThat(hashes.projectKey()).isEqualTo("PROJ");
        assertThat(hashes.slug()).isEqualTo("repo");
    }

    @Test
    void packedRefsOnly() throws IOException {
        Path gitDir = repoWithBranchesAndTags();
        String looseHash = cliContentHash(gitDir);
        git(gitDir, "pack-refs", "--all");
        assertThat(sh(gitDir, "find refs -type f")).isEmpty();
        assertThat(Files.readString(gitDir.resolve("packed-refs"))).contains("^"); // peeled line of tag v1

        RepositoryHashes hashes = assertMatchesCli(gitDir);

        assertThat(hashes.contentHash()).isEqualTo(looseHash);
    }

    @Test
    void packedThenOneRefUpdatedLoose() throws IOException {
        Path gitDir = repoWithBranchesAndTags();
        git(gitDir, "pack-refs", "--all");
        String packedHash = cliContentHash(gitDir);
        String newer = commit(
                gitDir, "newer", git(gitDir, "rev-parse", "refs/heads/release").trim());
        git(gitDir, "update-ref", "refs/heads/release", newer);
        assertThat(gitDir.resolve("refs/heads/release")).exists();
        assertThat(Files.readString(gitDir.resolve("packed-refs"))).contains("refs/heads/release");

        RepositoryHashes hashes = assertMatchesCli(gitDir);

        assertThat(hashes.contentHash()).isNotEqualTo(packedHash);
        assertThat(hasher.contentInput(gitDir)).contains(newer + " refs/heads/release\n");
    }

    @ParameterizedTest(name = "packed={0}")
    @ValueSource(booleans = {false, true})
    void annotatedTagsShowTheTagObjectAndNestedTagsTheOuterTag(boolean packed) throws IOException {
        Path gitDir = tmp.resolve("PROJ").resolve("tags.git");
        String main = initWithMain(gitDir, "tagged");
        git(gitDir, "tag", "light", main);
        git(gitDir, "tag", "-a", "-m", "annotated", "inner", main);
        git(gitDir, "tag", "-a", "-m", "tag of a tag", "outer", "inner");
        if (packed) {
            git(gitDir, "pack-refs", "--all");
        }
        String innerTag = git(gitDir, "rev-parse", "refs/tags/inner").trim();
        String outerTag = git(gitDir, "rev-parse", "refs/tags/outer").trim();
        assertThat(git(gitDir, "cat-file", "-t", outerTag).trim()).isEqualTo("tag");
        assertThat(innerTag).isNotEqualTo(main);

        assertMatchesCli(gitDir);

        assertThat(hasher.contentInput(gitDir))
                .isEqualTo(main + " refs/heads/main\n"
                        + innerTag + " refs/tags/inner\n"
                        + main + " refs/tags/light\n"
                        + outerTag + " refs/tags/outer\n");
    }

    @ParameterizedTest(name = "packed={0}")
    @ValueSource(booleans = {false, true})
    void namesSortInUtf8ByteOrderNotJavaOrder(boolean packed) throws IOException {
        Path gitDir = tmp.resolve("PROJ").resolve("names.git");
        String main = initWithMain(gitDir, "names");
        // '-' 0x2d < '.' 0x2e < '/' 0x2f < '0' 0x30 ("a" itself cannot coexist with "a/b"); 'B' 0x42 < 'a' 0x61 (a
        // locale sort puts a before B and ignores
        // punctuation); U+00FC is C3 BC; U+FF01 is EF BC 81 but U+1F600 is F0 9F 98 80, while in UTF-16 the
        // supplementary character's high surrogate D83D sorts before FF01.
        List<String> branches = List.of("a0", "B", "a-b", "a/b", "a.b", "\u00fc", "\uff01", "\ud83d\ude00", "zeta");
        for (String branch : branches) {
            git(gitDir, "update-ref", "refs/heads/" + branch, main);
        }
        if (packed) {
            git(gitDir, "pack-refs", "--all");
        }

        assertMatchesCli(gitDir);

        List<String> expected = List.of(
                "refs/heads/B",
                "refs/heads/a-b",
                "refs/heads/a.b",
                "refs/heads/a/b",
                "refs/heads/a0",
                "refs/heads/main",
                "refs/heads/zeta",
                "refs/heads/\u00fc",
                "refs/heads/\uff01",
                "refs/heads/\ud83d\ude00");
        assertThat(refNames(hasher.contentInput(gitDir))).containsExactlyElementsOf(expected);
        // The case this test exists for: Java's own order differs.
        String[] javaOrder = expected.toArray(String[]::new);
        Arrays.sort(javaOrder);
        assertThat(javaOrder).isNotEqualTo(expected.toArray());
    }

    @Test
    void symbolicRefUnderHeadsShowsItsTargetsIdAndADanglingOneIsSkipped() throws IOException {
        Path gitDir = repoWithBranchesAndTags();
        git(gitDir, "symbolic-ref", "refs/heads/alias", "refs/heads/feature/login");
        git(gitDir, "symbolic-ref", "refs/heads/dangling", "refs/heads/does-not-exist");
        String login = git(gitDir, "rev-parse", "refs/heads/feature/login").trim();

        RepositoryHashes hashes = assertMatchesCli(gitDir);

        assertThat(hasher.contentInput(gitDir))
                .contains(login + " refs/heads/alias\n")
                .doesNotContain("dangling");
        assertThat(hashes.refCount()).isEqualTo(6);
    }

    @Test
    void headSymbolicOrDetachedDoesNotChangeTheContentHash() throws IOException {
        Path gitDir = repoWithBranchesAndTags();
        String symbolicHash = assertMatchesCli(gitDir).contentHash();
        git(
                gitDir,
                "update-ref",
                "--no-deref",
                "HEAD",
                git(gitDir, "rev-parse", "refs/heads/release").trim());
        assertThat(Files.readString(gitDir.resolve("HEAD"))).doesNotStartWith("ref:");

        assertThat(assertMatchesCli(gitDir).contentHash()).isEqualTo(symbolicHash);
    }

    @Test
    void emptyRepositoryHashesTheEmptyInput() throws IOException {
        Path gitDir = initBare(tmp.resolve("PROJ").resolve("empty.git"));

        RepositoryHashes hashes = assertMatchesCli(gitDir);

        assertThat(hashes.contentHash()).isEqualTo(GitCli.EMPTY_INPUT_SHA256).isNotEqualTo("0".repeat(64));
        assertThat(hashes.refCount()).isZero();
        assertThat(hashes.head()).isEqualTo("refs/heads/main");
    }

    @Test
    void mirrorCloneLeavesOutRefsOutsideHeadsAndTags() throws IOException {
        Path source = repoWithBranchesAndTags();
        String main = git(source, "rev-parse", "refs/heads/main").trim();
        git(source, "notes", "add", "-m", "a note", main);
        git(source, "update-ref", "refs/pull/1/head", commit(source, "pull request"));
        git(source, "update-ref", "refs/keep-around/" + main, main);
        Path mirror = tmp.resolve("MIRROR").resolve("repo.git");
        git(tmp, "clone", "-q", "--mirror", source.toString(), mirror.toString());
        assertThat(git(mirror, "for-each-ref", "--format=%(refname)"))
                .contains("refs/notes/commits", "refs/pull/1/head", "refs/keep-around/");

        RepositoryHashes hashes = assertMatchesCli(mirror);

        assertThat(hasher.contentInput(mirror)).doesNotContain("refs/notes", "refs/pull", "refs/keep-around");
        assertThat(hashes.contentHash()).isEqualTo(hasher.hash(source).contentHash());
    }

    @Test
    void refNamesGitRejectsAndUnparsableRefFilesAreSkippedAsGitDoes() throws IOException {
        Path gitDir = repoWithBranchesAndTags();
        String main = git(gitDir, "rev-parse", "refs/heads/main").trim();
        Files.writeString(gitDir.resolve("refs/heads/a..b"), main + "\n");
        Files.writeString(gitDir.resolve("refs/heads/garbage"), "not a ref\n");
        Files.writeString(gitDir.resolve("refs/heads/missing-object"), "1234567890".repeat(4) + "\n");

        assertMatchesCli(gitDir);

        assertThat(hasher.contentInput(gitDir))
                .doesNotContain("a..b", "garbage")
                // No object is read, as for git: a ref naming a missing object is still a line.
                .contains("1234567890".repeat(4) + " refs/heads/missing-object\n");
    }

    @Test
    void configuredPrefixesMatchTheOneLinerWithThosePatterns() throws IOException {
        Path source = repoWithBranchesAndTags();
        String main = git(source, "rev-parse", "refs/heads/main").trim();
        git(source, "notes", "add", "-m", "a note", main);
        RepositoryHasher withNotes =
                new RepositoryHasher(List.of("refs/notes/", "refs/heads/", "refs/tags/"), Clock.systemUTC());

        String cli = sh(
                source,
                "git for-each-ref --format='%(objectname) %(refname)' refs/heads refs/tags refs/notes"
                        + " | LC_ALL=C sort -k2 | sha256sum");

        assertThat(withNotes.hash(source).contentHash()).isEqualTo(cli.substring(0, 64));
        assertThat(withNotes.contentInput(source)).contains(" refs/notes/commits\n");
    }

    @Test
    void reftableStorageHashesLikeTheFilesItWasConvertedFrom() throws IOException {
        Path gitDir = repoWithBranchesAndTags();
        git(gitDir, "symbolic-ref", "refs/heads/alias", "refs/heads/main");
        git(gitDir, "pack-refs", "--all");
        String cliHash = cliContentHash(gitDir);
        String cliInput = cliContentInput(gitDir);
        // git 2.39 cannot write reftable (2.45 can); JGit converts in place.
        try (Repository repository = new FileRepositoryBuilder()
                .setGitDir(gitDir.toFile())
                .setMustExist(true)
                .build()) {
            ((FileRepository) repository).convertRefStorage(ConfigConstants.CONFIG_REF_STORAGE_REFTABLE, false, false);
        }
        assertThat(gitDir.resolve("reftable")).isDirectory();

        assertThat(hasher.contentInput(gitDir)).isEqualTo(cliInput);
        assertThat(hasher.hash(gitDir).contentHash()).isEqualTo(cliHash);
    }
}
