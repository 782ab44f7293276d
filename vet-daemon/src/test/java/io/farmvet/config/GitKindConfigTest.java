package io.farmvet.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.farmvet.config.FarmvetConfig.RepositoryPath;
import io.farmvet.config.FarmvetConfig.Server;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Servers of kind git (issue 13); the bad values are in config/invalid/git-*. */
class GitKindConfigTest {
    private static final String FARM = "farm:\n  name: emea\n"
            + "primary:\n  kind: agent\n  url: https://primary.example.com\n"
            + "nodes:\n"
            + "  - name: mirror-1\n    kind: git\n    url: \"https://git.example.com/{project}/{repo}.git\"\n"
            + "  - name: mirror-2\n    url: https://mirror-2.example.com\n";

    @TempDir
    Path dir;

    private FarmvetConfig load(String yaml) throws Exception {
        Path file = dir.resolve("conf/farmvet.yaml");
        Files.createDirectories(file.getParent());
        Files.writeString(file, yaml);
        return ConfigLoader.load(file);
    }

    @Test
    void readsKindsTheUrlTemplateAndTheRepositoriesFileNextToTheConfig() throws Exception {
        Files.createDirectories(dir.resolve("conf"));
        Files.writeString(dir.resolve("conf/repos.txt"), "# the farm\nPROJ/app\n\n  OPS/tools  \n");

        FarmvetConfig config =
                load(FARM + "repositories:\n  from: file\n  file: repos.txt\ngit:\n  concurrency: 3\n  rate: 2.5\n");

        Server git = config.nodes().get(0);
        assertThat(config.primary().kind()).isEqualTo(Server.Kind.AGENT);
        assertThat(git.kind()).isEqualTo(Server.Kind.GIT);
        assertThat(git.url()).isEqualTo(URI.create("https://git.example.com"));
        assertThat(git.shownUrl()).isEqualTo("https://git.example.com/{project}/{repo}.git");
        assertThat(git.repositoryUrl("PROJ", "app")).isEqualTo("https://git.example.com/PROJ/app.git");
        assertThat(config.nodes().get(1).kind()).isEqualTo(Server.Kind.BITBUCKET);
        assertThat(config.git().concurrency()).isEqualTo(3);
        assertThat(config.git().ratePerSecond()).isEqualTo(2.5);
        assertThat(config.git().rateLimited()).isTrue();
        assertThat(config.git().repositories())
                .containsExactly(new RepositoryPath("PROJ", "app"), new RepositoryPath("OPS", "tools"));
        assertThat(config.withNodes(List.of(git)).git()).isEqualTo(config.git());
        assertThat(config.withDryRun().git()).isEqualTo(config.git());
    }

    @Test
    void concurrencyDefaultsTo8AndAFarmWithoutGitServersNeedsNoRepositories() throws Exception {
        Files.createDirectories(dir.resolve("conf"));
        Files.writeString(dir.resolve("conf/repos.txt"), "PROJ/app\n");

        assertThat(load(FARM + "repositories:\n  from: file\n  file: repos.txt\n")
                        .git()
                        .concurrency())
                .isEqualTo(8);
        assertThat(load(FARM + "repositories:\n  from: file\n  file: repos.txt\n")
                        .git()
                        .rateLimited())
                .isFalse();
        FarmvetConfig plain = load("farm:\n  name: emea\nprimary:\n  url: https://primary.example.com\n"
                + "nodes:\n  - name: mirror-1\n    url: https://mirror-1.example.com\n");
        assertThat(plain.git()).isEqualTo(FarmvetConfig.Git.DEFAULTS);
        assertThat(plain.primary().kind()).isEqualTo(Server.Kind.BITBUCKET);
    }

    @Test
    void takesSshUrlsWithAKeyAndKnownHostsFileAndAnonymousGitUrls() throws Exception {
        Files.createDirectories(dir.resolve("conf"));
        Files.writeString(dir.resolve("conf/repos.txt"), "PROJ/app\n");
        io.farmvet.git.GitSshServer.writePrivateKey(
                io.farmvet.git.GitSshServer.newKeyPair(), dir.resolve("conf/id_farmvet"));
        Files.writeString(
                dir.resolve("conf/known_hosts"),
                "mirror-3.example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n");

        FarmvetConfig config = load(FARM
                + "  - name: mirror-3\n    kind: git\n    url: \"ssh://git@mirror-3.example.com:2222/{project}/{repo}.git\"\n"
                + "    auth: { ssh: { key-file: id_farmvet, known-hosts-file: known_hosts } }\n"
                + "  - name: mirror-4\n    kind: git\n    url: \"git://mirror-4.example.com/{project}/{repo}.git\"\n"
                + "repositories:\n  from: file\n  file: repos.txt\n");

        Server ssh = config.nodes().get(2);
        assertThat(ssh.repositoryUrl("PROJ", "app")).isEqualTo("ssh://git@mirror-3.example.com:2222/PROJ/app.git");
        assertThat(ssh.auth().sshIdentity())
                .isEqualTo(new io.farmvet.git.remote.SshIdentity(
                        dir.resolve("conf/id_farmvet"), dir.resolve("conf/known_hosts")));
        assertThat(ssh.auth().authorizationHeader()).isNull();
        Server daemon = config.nodes().get(3);
        assertThat(daemon.repositoryUrl("PROJ", "app")).isEqualTo("git://mirror-4.example.com/PROJ/app.git");
        assertThat(daemon.auth()).isEqualTo(Auth.NONE);
    }
}
