package io.farmvet.git;

import static io.farmvet.git.GitCli.cliContentHash;
import static io.farmvet.git.GitCli.commit;
import static io.farmvet.git.GitCli.git;
import static io.farmvet.git.GitCli.initWithMain;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FleetHasherTest {
    private static final int PROJECTS = 4;
    private static final int REPOSITORIES_PER_PROJECT = 5;

    // Built once: about 300 git processes, and no test changes the fleet.
    @TempDir
    static Path tmp;

    private static Path root;
    private static final List<Path> goodRepositories = new ArrayList<>();
    private static Path broken;
    private static Path hollow;
    private static Path linkedRepository;
    private static Path linkedProject;

    @BeforeAll
    static void createFleet() throws IOException {
        root = Files.createDirectories(tmp.resolve("fleet"));
        for (int p = 1; p <= PROJECTS; p++) {
            for (int r = 1; r <= REPOSITORIES_PER_PROJECT; r++) {
                Path gitDir = root.resolve("PROJ" + p).resolve("repo-" + r + ".git");
                String main = initWithMain(gitDir, "P" + p + " R" + r);
                for (int b = 0; b < r; b++) {
                    git(gitDir, "update-ref", "refs/heads/branch-" + b, commit(gitDir, "b" + b, main));
                }
                if (r % 2 == 0) {
                    git(gitDir, "tag", "-a", "-m", "tag", "v" + r, main);
                    git(gitDir, "pack-refs", "--all");
                }
                goodRepositories.add(gitDir);
            }
        }
        Files.writeString(root.resolve("README"), "not a project\n");
        Files.writeString(root.resolve("PROJ1").resolve("notes.txt"), "not a repository\n");
        Files.createDirectories(root.resolve("PROJ1").resolve("workdir"));
        Files.writeString(root.resolve("PROJ1").resolve("file.git"), "a file, not a repository\n");

        broken = root.resolve("PROJ2").resolve("broken.git");
        initWithMain(broken, "broken");
        git(broken, "pack-refs", "--all");
        Files.writeString(broken.resolve("packed-refs"), "garbage line\n", StandardOpenOption.APPEND);
        hollow = Files.createDirectories(root.resolve("PROJ3").resolve("hollow.git"));

        Path outsideRepository = tmp.resolve("outside").resolve("elsewhere.git");
        initWithMain(outsideRepository, "outside");
        linkedRepository = Files.createSymbolicLink(root.resolve("PROJ4").resolve("link.git"), outsideRepository);
        linkedProject = Files.createSymbolicLink(root.resolve("LINKED"), root.resolve("PROJ1"));
    }

    /** Outcomes by path, delivered to a consumer that is deliberately not thread-safe. */
    private Map<Path, RepositoryOutcome> hashAll(int parallelism, FleetSummary[] summary)
            throws IOException, InterruptedException {
        Map<Path, RepositoryOutcome> outcomes = new TreeMap<>();
        AtomicInteger inConsumer = new AtomicInteger();
        AtomicInteger maxInConsumer = new AtomicInteger();
        summary[0] = new FleetHasher(new RepositoryHasher(), parallelism).hashAll(root, outcome -> {
            maxInConsumer.accumulateAndGet(inConsumer.incrementAndGet(), Math::max);
            assertThat(outcomes.put(outcome.path(), outcome))
                    .as("one outcome per path")
                    .isNull();
            inConsumer.decrementAndGet();
        });
        assertThat(maxInConsumer.get()).as("consumer calls are serialised").isEqualTo(1);
        return outcomes;
    }

    @ParameterizedTest(name = "parallelism={0}")
    @ValueSource(ints = {1, 4})
    void everyRepositoryHashedAsTheSingleRepositoryHasherDoesAndFailuresStayPerRepository(int parallelism)
            throws Exception {
        FleetSummary[] summary = new FleetSummary[1];
        Map<Path, RepositoryOutcome> outcomes = hashAll(parallelism, summary);

        Path realRoot = root.toRealPath();
        RepositoryHasher single = new RepositoryHasher();
        for (Path gitDir : goodRepositories) {
            RepositoryOutcome outcome = outcomes.get(realRoot.resolve(root.relativize(gitDir)));
            assertThat(outcome).as("outcome of %s", gitDir).isInstanceOf(RepositoryOutcome.Hashed.class);
            RepositoryHashes hashes = ((RepositoryOutcome.Hashed) outcome).hashes();
            assertThat(hashes).isEqualTo(single.hash(gitDir));
            assertThat(hashes.contentHash()).isEqualTo(cliContentHash(gitDir));
        }
        assertThat(failure(outcomes, broken))
                .isInstanceOf(RepositoryHashException.class)
                .hasMessageContaining("broken.git")
                .hasMessageContaining("packed-refs");
        assertThat(failure(outcomes, hollow))
                .isInstanceOf(RepositoryHashException.class)
                .hasMessageContaining("hollow.git");
        assertThat(failure(outcomes, linkedRepository)).hasMessageContaining("symbolic link, not followed");
        assertThat(failure(outcomes, linkedProject)).hasMessageContaining("symbolic link, not followed");

        assertThat(outcomes).hasSize(goodRepositories.size() + 4);
        assertThat(summary[0].hashed()).isEqualTo(goodRepositories.size()).isEqualTo(20);
        assertThat(summary[0].failed()).isEqualTo(4);
    }

    private Exception failure(Map<Path, RepositoryOutcome> outcomes, Path path) throws IOException {
        RepositoryOutcome outcome = outcomes.get(root.toRealPath().resolve(root.relativize(path)));
        assertThat(outcome).as("outcome of %s", path).isInstanceOf(RepositoryOutcome.Failed.class);
        return ((RepositoryOutcome.Failed) outcome).cause();
    }

    @Test
    void aConsumerThatThrowsEndsTheWalkAndIsNotCalledAgain() {
        AtomicInteger calls = new AtomicInteger();
        FleetHasher fleet = new FleetHasher(new RepositoryHasher(), 2);

        assertThatThrownBy(() -> fleet.hashAll(root, outcome -> {
                    if (calls.incrementAndGet() == 3) {
                        throw new IllegalStateException("client went away");
                    }
                }))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("client went away");
        assertThat(calls.get()).isEqualTo(3);
    }

    @Test
    void aRootThatIsNotADirectoryIsAnErrorOfTheWholeWalk() {
        FleetHasher fleet = new FleetHasher(new RepositoryHasher());

        assertThatThrownBy(() -> fleet.hashAll(root.resolve("README"), outcome -> {}))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("README");
        assertThatThrownBy(() -> fleet.hashAll(root.resolve("absent"), outcome -> {}))
                .isInstanceOf(IOException.class);
    }

    @Test
    void parallelismMustBePositive() {
        assertThatThrownBy(() -> new FleetHasher(new RepositoryHasher(), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("parallelism");
        assertThat(new FleetHasher(new RepositoryHasher()).parallelism()).isEqualTo(FleetHasher.DEFAULT_PARALLELISM);
    }
}
