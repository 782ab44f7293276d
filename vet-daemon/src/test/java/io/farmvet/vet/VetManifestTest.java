package io.farmvet.vet;

import static io.farmvet.git.GitCli.cloneMirror;
import static io.farmvet.git.GitCli.commit;
import static io.farmvet.git.GitCli.git;
import static io.farmvet.git.GitCli.initWithMain;
import static org.assertj.core.api.Assertions.assertThat;

import io.farmvet.compare.Inconsistency;
import io.farmvet.compare.Kind;
import io.farmvet.config.Auth;
import io.farmvet.config.FarmvetConfig.RepositoriesFrom;
import io.farmvet.git.GitHttpServer;
import io.farmvet.git.StableIds;
import io.farmvet.grokmirror.ManifestPaths;
import io.farmvet.testing.FakeBitbucket;
import io.farmvet.testing.FakeServer;
import io.farmvet.testing.Listings;
import io.farmvet.testing.TestConfigs;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13: servers listed from their grokmirror manifests ({@code manifest-url}), judged by the real vet; manifests
 * made from real bare repositories (grokmirror's fingerprint: SHA-1 of {@code git show-ref}), served over loopback
 * HTTP or read from files; and {@code repositories.from: manifest | bitbucket} for servers listed by ls-remote.
 */
class VetManifestTest {
    private static final List<String> REPOSITORIES =
            List.of("pub/scm/tools/alpha", "pub/scm/tools/beta", "pub/scm/tools/delta", "linux");
    private static final String EXTRA = "pub/scm/tools/epsilon";

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
            cloneMirror(repo, mirror.resolve(name + ".git"));
        }
    }

    @AfterEach
    void close() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    /** On the mirror: alpha lost a tag (content), beta's HEAD moved (metadata), delta is gone, epsilon is extra. */
    private void drift() throws Exception {
        git(mirror.resolve("pub/scm/tools/alpha.git"), "tag", "-d", "v1");
        git(mirror.resolve("pub/scm/tools/beta.git"), "symbolic-ref", "HEAD", "refs/heads/trunk");
        deleteTree(mirror.resolve("pub/scm/tools/delta.git"));
        initWithMain(mirror.resolve(EXTRA + ".git"), "only on the mirror");
    }

    /** The manifest grok-manifest writes for the repositories of {@code root} among {@code names}. */
    static String manifest(Path root, List<String> names) throws Exception {
        StringBuilder json = new StringBuilder("{");
        for (String name : names) {
            Path repo = root.resolve(name + ".git");
            if (!Files.isDirectory(repo)) {
                continue;
            }
            String showRef = git(repo, "show-ref");
            String fingerprint = HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-1").digest(showRef.getBytes(StandardCharsets.UTF_8)));
            String head = Files.readString(repo.resolve("HEAD")).strip();
            json.append(json.length() > 1 ? ",\n" : "\n")
                    .append("  \"/")
                    .append(name)
                    .append(".git\": {\"description\": \"")
                    .append(name)
                    .append("\", \"reference\": null, \"modified\": 1700000000, \"fingerprint\": \"")
                    .append(fingerprint)
                    .append("\", \"head\": \"")
                    .append(head)
                    .append("\"}");
        }
        return json.append("\n}\n").toString();
    }

    private static List<String> allNames() {
        List<String> names = new ArrayList<>(REPOSITORIES);
        names.add(EXTRA);
        return names;
    }

    private Path manifestFile(Path root, String name) throws Exception {
        return Files.writeString(tmp.resolve(name), manifest(root, allNames()));
    }

    /** A file served as nginx serves {@code manifest.js.gz}: no Content-Encoding, the gzip bytes as they are. */
    static FakeServer.Responder file(byte[] body, String contentType) {
        return (request, out) -> {
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: " + contentType + "\r\nContent-Length: " + body.length
                            + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body);
        };
    }

    private FakeServer serve(FakeServer.Responder responder) throws Exception {
        FakeServer server = FakeServer.start(responder);
        closing.add(server);
        return server;
    }

    private GitHttpServer gitServer(Path root) throws Exception {
        GitHttpServer server = GitHttpServer.start(root);
        closing.add(server);
        return server;
    }

    private static String byPath(GitHttpServer server) {
        return server.url() + "/{path}";
    }

    private static long id(String name) {
        String path = "/" + name + ".git";
        return StableIds.repositoryId(ManifestPaths.projectKey(path), ManifestPaths.slug(path));
    }

    private static Map<Long, Set<Kind>> verdicts(VetReport.NodeResult node) {
        Map<Long, Set<Kind>> verdicts = new TreeMap<>();
        for (Inconsistency found : node.inconsistencies()) {
            verdicts.put(found.repositoryId(), found.kinds());
        }
        return verdicts;
    }

    @Test
    void aManifestFarmJudgesByFingerprintHeadAndKeyAndExplainsTheRefsAtTheGitUrl() throws Exception {
        drift();
        Path primaryManifest = manifestFile(upstream, "primary-manifest.js");
        FakeServer nodeManifest = serve(file(FakeServer.gzip(manifest(mirror, allNames())), "application/gzip"));
        GitHttpServer primaryGit = gitServer(upstream);
        GitHttpServer nodeGit = gitServer(mirror);

        VetReport report = VetReports.vet(new TestConfigs()
                .manifestPrimary(primaryManifest.toString(), byPath(primaryGit), Auth.NONE)
                .manifestNode("mirror-1", nodeManifest.url() + "/manifest.js.gz", byPath(nodeGit), Auth.NONE)
                .explain(10));

        assertThat(report.primary().error()).isNull();
        assertThat(report.primary().repositories()).isEqualTo(4L);
        VetReport.NodeResult node = report.nodes().get(0);
        assertThat(node.status()).as(node.error()).isEqualTo(VetReport.NodeStatus.VETTED);
        assertThat(verdicts(node))
                .isEqualTo(Map.of(
                        id("pub/scm/tools/alpha"), Set.of(Kind.CONTENT),
                        id("pub/scm/tools/beta"), Set.of(Kind.METADATA),
                        id("pub/scm/tools/delta"), Set.of(Kind.MISSING),
                        id(EXTRA), Set.of(Kind.EXTRA)));
        assertThat(node.notes()).isEmpty();
        // The refs that differ, asked by ls-remote at each server's {path} URL.
        assertThat(report.refs().of("mirror-1", id("pub/scm/tools/alpha"))).isNotNull();
        assertThat(VetReports.compactJson(report))
                .contains("{\"ref\":\"refs/tags/v1\",\"primary\":\""
                        + git(upstream.resolve("pub/scm/tools/alpha.git"), "rev-parse", "refs/tags/v1")
                                .strip())
                .contains("\"refsNotes\":[]");
        assertThat(nodeGit.requests())
                .extracting(GitHttpServer.Seen::path)
                .allMatch(path -> path.startsWith("/pub/scm/tools/alpha.git/"), "only the content drift is asked");
        // Names come from the manifest's keys.
        assertThat(VetReports.text(report)).contains("pub%2Fscm%2Ftools/alpha");
    }

    @Test
    void aManifestServerWithoutAGitUrlIsVettedAndItsRefsAreANote() throws Exception {
        drift();
        VetReport report = VetReports.vet(new TestConfigs()
                .manifestPrimary(manifestFile(upstream, "p.js").toString(), byPath(gitServer(upstream)), Auth.NONE)
                .manifestNode("mirror-1", manifestFile(mirror, "n.js").toString(), null, Auth.NONE)
                .explain(10));

        VetReport.NodeResult node = report.nodes().get(0);
        assertThat(node.status()).isEqualTo(VetReport.NodeStatus.VETTED);
        assertThat(verdicts(node)).containsEntry(id("pub/scm/tools/alpha"), Set.of(Kind.CONTENT));
        assertThat(node.url()).isEqualTo(tmp.resolve("n.js").toString());
        assertThat(report.refs().notes())
                .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .startsWith("mirror-1: the refs that differ cannot be shown without a git url")
                .contains("set nodes[0].url to the server's Git URL");
    }

    /** The vet of a farm whose node serves {@code nodeManifest}; the primary's is the upstream's, from a file. */
    private VetReport withNodeManifest(FakeServer.Responder nodeManifest) throws Exception {
        FakeServer node = serve(nodeManifest);
        return VetReports.vet(new TestConfigs()
                .manifestPrimary(manifestFile(upstream, "p.js").toString(), null, Auth.NONE)
                .manifestNode("mirror-1", node.url() + "/grok/manifest.js.gz", null, Auth.NONE));
    }

    private static String failedNode(VetReport report) {
        assertThat(report.primary().error()).isNull();
        VetReport.NodeResult node = report.nodes().get(0);
        assertThat(node.status()).isEqualTo(VetReport.NodeStatus.FAILED);
        assertThat(node.inconsistencies()).isEmpty();
        return node.error();
    }

    @Test
    void aManifestUrlAnswering404FailsTheNodeNamingTheUrlAndTheKey() throws Exception {
        String error = failedNode(withNodeManifest(FakeServer.status(404, "Not Found", "<html>404</html>")));

        assertThat(error)
                .startsWith("mirror-1: GET http://127.0.0.1:")
                .contains("/grok/manifest.js.gz answered HTTP 404")
                .endsWith("; check nodes[0].manifest-url and nodes[0].auth");
    }

    @Test
    void anHtmlPageAnswering200IsNotAManifestAndFailsTheNode() throws Exception {
        String error = failedNode(withNodeManifest(file(
                "<!DOCTYPE html><html><body>Welcome to nginx!</body></html>".getBytes(StandardCharsets.UTF_8),
                "text/html")));

        assertThat(error)
                .startsWith("mirror-1 http://127.0.0.1:")
                .contains("/grok/manifest.js.gz: unreadable grokmirror manifest: ")
                .contains("(at byte 0, before the first repository)")
                .endsWith("is nodes[0].manifest-url a grokmirror manifest (manifest.js or manifest.js.gz)?");
    }

    @Test
    void aTruncatedGzipFailsTheNodeAndNothingOfItIsJudged() throws Exception {
        byte[] gz = FakeServer.gzip(manifest(mirror, allNames()));

        String error = failedNode(withNodeManifest(file(Arrays.copyOf(gz, gz.length / 2), "application/gzip")));

        assertThat(error)
                .startsWith("mirror-1")
                .contains("/grok/manifest.js.gz")
                .contains("gzip");
    }

    @Test
    void aManifestServerThatStallsIsCancelledAtTheVetDeadlineAndFailsAlone() throws Exception {
        String body = manifest(mirror, allNames());
        FakeServer node = serve(FakeServer.stallAfter(body, 40, java.time.Duration.ofMinutes(1)));

        VetReport report = VetReports.vet(new TestConfigs()
                .manifestPrimary(manifestFile(upstream, "p.js").toString(), null, Auth.NONE)
                .manifestNode("mirror-1", node.url() + "/manifest.js", null, Auth.NONE)
                .readTimeout(java.time.Duration.ofMinutes(1))
                .deadline(java.time.Duration.ofSeconds(5)));

        assertThat(failedNode(report)).startsWith("mirror-1: cancelled (vet deadline of 5s (vet.deadline) reached)");
    }

    @Test
    void aPrimaryManifestThatIsNotOneLeavesEveryNodeUnjudged() throws Exception {
        FakeServer primary = serve(file("{\"/a.git\": [1, 2]}".getBytes(StandardCharsets.UTF_8), "text/plain"));

        VetReport report = VetReports.vet(new TestConfigs()
                .manifestPrimary(primary.url() + "/manifest.js", null, Auth.NONE)
                .manifestNode("mirror-1", manifestFile(mirror, "n.js").toString(), null, Auth.NONE));

        assertThat(report.primary().error())
                .startsWith("primary " + primary.url() + "/manifest.js: unreadable grokmirror manifest: ")
                .endsWith("; is primary.manifest-url a grokmirror manifest (manifest.js or manifest.js.gz)?");
        assertThat(report.nodes().get(0).status()).isEqualTo(VetReport.NodeStatus.FAILED);
        assertThat(report.nodes().get(0).error())
                .isEqualTo("mirror-1: not compared: the primary's listing could not be read");
    }

    @Test
    void aManifestFileThatIsNotThereFailsTheNode() throws Exception {
        VetReport report = VetReports.vet(new TestConfigs()
                .manifestPrimary(manifestFile(upstream, "p.js").toString(), null, Auth.NONE)
                .manifestNode("mirror-1", tmp.resolve("gone.js").toString(), null, Auth.NONE));

        assertThat(failedNode(report))
                .isEqualTo("mirror-1: nodes[0].manifest-url: " + tmp.resolve("gone.js")
                        + " does not exist (grokmirror writes it; check the path)");
    }

    @Test
    void aMissingFingerprintIsNotJudgedButNotedAndItsKeyStillCounts() throws Exception {
        drift();
        // alpha differs on the mirror, but its manifest entry carries no fingerprint.
        String withoutFingerprint = manifest(mirror, allNames())
                .replaceAll("(\"/pub/scm/tools/alpha.git\": \\{[^}]*)\"fingerprint\": \"[0-9a-f]{40}\", ", "$1");
        assertThat(withoutFingerprint).doesNotContain("alpha\", \"reference\": null, \"modified\": 1700000000, \"f");

        VetReport report = withNodeManifest(file(withoutFingerprint.getBytes(StandardCharsets.UTF_8), "text/plain"));

        VetReport.NodeResult node = report.nodes().get(0);
        assertThat(node.status()).isEqualTo(VetReport.NodeStatus.VETTED);
        assertThat(verdicts(node))
                .doesNotContainKey(id("pub/scm/tools/alpha"))
                .containsEntry(id("pub/scm/tools/delta"), Set.of(Kind.MISSING));
        assertThat(node.notes())
                .containsExactly("mirror-1: 1 of 4 repositories have no fingerprint in its manifest, so their refs"
                        + " are not judged on this server (still missing or extra by their keys); grokmirror computes"
                        + " them on its next run");
    }

    @Test
    void aMillionRepositoriesAreJudgedExactly() throws Exception {
        int size = 1_000_000;
        Path primary = tmp.resolve("million.js");
        Path node = tmp.resolve("million-node.js.gz");
        try (Writer p = new BufferedWriter(
                        new OutputStreamWriter(Files.newOutputStream(primary), StandardCharsets.UTF_8));
                Writer n = new BufferedWriter(new OutputStreamWriter(
                        new GZIPOutputStream(Files.newOutputStream(node)), StandardCharsets.UTF_8))) {
            p.write("{");
            n.write("{");
            for (int i = 0; i < size; i++) {
                String key = "\"/p" + (i % 100) + "/r" + i + ".git\":{\"fingerprint\":\"";
                String entry = String.format("%040x", i) + "\",\"head\":\"ref: refs/heads/master\"}";
                p.write((i == 0 ? "" : ",") + key + entry);
                if (i == 999_999) {
                    continue;
                }
                n.write((i == 0 ? "" : ",")
                        + key
                        + (i == 123_456
                                ? String.format("%040x", i + 1) + "\",\"head\":\"ref: refs/heads/master\"}"
                                : entry));
            }
            p.write("}");
            n.write("}");
        }
        FakeServer nodeServer = serve(file(Files.readAllBytes(node), "application/gzip"));

        VetReport report = VetReports.vet(new TestConfigs()
                .manifestPrimary(primary.toString(), null, Auth.NONE)
                .manifestNode("mirror-1", nodeServer.url() + "/manifest.js.gz", null, Auth.NONE)
                // Exactness, not speed, is tested here: a loaded CI machine must not turn it into a cancel.
                .deadline(java.time.Duration.ofMinutes(10)));

        assertThat(report.primary().repositories()).isEqualTo((long) size);
        VetReport.NodeResult line = report.nodes().get(0);
        assertThat(line.status()).as(line.error()).isEqualTo(VetReport.NodeStatus.VETTED);
        assertThat(line.repositories()).isEqualTo(size - 1L);
        assertThat(verdicts(line))
                .isEqualTo(Map.of(
                        StableIds.repositoryId("p56", "r123456"), Set.of(Kind.CONTENT),
                        StableIds.repositoryId("p99", "r999999"), Set.of(Kind.MISSING)));
    }

    @Test
    void lsRemoteServersListTheRepositoriesOfAManifestReadOncePerVet() throws Exception {
        drift();
        FakeServer manifest = serve(file(FakeServer.gzip(manifest(upstream, REPOSITORIES)), "application/gzip"));

        VetReport report = VetReports.vet(new TestConfigs()
                .gitPrimary(byPath(gitServer(upstream)), Auth.NONE)
                .gitNode("mirror-1", byPath(gitServer(mirror)), Auth.NONE)
                .repositoriesFrom(RepositoriesFrom.MANIFEST, manifest.url() + "/manifest.js.gz"));

        VetReport.NodeResult node = report.nodes().get(0);
        assertThat(node.status()).as(node.error()).isEqualTo(VetReport.NodeStatus.VETTED);
        // ls-remote's own hashes: the HEAD of beta points nowhere on the mirror, so its metadata differs too.
        assertThat(verdicts(node))
                .containsEntry(id("pub/scm/tools/alpha"), Set.of(Kind.CONTENT))
                .containsEntry(id("pub/scm/tools/delta"), Set.of(Kind.MISSING))
                .doesNotContainKey(id(EXTRA))
                .doesNotContainKey(id("linux"));
        assertThat(report.primary().repositories()).isEqualTo(4L);
        assertThat(manifest.requests()).hasSize(1);
    }

    @Test
    void aRepositoriesManifestThatCannotBeReadFailsThePrimaryWithTheReason() throws Exception {
        FakeServer manifest = serve(FakeServer.status(404, "Not Found", "no"));

        VetReport report = VetReports.vet(new TestConfigs()
                .gitPrimary(byPath(gitServer(upstream)), Auth.NONE)
                .gitNode("mirror-1", byPath(gitServer(mirror)), Auth.NONE)
                .repositoriesFrom(RepositoriesFrom.MANIFEST, manifest.url() + "/manifest.js.gz"));

        assertThat(report.primary().error())
                .isEqualTo(
                        "repositories.manifest: primary: GET " + manifest.url() + "/manifest.js.gz answered HTTP 404");
        assertThat(report.nodes().get(0).status()).isEqualTo(VetReport.NodeStatus.FAILED);
        assertThat(report.nodes().get(0).error())
                .isEqualTo("mirror-1: not compared: the primary's listing could not be read");
    }

    @Test
    void lsRemoteServersListTheRepositoriesOfThePrimarysBitbucketRestList() throws Exception {
        Path bitbucket = tmp.resolve("bitbucket");
        Path hosted = tmp.resolve("hosted");
        for (String name : List.of("PROJ/alpha", "PROJ/beta", "OPS/tools")) {
            initWithMain(bitbucket.resolve(name + ".git"), name);
            cloneMirror(bitbucket.resolve(name + ".git"), hosted.resolve(name + ".git"));
        }
        Path alpha = hosted.resolve("PROJ/alpha.git");
        git(alpha, "update-ref", "refs/heads/main", commit(alpha, "rewritten on the mirror"));
        FakeBitbucket primary = new FakeBitbucket(new Listings()
                        .add(1, 11, Listings.hash("c", 11), Listings.hash("m", 11))
                        .add(1, 12, Listings.hash("c", 12), Listings.hash("m", 12))
                        .add(2, 21, Listings.hash("c", 21), Listings.hash("m", 21)))
                .rename(11, "PROJ", "alpha")
                .rename(12, "PROJ", "beta")
                .rename(21, "OPS", "tools")
                .pageSize(2)
                .scm(bitbucket);
        FakeServer primaryServer = serve(primary.responder());

        VetReport report = VetReports.vet(new TestConfigs()
                .gitPrimary(primaryServer.url() + "/scm/{project}/{repo}.git", Auth.NONE)
                .gitNode("mirror-1", gitServer(hosted).url() + "/{project}/{repo}.git", Auth.NONE)
                .repositoriesFrom(RepositoriesFrom.BITBUCKET, null));

        assertThat(report.primary().error()).isNull();
        assertThat(report.primary().repositories()).isEqualTo(3L);
        VetReport.NodeResult node = report.nodes().get(0);
        assertThat(node.status()).as(node.error()).isEqualTo(VetReport.NodeStatus.VETTED);
        assertThat(verdicts(node)).isEqualTo(Map.of(StableIds.repositoryId("PROJ", "alpha"), Set.of(Kind.CONTENT)));
        assertThat(primaryServer.requests())
                .extracting(FakeServer.Request::path)
                .filteredOn(path -> path.startsWith(FakeBitbucket.REPOS_PATH))
                .hasSize(2);
    }

    @Test
    void aBitbucketRepositoryListThatIsRefusedFailsThePrimaryWithTheReason() throws Exception {
        FakeServer primaryServer =
                serve(new FakeBitbucket(new Listings()).reposStatus(401).responder());

        VetReport report = VetReports.vet(new TestConfigs()
                .gitPrimary(primaryServer.url() + "/scm/{project}/{repo}.git", Auth.NONE)
                .gitNode("mirror-1", byPath(gitServer(mirror)), Auth.NONE)
                .repositoriesFrom(RepositoriesFrom.BITBUCKET, null));

        assertThat(report.primary().error())
                .startsWith("repositories.from: bitbucket: the primary's repository list could not be read: ")
                .contains("401")
                .endsWith("; check primary.url and primary.auth (REPO_READ), or use from: file");
        assertThat(report.nodes().get(0).error())
                .isEqualTo("mirror-1: not compared: the primary's listing could not be read");
    }

    @Test
    void aManifestNodeIsRepairedThroughTheHttpAdapterOnceItsManifestShowsTheDriftAgain() throws Exception {
        drift();
        deleteTree(mirror.resolve(EXTRA + ".git"));
        FakeServer nodeManifest = serve(file(FakeServer.gzip(manifest(mirror, allNames())), "application/gzip"));
        FakeServer automation = serve(io.farmvet.testing.FakeFarm.ACCEPTED);
        io.farmvet.repair.send.HttpTemplate template = new io.farmvet.repair.send.HttpTemplate(
                "POST", automation.url() + "/resync?node={nodeName}&repo={repoId}&kinds={kinds}", null, Map.of());

        VetReport report = VetReports.vet(new TestConfigs()
                .manifestPrimary(manifestFile(upstream, "p.js").toString(), null, Auth.NONE)
                .manifestNode("mirror-1", nodeManifest.url() + "/manifest.js.gz", null, Auth.NONE)
                .repair(
                        io.farmvet.repair.RepairSettings.builder()
                                .mode(io.farmvet.repair.RepairMode.HTTP)
                                .http(template)
                                // A settle delay asks for a second look before anything is sent.
                                .settle(java.time.Duration.ofMillis(1))
                                // 3 of 4 drifted: past the default safety valve, which is not what this tests.
                                .maxFraction(1.0)
                                .build(),
                        tmp.resolve("state")));

        assertThat(report.repairError()).isNull();
        assertThat(automation.requests())
                .extracting(FakeServer.Request::path)
                .containsExactlyInAnyOrder(
                        "/resync?node=mirror-1&repo=" + id("pub/scm/tools/alpha") + "&kinds=content",
                        "/resync?node=mirror-1&repo=" + id("pub/scm/tools/beta") + "&kinds=metadata",
                        "/resync?node=mirror-1&repo=" + id("pub/scm/tools/delta") + "&kinds=missing");
        // The drift was confirmed by reading both manifests again: a manifest has no per-repository API.
        assertThat(nodeManifest.requests()).hasSize(2);
    }

    private static void deleteTree(Path root) throws Exception {
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
