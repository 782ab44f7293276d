package io.farmvet.explain;

import io.farmvet.config.FarmvetConfig;
import io.farmvet.git.remote.AdvertisedRefs;
import io.farmvet.names.RepositoryNames;
import java.time.Duration;

/**
 * A server listed from its grokmirror manifest with no Git URL ({@code manifest-url} without {@code url}): a
 * manifest holds one fingerprint per repository, not its refs, so the refs that differ cannot be shown. Every ask
 * fails with the same note, which the {@link RefsStep} reports once for the server.
 */
final class NoGitUrl implements RefsSource {
    private final String note;

    NoGitUrl(FarmvetConfig.Server server, String configPath) {
        this.note = server.name() + ": the refs that differ cannot be shown without a git url (a manifest holds one"
                + " fingerprint per repository, not its refs): set " + configPath + ".url to the server's Git URL,"
                + " e.g. https://git.example.com/" + FarmvetConfig.Server.PATH;
    }

    @Override
    public boolean needsName() {
        return false;
    }

    @Override
    public AdvertisedRefs refs(long repositoryId, RepositoryNames.Name name, Duration timeout) throws Unavailable {
        throw new Unavailable(note, null);
    }
}
