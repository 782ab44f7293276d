package io.farmvet.git.remote;

import io.farmvet.git.ContentHash;
import io.farmvet.git.MetadataHash;
import io.farmvet.git.RepositoryHasher;
import io.farmvet.git.RepositoryHashes;
import io.farmvet.git.StableIds;
import java.util.Map;

/**
 * The agent's {@code repo-hashes} values of a repository from what a server advertises over the Git protocol, so that
 * a server farmvet cannot install its agent on sits in one farm with agents: the same content hash (the default
 * prefixes, each ref's own id: an annotated tag's is the tag object's), the metadata hash with {@code HEAD} from the
 * server's symref (a detached {@code HEAD}: its object id, which the advertisement carries, as the agent hashes it),
 * and the stable ids of the names.
 */
public final class RemoteHashes {
    private RemoteHashes() {}

    public static RepositoryHashes of(String projectKey, String slug, AdvertisedRefs advertised) {
        ContentHash content = new ContentHash(RepositoryHasher.DEFAULT_REF_PREFIXES);
        for (Map.Entry<String, String> ref : advertised.refs().entrySet()) {
            content.add(ref.getKey(), ref.getValue());
        }
        String head = advertised.head() == null ? "" : advertised.head();
        return new RepositoryHashes(
                projectKey,
                slug,
                StableIds.projectId(projectKey),
                StableIds.repositoryId(projectKey, slug),
                content.hex(),
                MetadataHash.of(projectKey, slug, head),
                head,
                content.refCount());
    }
}
