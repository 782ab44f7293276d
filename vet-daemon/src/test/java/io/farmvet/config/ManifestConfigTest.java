package io.farmvet.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.farmvet.config.FarmvetConfig.RepositoriesFrom;
import io.farmvet.config.FarmvetConfig.Server;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code manifest-url} and {@code repositories.from: bitbucket | manifest} (issue 13); the bad values are in
 * config/invalid/manifest-* and git-kind-repositories-from-*.
 */
class ManifestConfigTest {
    @TempDir
    Path dir;

    private FarmvetConfig load(String yaml) throws Exception {
        Path file = dir.resolve("conf/farmvet.yaml");
        Files.createDirectories(file.getParent());
        Files.writeString(file, yaml);
        return ConfigLoader.load(file);
    }

    @Test
    void aManifestServerNeedsNoUrlAndOneWithAGitUrlFillsPathFromTheManifestKey() throws Exception {
        Files.createDirectories(dir.resolve("conf/grok"));
        Files.writeString(dir.resolve("conf/grok/manifest.js"), "{}");

        FarmvetConfig config = load("farm:\n  name: kernel\n"
                + "primary:\n  kind: git\n  url: \"https://git.example.org/{path}\"\n"
                + "  manifest-url: https://git.example.org/manifest.js.gz\n"
                + "nodes:\n  - name: mirror-1\n    kind: git\n    manifest-url: grok/manifest.js\n");

        Server primary = config.primary();
        assertThat(primary.isManifest()).isTrue();
        assertThat(primary.manifest()).isEqualTo("https://git.example.org/manifest.js.gz");
        assertThat(primary.url()).isEqualTo(URI.create("https://git.example.org"));
        assertThat(primary.shownUrl()).isEqualTo("https://git.example.org/{path}");
        // The manifest's /pub/scm/git/git.git is named pub%2Fscm%2Fgit/git; {path} gives the path back.
        assertThat(primary.repositoryUrl("pub%2Fscm%2Fgit", "git"))
                .isEqualTo("https://git.example.org/pub/scm/git/git.git");
        assertThat(primary.repositoryUrl(".", "linux")).isEqualTo("https://git.example.org/linux.git");
        Server node = config.nodes().get(0);
        String file = dir.resolve("conf/grok/manifest.js").toString();
        assertThat(node.manifest()).isEqualTo(file);
        assertThat(node.gitUrl()).isNull();
        assertThat(node.shownUrl()).isEqualTo(file);
        assertThat(node.url()).isEqualTo(Path.of(file).toUri());
        // Every server lists its own manifest: no repositories section is needed.
        assertThat(config.git().repositories()).isEmpty();
    }

    @Test
    void repositoriesFromBitbucketOrAManifestAreReadPerVetNotWhenTheConfigLoads() throws Exception {
        String farm = "farm:\n  name: emea\n"
                + "primary:\n  kind: git\n  url: \"https://bitbucket.example.com/scm/{project}/{repo}.git\"\n"
                + "nodes:\n  - name: mirror-1\n    kind: git\n    url: \"https://git.example.net/{path}\"\n";

        FarmvetConfig bitbucket = load(farm + "repositories:\n  from: bitbucket\n");
        FarmvetConfig manifest = load(farm + "repositories:\n  from: manifest\n"
                + "  manifest: https://bitbucket.example.com/grok/manifest.js.gz\n");
        Files.createDirectories(dir.resolve("grok"));
        Files.writeString(dir.resolve("grok/manifest.js"), "{}");
        // Checked to be there when the config loads, read at each vet.
        FarmvetConfig file = load(farm + "repositories:\n  from: manifest\n  manifest: ../grok/manifest.js\n");

        assertThat(bitbucket.git().from()).isEqualTo(RepositoriesFrom.BITBUCKET);
        assertThat(bitbucket.git().repositories()).isEmpty();
        assertThat(manifest.git().from()).isEqualTo(RepositoriesFrom.MANIFEST);
        assertThat(manifest.git().manifest()).isEqualTo("https://bitbucket.example.com/grok/manifest.js.gz");
        assertThat(file.git().manifest())
                .isEqualTo(dir.resolve("grok/manifest.js").toString());
        assertThat(bitbucket.nodes().get(0).repositoryUrl("PROJ", "app"))
                .isEqualTo("https://git.example.net/PROJ/app.git");
    }
}
