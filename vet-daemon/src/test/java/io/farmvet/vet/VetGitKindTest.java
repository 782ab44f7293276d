package io.farmvet.vet;

import static io.farmvet.git.GitCli.cloneMirror;
import static io.farmvet.git.GitCli.commit;
import static io.farmvet.git.GitCli.git;
import static io.farmvet.git.GitCli.initWithMain;
import static org.assertj.core.api.Assertions.assertThat;

import io.farmvet.agent.AgentServer;
import io.farmvet.agent.AgentSettings;
import io.farmvet.compare.Inconsistency;
import io.farmvet.compare.Kind;
import io.farmvet.config.Auth;
import io.farmvet.config.Secret;
import io.farmvet.git.GitHttpServer;
import io.farmvet.git.StableIds;
import io.farmvet.testing.TestConfigs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13: a node of kind {@code git}, listed by farmvet over real smart HTTP ({@code git http-backend}), in a farm
 * whose primary is farmvet's agent, gives the verdicts an all-agent farm gives on the same repositories.
 */
class VetGitKindTest {
    private static final String TOKEN = "s3cret-agent-token";
    private static final List<String> REPOSITORIES = List.of("OPS/gamma", "PROJ/alpha", "PROJ/beta", "PROJ/delta");

    @TempDir
    Path tmp;

    private Path upstream;
    private Path mirror;
    private final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeEach
    void createRepositories() {
        upstream = tmp.resolve("upstream");
        mirror = tmp.resolve("mirror");
        for (String name : REPOSITORIES) {
            Path repo = upstream.resolve(name + ".git");
            String main = initWithMain(repo, name);
            git(repo, "tag", "-a", "v1", "-m", "release 1", main);
            git(repo, "tag", "light", main);
            cloneMirror(repo, mirror.resolve(name + ".git"));
        }
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : reversed(closing)) {
            c.close();
        }
    }

    private AgentServer agent(Path repositories) throws Exception {
        AgentServer agent =
                AgentServer.start(AgentSettings.of(repositories, upstream + "/{project}/{repo}.git", secret())
                        .withListen("127.0.0.1", 0));
        closing.add(agent);
        return agent;
    }

    private Secret secret() {
        return new Secret(TOKEN, tmp.resolve("token"));
    }

    private Auth bearer() {
        return new Auth.Bearer(secret());
    }

    private GitHttpServer gitServer(Path root) throws Exception {
        GitHttpServer server = GitHttpServer.start(root);
        closing.add(server);
        return server;
    }

    private static String template(GitHttpServer server) {
        return server.url() + "/{project}/{repo}.git";
    }

    private TestConfigs farm(AgentServer primary) {
        return new TestConfigs().primary(primary.uri(), bearer()).repositories(REPOSITORIES.toArray(String[]::new));
    }

    /** The verdicts of a node's line: repository id to kinds. */
    private static Map<Long, Set<Kind>> verdicts(VetReport.NodeResult node) {
        Map<Long, Set<Kind>> verdicts = new TreeMap<>();
        for (Inconsistency found : node.inconsistencies()) {
            verdicts.put(found.repositoryId(), found.kinds());
        }
        return verdicts;
    }

    private static long id(String path) {
        String[] parts = path.split("/");
        return StableIds.repositoryId(parts[0], parts[1]);
    }

    @Test
    void aGitNodeGivesTheVerdictsOfAnAgentOnTheSameRepositories() throws Exception {
        Path alpha = mirror.resolve("PROJ/alpha.git");
        Path beta = mirror.resolve("PROJ/beta.git");
        git(alpha, "tag", "-d", "v1");
        git(beta, "update-ref", "refs/heads/main", commit(beta, "rewritten on the node"));
        deleteTree(mirror.resolve("OPS/gamma.git"));
        AgentServer primary = agent(upstream);
        AgentServer nodeAgent = agent(mirror);
        GitHttpServer nodeGit = gitServer(mirror);

        VetReport allAgents = VetReports.vet(farm(primary).node("mirror-1", nodeAgent.uri(), bearer()));
        VetReport mixed = VetReports.vet(farm(primary).gitNode("mirror-1", template(nodeGit), Auth.NONE));

        VetReport.NodeResult agentLine = allAgents.nodes().get(0);
        VetReport.NodeResult gitLine = mixed.nodes().get(0);
        assertThat(gitLine.status()).as(gitLine.error()).isEqualTo(VetReport.NodeStatus.VETTED);
        assertThat(verdicts(gitLine))
                .isEqualTo(verdicts(agentLine))
                // OPS/gamma was the node's only repository of OPS: neither lists OPS, so it is out of the inferred
                // scope for both.
                .isEqualTo(Map.of(
                        id("PROJ/alpha"), Set.of(Kind.CONTENT),
                        id("PROJ/beta"), Set.of(Kind.CONTENT)));
        assertThat(gitLine.repositories()).isEqualTo(agentLine.repositories()).isEqualTo(3L);
        assertThat(gitLine.url()).isEqualTo(template(nodeGit));
    }

    @Test
    void theRefsThatDifferOnAGitNodeComeFromItsOwnUrl() throws Exception {
        Path beta = mirror.resolve("PROJ/beta.git");
        String rewritten = commit(beta, "rewritten on the node");
        git(beta, "update-ref", "refs/heads/main", rewritten);
        String upstreamMain = git(upstream.resolve("PROJ/beta.git"), "rev-parse", "refs/heads/main")
                .trim();
        AgentServer primary = agent(upstream);
        GitHttpServer nodeGit = gitServer(mirror);

        VetReport report = VetReports.vet(farm(primary).explain(10).gitNode("mirror-1", template(nodeGit), Auth.NONE));

        assertThat(VetReports.compactJson(report))
                .contains("{\"ref\":\"refs/heads/main\",\"primary\":\"" + upstreamMain + "\",\"node\":\"" + rewritten
                        + "\"}")
                .contains("\"refsNotes\":[]");
    }

    @Test
    void aGitNodeIsAskedOnlyForGitNotForBitbucketsMirroringApi() throws Exception {
        Path beta = mirror.resolve("PROJ/beta.git");
        git(beta, "update-ref", "refs/heads/main", commit(beta, "rewritten on the node"));
        AgentServer primary = agent(upstream);
        GitHttpServer nodeGit = gitServer(mirror);

        VetReport report = VetReports.vet(farm(primary).explain(10).gitNode("mirror-1", template(nodeGit), Auth.NONE));

        assertThat(report.nodes().get(0).inconsistencies()).hasSize(1);
        // No farmNodes, supportInfo or mirrorRepos call: a plain Git server has none, and each would be a note.
        assertThat(nodeGit.requests())
                .extracting(GitHttpServer.Seen::path)
                .isNotEmpty()
                .allMatch(path -> path.endsWith("/info/refs") || path.endsWith("/git-upload-pack"), "Git paths only");
        assertThat(report.members().notes()).isEmpty();
        assertThat(report.members().checked()).isFalse();
        assertThat(report.sync().node("mirror-1")).isEqualTo(io.farmvet.explain.NodeSync.NONE);
    }

    @Test
    void aRepositoryTheGitNodeRefusesIsNotJudgedAndSaidSoInTheReport() throws Exception {
        Path beta = mirror.resolve("PROJ/beta.git");
        git(beta, "update-ref", "refs/heads/main", commit(beta, "rewritten on the node"));
        AgentServer primary = agent(upstream);
        GitHttpServer nodeGit = gitServer(mirror).forbid("PROJ/beta.git");

        VetReport report = VetReports.vet(farm(primary).gitNode("mirror-1", template(nodeGit), Auth.NONE));

        VetReport.NodeResult node = report.nodes().get(0);
        assertThat(node.status()).isEqualTo(VetReport.NodeStatus.VETTED);
        // Refused is neither drift nor missing: nothing to repair, but the operator is told.
        assertThat(node.inconsistencies()).isEmpty();
        assertThat(node.notes())
                .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .startsWith("mirror-1: refused 1 of 4 repositories, which are not judged on this node (first: ")
                .contains("PROJ/beta.git")
                .endsWith("check nodes[0].auth");
        assertThat(VetReports.compactJson(report)).contains("\"notes\":[\"mirror-1:refused1of4repositories");
        assertThat(VetReports.text(report)).contains("    note: mirror-1: refused 1 of 4 repositories");
    }

    @Test
    void aGitNodeInStepWithTheAgentPrimaryIsConsistent() throws Exception {
        AgentServer primary = agent(upstream);
        GitHttpServer nodeGit = gitServer(mirror);

        VetReport report = VetReports.vet(farm(primary).gitNode("mirror-1", template(nodeGit), Auth.NONE));

        assertThat(report.nodes().get(0).status()).isEqualTo(VetReport.NodeStatus.VETTED);
        assertThat(report.nodes().get(0).inconsistencies()).isEmpty();
        assertThat(report.nodes().get(0).repositories()).isEqualTo(4L);
    }

    @Test
    void aNodeThatRefusesEveryRepositoryFailsInsteadOfLookingEmpty() throws Exception {
        AgentServer primary = agent(upstream);
        GitHttpServer nodeGit = gitServer(mirror).requireAuthorization("Bearer right");

        VetReport report = VetReports.vet(farm(primary).gitNode("mirror-1", template(nodeGit), bearer()));

        VetReport.NodeResult node = report.nodes().get(0);
        assertThat(node.status()).isEqualTo(VetReport.NodeStatus.FAILED);
        assertThat(node.error())
                .contains("mirror-1: refused every one of 4 repositories")
                .contains("nodes[0].auth")
                .doesNotContain(TOKEN);
        assertThat(node.inconsistencies()).isEmpty();
    }

    @Test
    void aRepositoryTheNodeDoesNotHaveIsMissingAndTheOthersAreJudged() throws Exception {
        deleteTree(mirror.resolve("PROJ/delta.git"));
        AgentServer primary = agent(upstream);
        GitHttpServer nodeGit = gitServer(mirror);

        VetReport report = VetReports.vet(farm(primary).gitNode("mirror-1", template(nodeGit), Auth.NONE));

        assertThat(verdicts(report.nodes().get(0))).isEqualTo(Map.of(id("PROJ/delta"), Set.of(Kind.MISSING)));
    }

    @Test
    void aStalledGitServerIsCutByTheVetDeadline() throws Exception {
        AgentServer primary = agent(upstream);
        GitHttpServer nodeGit = gitServer(mirror).stall();

        VetReport report = VetReports.vet(farm(primary)
                .readTimeout(Duration.ofSeconds(30))
                .deadline(Duration.ofSeconds(2))
                .gitNode("mirror-1", template(nodeGit), Auth.NONE));

        VetReport.NodeResult node = report.nodes().get(0);
        assertThat(node.status()).isEqualTo(VetReport.NodeStatus.FAILED);
        assertThat(node.error()).contains("mirror-1: cancelled (vet deadline");
        assertThat(report.primary().error()).isNull();
    }

    @Test
    void issue13AGitRateTooSlowForTheDeadlineIsCutByIt() throws Exception {
        AgentServer primary = agent(upstream);
        GitHttpServer nodeGit = gitServer(mirror);

        // One ls-remote every 1000 s: the vet deadline of 2 s, not the rate, ends the node's listing.
        VetReport report = VetReports.vet(farm(primary)
                .gitRate(0.001)
                .deadline(Duration.ofSeconds(2))
                .gitNode("mirror-1", template(nodeGit), Auth.NONE));

        VetReport.NodeResult node = report.nodes().get(0);
        assertThat(node.status()).isEqualTo(VetReport.NodeStatus.FAILED);
        assertThat(node.error())
                .contains("mirror-1: cancelled (vet deadline")
                .matches("(?s).* after [01] repositor(y|ies) of 4");
        assertThat(report.primary().error()).isNull();
    }

    private static List<AutoCloseable> reversed(List<AutoCloseable> list) {
        List<AutoCloseable> copy = new ArrayList<>(list);
        java.util.Collections.reverse(copy);
        return copy;
    }

    private static void deleteTree(Path dir) throws Exception {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        }
    }
}
