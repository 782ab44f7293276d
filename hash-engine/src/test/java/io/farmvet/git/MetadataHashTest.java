package io.farmvet.git;

import static io.farmvet.git.GitCli.git;
import static io.farmvet.git.GitCli.initBare;
import static io.farmvet.git.GitCli.initWithMain;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetadataHashTest {
    /** {@code printf 'farmvet-metadata 1\nproject %s\nrepository %s\nhead %s\n' PROJ repo refs/heads/main | sha256sum} */
    static final String PROJ_REPO_MAIN = "8787861cff1908a6ea1e56151a93053a0a516e854a38fd980acd3a789825125a";

    /** The same with an empty head (no HEAD). */
    static final String PROJ_REPO_NO_HEAD = "09c7654070a3fb99cc3415e9ec5d00899b997607d474b66abe0b5514dc749005";

    private static final String PRINTF = "printf 'farmvet-metadata 1\\nproject %s\\nrepository %s\\nhead %s\\n' ";

    @TempDir
    Path tmp;

    private final RepositoryHasher hasher = new RepositoryHasher();

    @Test
    void canonicalFormIsFourNewlineTerminatedLines() {
        assertThat(MetadataHash.canonicalForm("PROJ", "repo", "refs/heads/main"))
                .isEqualTo("farmvet-metadata 1\nproject PROJ\nrepository repo\nhead refs/heads/main\n");
        assertThat(MetadataHash.canonicalForm("PROJ", "repo", "")).endsWith("\nhead \n");
    }

    @Test
    void goldenValuesComputedWithPrintfAndSha256sum() {
        assertThat(MetadataHash.of("PROJ", "repo", "refs/heads/main")).isEqualTo(PROJ_REPO_MAIN);
        assertThat(MetadataHash.of("PROJ", "repo", "")).isEqualTo(PROJ_REPO_NO_HEAD);
        // And recomputed now, so the pinned value cannot drift from the documented recipe.
        assertThat(GitCli.sh(tmp, PRINTF + "PROJ repo refs/heads/main | sha256sum"))
                .startsWith(PROJ_REPO_MAIN);
        assertThat(GitCli.sh(tmp, PRINTF + "'PRÖJ' 'répo' 'refs/heads/ü' | sha256sum"))
                .startsWith(MetadataHash.of("PRÖJ", "répo", "refs/heads/ü"));
    }

    @Test
    void symbolicHeadIsItsTargetAsGitSymbolicRefPrintsIt() throws IOException {
        Path gitDir = tmp.resolve("PROJ").resolve("repo.git");
        initWithMain(gitDir, "first");

        RepositoryHashes hashes = hasher.hash(gitDir);

        assertThat(hashes.head())
                .isEqualTo("refs/heads/main")
                .isEqualTo(git(gitDir, "symbolic-ref", "HEAD").trim());
        assertThat(hashes.metadataHash()).isEqualTo(PROJ_REPO_MAIN);
    }

    @Test
    void headThroughASymbolicBranchIsTheFinalTarget() throws IOException {
        Path gitDir = tmp.resolve("PROJ").resolve("repo.git");
        initWithMain(gitDir, "first");
        git(gitDir, "symbolic-ref", "refs/heads/default", "refs/heads/main");
        git(gitDir, "symbolic-ref", "HEAD", "refs/heads/default");

        RepositoryHashes hashes = hasher.hash(gitDir);

        assertThat(hashes.head())
                .isEqualTo("refs/heads/main")
                .isEqualTo(git(gitDir, "symbolic-ref", "HEAD").trim());
    }

    @Test
    void unbornDefaultBranchIsStillTheHead() throws IOException {
        Path gitDir = initBare(tmp.resolve("PROJ").resolve("repo.git"));

        RepositoryHashes hashes = hasher.hash(gitDir);

        assertThat(hashes.head()).isEqualTo("refs/heads/main");
        assertThat(hashes.metadataHash()).isEqualTo(PROJ_REPO_MAIN);
    }

    @Test
    void detachedHeadIsTheObjectId() throws IOException {
        Path gitDir = tmp.resolve("PROJ").resolve("repo.git");
        String main = initWithMain(gitDir, "first");
        git(gitDir, "update-ref", "--no-deref", "HEAD", main);

        RepositoryHashes hashes = hasher.hash(gitDir);

        assertThat(hashes.head())
                .isEqualTo(main)
                .isEqualTo(git(gitDir, "rev-parse", "HEAD").trim());
        assertThat(hashes.metadataHash()).isEqualTo(MetadataHash.of("PROJ", "repo", main));
        assertThat(GitCli.sh(tmp, PRINTF + "PROJ repo " + main + " | sha256sum"))
                .startsWith(hashes.metadataHash());
    }

    @Test
    void missingHeadIsTheEmptyString() throws IOException {
        Path gitDir = tmp.resolve("PROJ").resolve("repo.git");
        initWithMain(gitDir, "first");
        Files.delete(gitDir.resolve("HEAD"));

        RepositoryHashes hashes = hasher.hash(gitDir);

        assertThat(hashes.head()).isEmpty();
        assertThat(hashes.metadataHash()).isEqualTo(PROJ_REPO_NO_HEAD);
    }

    @Test
    void keyAndSlugAreTakenFromTheDirectoryNames() throws IOException {
        Path gitDir = tmp.resolve("KEY_1").resolve("my-repo.git");
        initWithMain(gitDir, "first");

        RepositoryHashes hashes = hasher.hash(gitDir);

        assertThat(hashes.projectKey()).isEqualTo("KEY_1");
        assertThat(hashes.slug()).isEqualTo("my-repo");
        assertThat(hashes.projectId()).isEqualTo(StableIds.projectId("KEY_1"));
        assertThat(hashes.repositoryId()).isEqualTo(StableIds.repositoryId("KEY_1", "my-repo"));
        assertThat(hashes.metadataHash()).isEqualTo(MetadataHash.of("KEY_1", "my-repo", "refs/heads/main"));
    }

    @Test
    void namesThatWouldMakeTheFormAmbiguousAreRejected() {
        assertThatThrownBy(() -> MetadataHash.of("PROJ\nrepository x", "repo", ""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("project key");
        assertThatThrownBy(() -> MetadataHash.of("PROJ", "a/b", ""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("repository slug");
        assertThatThrownBy(() -> MetadataHash.of("PROJ", "repo", "refs/heads/x\nhead y"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("head");
        assertThatThrownBy(() -> MetadataHash.of("", "repo", "")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MetadataHash.of("P\ud800", "repo", ""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("surrogate");
    }
}
