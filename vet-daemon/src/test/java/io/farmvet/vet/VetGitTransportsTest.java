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
import io.farmvet.git.FakeGitDaemon;
import io.farmvet.git.GitDaemon;
import io.farmvet.git.GitSshServer;
import io.farmvet.git.StableIds;
import io.farmvet.git.remote.SshIdentity;
import io.farmvet.testing.TestConfigs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13: a farm of an agent primary, a node served by the real {@code git daemon} (git://) and a node served
 * over ssh:// by a real SSH server running {@code git upload-pack} gives, node for node, the verdicts of an
 * all-agent farm on the same repositories.
 */
class VetGitTransportsTest {
    private static final String TOKEN = "s3cret-agent-token";
    private static final List<String> REPOSITORIES = List.of("OPS/gamma", "PROJ/alpha", "PROJ/beta", "PROJ/delta");

    @TempDir
    Path tmp;

    private Path upstream;
    private Path mirror1;
    private Path mirror2;
    private final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeEach
    void createRepositories() {
        upstream = tmp.resolve("upstream");
        mirror1 = tmp.resolve("mirror-1");
        mirror2 = tmp.resolve("mirror-2");
        for (String name : REPOSITORIES) {
            Path repo = upstream.resolve(name + ".git");
            String main = initWithMain(repo, name);
            git(repo, "tag", "-a", "v1", "-m", "release 1", main);
            git(repo, "tag", "light", main);
            cloneMirror(repo, mirror1.resolve(name + ".git"));
            cloneMirror(repo, mirror2.resolve(name + ".git"));
        }
    }

    @AfterEach
    void close() throws Exception {
        Collections.reverse(closing);
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    private AgentServer agent(Path repositories) throws Exception {
        AgentServer agent = AgentServer.start(
                AgentSettings.of(repositories, upstream + "/{project}/{repo}.git", new Secret(TOKEN, tmp.resolve("t")))
                        .withListen("127.0.0.1", 0));
        closing.add(agent);
        return agent;
    }

    private Auth bearer() {
        return new Auth.Bearer(new Secret(TOKEN, tmp.resolve("t")));
    }

    private TestConfigs farm(AgentServer primary) {
        return new TestConfigs().primary(primary.uri(), bearer()).repositories(REPOSITORIES.toArray(String[]::new));
    }

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
    void gitDaemonAndSshNodesGiveTheVerdictsOfAgentsOnTheSameRepositories() throws Exception {
        // mirror-1: a tag gone, a branch rewritten, a whole project gone; mirror-2: a repository missing, a detached
        // HEAD, a new branch.
        git(mirror1.resolve("PROJ/alpha.git"), "tag", "-d", "v1");
        Path beta = mirror1.resolve("PROJ/beta.git");
        git(beta, "update-ref", "refs/heads/main", commit(beta, "rewritten on mirror-1"));
        deleteTree(mirror1.resolve("OPS/gamma.git"));
        deleteTree(mirror2.resolve("PROJ/delta.git"));
        Path alpha2 = mirror2.resolve("PROJ/alpha.git");
        git(
                alpha2,
                "update-ref",
                "--no-deref",
                "HEAD",
                git(alpha2, "rev-parse", "refs/heads/main").trim());
        Path gamma2 = mirror2.resolve("OPS/gamma.git");
        git(gamma2, "update-ref", "refs/heads/extra", commit(gamma2, "only on mirror-2"));

        AgentServer primary = agent(upstream);
        AgentServer agent1 = agent(mirror1);
        AgentServer agent2 = agent(mirror2);
        GitDaemon daemon = GitDaemon.start(mirror1, "--informative-errors");
        closing.add(daemon);
        GitSshServer ssh = GitSshServer.start(mirror2);
        closing.add(ssh);
        Path keys = Files.createDirectories(tmp.resolve("keys"));
        SshIdentity identity = new SshIdentity(
                ssh.writeClientKey(keys.resolve("id_farmvet")), ssh.writeKnownHosts(keys.resolve("known_hosts")));

        VetReport allAgents = VetReports.vet(
                farm(primary).node("mirror-1", agent1.uri(), bearer()).node("mirror-2", agent2.uri(), bearer()));
        VetReport mixed = VetReports.vet(farm(primary)
                .gitNode("mirror-1", daemon.url() + "/{project}/{repo}.git", Auth.NONE)
                .gitNode("mirror-2", ssh.repositoryUrl("{project}/{repo}.git"), new Auth.Ssh(identity)));

        for (int i = 0; i < 2; i++) {
            VetReport.NodeResult agentLine = allAgents.nodes().get(i);
            VetReport.NodeResult gitLine = mixed.nodes().get(i);
            assertThat(gitLine.status()).as(gitLine.error()).isEqualTo(VetReport.NodeStatus.VETTED);
            assertThat(agentLine.status()).as(agentLine.error()).isEqualTo(VetReport.NodeStatus.VETTED);
            assertThat(verdicts(gitLine)).as(gitLine.name()).isEqualTo(verdicts(agentLine));
            assertThat(gitLine.repositories()).isEqualTo(agentLine.repositories());
        }
        // OPS is in the farm's scope through mirror-2, so the gamma mirror-1 lost is missing there.
        assertThat(verdicts(mixed.nodes().get(0)))
                .isEqualTo(Map.of(
                        id("PROJ/alpha"), Set.of(Kind.CONTENT),
                        id("PROJ/beta"), Set.of(Kind.CONTENT),
                        id("OPS/gamma"), Set.of(Kind.MISSING)));
        assertThat(verdicts(mixed.nodes().get(1)))
                .containsEntry(id("PROJ/delta"), Set.of(Kind.MISSING))
                .containsEntry(id("OPS/gamma"), Set.of(Kind.CONTENT))
                .containsKey(id("PROJ/alpha"));
    }

    @Test
    void anSshNodeWhoseHostKeyChangedFailsAndTheOthersAreStillVetted() throws Exception {
        AgentServer primary = agent(upstream);
        GitDaemon daemon = GitDaemon.start(mirror1, "--informative-errors");
        closing.add(daemon);
        GitSshServer ssh = GitSshServer.start(mirror2);
        closing.add(ssh);
        Path keys = Files.createDirectories(tmp.resolve("keys"));
        SshIdentity identity = new SshIdentity(
                ssh.writeClientKey(keys.resolve("id_farmvet")), ssh.writeKnownHosts(keys.resolve("known_hosts")));
        ssh.changeHostKey();

        VetReport report = VetReports.vet(farm(primary)
                .gitNode("mirror-1", daemon.url() + "/{project}/{repo}.git", Auth.NONE)
                .gitNode("mirror-2", ssh.repositoryUrl("{project}/{repo}.git"), new Auth.Ssh(identity)));

        assertThat(report.nodes().get(0).status()).isEqualTo(VetReport.NodeStatus.VETTED);
        assertThat(report.nodes().get(0).inconsistencies()).isEmpty();
        VetReport.NodeResult failed = report.nodes().get(1);
        assertThat(failed.status()).isEqualTo(VetReport.NodeStatus.FAILED);
        assertThat(failed.error())
                .startsWith("mirror-2: ls-remote ssh://git@127.0.0.1:" + ssh.port())
                .contains(
                        "CHANGED",
                        ssh.hostKeyFingerprint(),
                        identity.knownHostsFile().toString());
        assertThat(failed.inconsistencies()).isEmpty();
    }

    @Test
    void aStalledGitDaemonIsCutByTheVetDeadline() throws Exception {
        AgentServer primary = agent(upstream);
        FakeGitDaemon stalled = FakeGitDaemon.start().stall();
        closing.add(stalled);

        VetReport report = VetReports.vet(farm(primary)
                .readTimeout(Duration.ofSeconds(30))
                .deadline(Duration.ofSeconds(2))
                .gitNode("mirror-1", stalled.repositoryUrl("{project}/{repo}.git"), Auth.NONE));

        VetReport.NodeResult node = report.nodes().get(0);
        assertThat(node.status()).isEqualTo(VetReport.NodeStatus.FAILED);
        assertThat(node.error()).contains("mirror-1: cancelled (vet deadline");
        assertThat(report.primary().error()).isNull();
    }

    private static void deleteTree(Path dir) throws Exception {
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
