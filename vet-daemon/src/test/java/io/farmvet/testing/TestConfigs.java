package io.farmvet.testing;

import io.farmvet.compare.Scope;
import io.farmvet.config.Auth;
import io.farmvet.config.FarmvetConfig;
import io.farmvet.listing.ListingLimits;
import io.farmvet.repair.RepairSettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Builds a {@link FarmvetConfig} for tests in code, with short timeouts suited to loopback servers. */
public final class TestConfigs {

    private Scope scope = Scope.INFERRED;
    private FarmvetConfig.Server primary;
    private final List<FarmvetConfig.Server> nodes = new ArrayList<>();
    private Duration connectTimeout = Duration.ofSeconds(2);
    private Duration readTimeout = Duration.ofSeconds(5);
    private Duration deadline = Duration.ofSeconds(30);
    private Path caFile;
    private ListingLimits limits = ListingLimits.DEFAULTS;
    private long readAhead = FarmvetConfig.Listing.DEFAULT_READ_AHEAD;
    private RepairSettings repair = RepairSettings.defaults();
    private Path stateDir = Path.of("target", "test-state");
    private FarmvetConfig.Git git = FarmvetConfig.Git.DEFAULTS;
    private FarmvetConfig.Explain explain = new FarmvetConfig.Explain(0, FarmvetConfig.Explain.DEFAULT_DELAY_THRESHOLD);

    public TestConfigs primary(URI url) {
        return primary(url, Auth.NONE);
    }

    public TestConfigs primary(URI url, Auth auth) {
        primary = new FarmvetConfig.Server("primary", url, auth);
        return this;
    }

    public TestConfigs node(String name, URI url) {
        return node(name, url, Auth.NONE);
    }

    public TestConfigs node(String name, URI url, Auth auth) {
        nodes.add(new FarmvetConfig.Server(name, url, auth));
        return this;
    }

    /** A node whose name in its farm's member list ({@code nodes[i].member}) is {@code member}. */
    public TestConfigs node(String name, URI url, String member) {
        nodes.add(new FarmvetConfig.Server(name, url, Auth.NONE, member));
        return this;
    }

    /** A node of kind git whose repositories are at {@code urlTemplate} ({@code {project}/{repo}} or {@code {path}}). */
    public TestConfigs gitNode(String name, String urlTemplate, Auth auth) {
        nodes.add(gitServer(name, urlTemplate, auth, null));
        return this;
    }

    /** A primary of kind git whose repositories are at {@code urlTemplate} ({@code {project}/{repo}} or {@code {path}}). */
    public TestConfigs gitPrimary(String urlTemplate, Auth auth) {
        primary = gitServer("primary", urlTemplate, auth, null);
        return this;
    }

    /**
     * A primary of kind git listed from its grokmirror manifest ({@code manifest-url}: an http(s) URL or an absolute
     * path), with its Git URL ({@code {path}}) for the explain step, or none (null).
     */
    public TestConfigs manifestPrimary(String manifest, String gitUrl, Auth auth) {
        primary = gitServer("primary", gitUrl, auth, manifest);
        return this;
    }

    /** A node listed from its grokmirror manifest, as {@link #manifestPrimary}. */
    public TestConfigs manifestNode(String name, String manifest, String gitUrl, Auth auth) {
        nodes.add(gitServer(name, gitUrl, auth, manifest));
        return this;
    }

    /** As the config binds a server of kind git: {@code url} is the Git URL's, else the manifest's, base. */
    private static FarmvetConfig.Server gitServer(String name, String gitUrl, Auth auth, String manifest) {
        URI base;
        if (gitUrl != null) {
            base = URI.create(
                    gitUrl.replace("{project}", "p").replace("{repo}", "r").replace("{path}", "a/b.git"));
        } else {
            base = manifest.startsWith("/") ? Path.of(manifest).toUri() : URI.create(manifest);
        }
        URI url =
                base.getScheme().equals("file") ? base : URI.create(base.getScheme() + "://" + base.getRawAuthority());
        return new FarmvetConfig.Server(name, url, auth, null, FarmvetConfig.Server.Kind.GIT, gitUrl, manifest);
    }

    /** {@code repositories.from: bitbucket} or {@code manifest} (with {@code repositories.manifest}, else null). */
    public TestConfigs repositoriesFrom(FarmvetConfig.RepositoriesFrom from, String manifest) {
        git = new FarmvetConfig.Git(git.concurrency(), List.of(), from, manifest, git.ratePerSecond());
        return this;
    }

    /** {@code repositories.file}'s lines, {@code project/repo}. */
    public TestConfigs repositories(String... paths) {
        List<FarmvetConfig.RepositoryPath> list = new ArrayList<>();
        for (String path : paths) {
            String[] parts = path.split("/");
            list.add(new FarmvetConfig.RepositoryPath(parts[0], parts[1]));
        }
        git = new FarmvetConfig.Git(git.concurrency(), list, git.ratePerSecond());
        return this;
    }

    /** {@code git.rate}: ls-remotes started per second per server of kind git. */
    public TestConfigs gitRate(double ratePerSecond) {
        git = new FarmvetConfig.Git(git.concurrency(), git.repositories(), git.from(), git.manifest(), ratePerSecond);
        return this;
    }

    public TestConfigs scope(Scope scope) {
        this.scope = scope;
        return this;
    }

    public TestConfigs readTimeout(Duration readTimeout) {
        this.readTimeout = readTimeout;
        return this;
    }

    public TestConfigs deadline(Duration deadline) {
        this.deadline = deadline;
        return this;
    }

    public TestConfigs caFile(Path caFile) {
        this.caFile = caFile;
        return this;
    }

    public TestConfigs limits(ListingLimits limits) {
        this.limits = limits;
        return this;
    }

    /** {@code listing.read-ahead}: 0 reads no node before the primary's table is complete. */
    public TestConfigs readAhead(long bytes) {
        this.readAhead = bytes;
        return this;
    }

    /** Repairs on, with the state (ledger, audit log) in {@code stateDir}. */
    public TestConfigs repair(RepairSettings repair, Path stateDir) {
        this.repair = repair;
        this.stateDir = stateDir;
        return this;
    }

    /**
     * {@code explain}: how many drifted repositories are explained (sync diagnostics, refs that differ); off (0)
     * unless set, so that a test's fakes see only the requests it expects (a refs request would take a turn of a
     * {@link FakeServer#sequence}).
     */
    public TestConfigs explain(int maxRepositories) {
        this.explain = new FarmvetConfig.Explain(maxRepositories, FarmvetConfig.Explain.DEFAULT_DELAY_THRESHOLD);
        return this;
    }

    public FarmvetConfig build() {
        return new FarmvetConfig(
                new FarmvetConfig.Farm("test", scope),
                primary,
                nodes,
                new FarmvetConfig.Http(connectTimeout, readTimeout, caFile),
                new FarmvetConfig.Listing(limits, readAhead),
                new FarmvetConfig.Vet(deadline),
                new FarmvetConfig.Repair(repair, stateDir.resolve("repairs.jsonl")),
                new FarmvetConfig.RestServer(
                        FarmvetConfig.DEFAULT_LISTEN_HOST, FarmvetConfig.DEFAULT_LISTEN_PORT, null, null),
                new FarmvetConfig.State(stateDir.toAbsolutePath()),
                new FarmvetConfig.History(
                        FarmvetConfig.DEFAULT_KEEP_SUCCESSES,
                        FarmvetConfig.DEFAULT_KEEP_FAILURES,
                        FarmvetConfig.DEFAULT_HISTORY_MAX_BYTES),
                Path.of("test.yaml"),
                explain,
                git);
    }
}
