package io.farmvet.explain;

import io.farmvet.config.FarmvetConfig;
import io.farmvet.git.remote.AdvertisedRefs;
import io.farmvet.git.remote.LsRemote;
import io.farmvet.git.remote.LsRemoteException;
import io.farmvet.names.RepositoryNames;
import java.time.Duration;
import javax.net.ssl.TrustManager;

/**
 * A Bitbucket server's refs of a repository: an in-process ls-remote of {@code {url}/scm/{projectKey}/{slug}.git}
 * with the server's own credentials (REPO_READ is enough) and farmvet's TLS trust and timeouts. Thread-safe.
 */
final class ScmRefs implements RefsSource {
    private final FarmvetConfig.Server server;
    private final LsRemote.Settings settings;

    ScmRefs(FarmvetConfig.Server server, FarmvetConfig.Http http, TrustManager[] trust) {
        this.server = server;
        this.settings = new LsRemote.Settings(
                        server.auth().authorizationHeader(), trust, http.connectTimeout(), http.readTimeout())
                .withSsh(server.auth().sshIdentity());
    }

    /**
     * {@code {url}/scm/{projectKey}/{slug}.git}, as Bitbucket serves Git over HTTP; a server of kind {@code git}
     * serves it at its own {@code url} template.
     */
    static String url(FarmvetConfig.Server server, RepositoryNames.Name name) {
        if (server.isGit()) {
            return server.repositoryUrl(name.projectKey(), name.slug());
        }
        String base = server.url().toString();
        return (base.endsWith("/") ? base : base + "/") + "scm/" + name.projectKey() + "/" + name.slug() + ".git";
    }

    @Override
    public boolean needsName() {
        return true;
    }

    @Override
    public AdvertisedRefs refs(long repositoryId, RepositoryNames.Name name, Duration timeout) throws Unavailable {
        Duration readTimeout = settings.readTimeout().compareTo(timeout) < 0 ? settings.readTimeout() : timeout;
        LsRemote.Settings bounded = settings.withTimeouts(readTimeout, timeout);
        try {
            return new LsRemote(server.name(), bounded).list(url(server, name));
        } catch (LsRemoteException e) {
            String hint = e.reason() == LsRemoteException.Reason.REFUSED
                    ? " (the explain step needs REPO_READ on the repositories for this server's credentials)"
                    : "";
            throw new Unavailable(e.getMessage() + hint, e);
        }
    }
}
