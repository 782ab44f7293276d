package io.farmvet.demo;

import io.farmvet.compare.Kind;
import io.farmvet.git.FileTrees;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * Makes the three demo nodes drift from the primary, each in a different way, the ways mirrors drift in real
 * farms: a push that never arrived (a branch behind, a tag missing), a repository never cloned and one the
 * primary deleted but the node kept, and a default branch changed on the node alone and a deleted branch.
 *
 * <p>Two repositories per node: few enough for the safety valve once the demo raises {@code repair.max-fraction}
 * (see {@link DemoConfig}), and every other repository of the node stays exactly as cloned, so the demo shows
 * that only the drifted ones are touched.
 */
final class NodeDrifts {
    static final RepositoryName BRANCH_BEHIND = new RepositoryName("API", "billing");
    static final RepositoryName TAG_MISSING = new RepositoryName("WEB", "storefront");
    static final RepositoryName NEVER_CLONED = new RepositoryName("DATA", "etl");
    /** Not on the primary: a repository deleted there that the node kept. */
    static final RepositoryName LEFT_BEHIND = new RepositoryName("WEB", "prototype");

    static final RepositoryName HEAD_MOVED = new RepositoryName("OPS", "terraform");
    static final RepositoryName BRANCH_MISSING = new RepositoryName("API", "gateway");

    /** Commits taken off {@code main} on node 1. */
    static final int COMMITS_BEHIND = 2;

    private NodeDrifts() {}

    /**
     * Applies the drifts to the nodes' folders, named {@code node-1} to {@code node-3}, and returns them in order.
     *
     * @param nodes the three nodes' repository folders, freshly cloned from the primary
     */
    static List<Drift> apply(List<Path> nodes) throws IOException {
        if (nodes.size() != 3) {
            throw new IllegalArgumentException("the demo has three nodes, not " + nodes.size());
        }
        Path node1 = nodes.get(0);
        Path node2 = nodes.get(1);
        Path node3 = nodes.get(2);
        String behind = resetBranchBack(BRANCH_BEHIND.path(node1), "main", COMMITS_BEHIND);
        deleteRef(TAG_MISSING.path(node1), Constants.R_TAGS + "v1.1");
        FileTrees.delete(NEVER_CLONED.path(node2));
        PrimaryFleet.buildRepository(LEFT_BEHIND.path(node2), LEFT_BEHIND, 99, "main");
        linkHead(HEAD_MOVED.path(node3), Constants.R_HEADS + "develop");
        deleteRef(BRANCH_MISSING.path(node3), Constants.R_HEADS + "release/1.x");
        return List.of(
                new Drift(
                        "node-1",
                        BRANCH_BEHIND,
                        "main reset back " + COMMITS_BEHIND + " commits, to " + behind,
                        Kind.CONTENT),
                new Drift("node-1", TAG_MISSING, "tag v1.1 deleted", Kind.CONTENT),
                new Drift("node-2", NEVER_CLONED, "repository deleted, as if never cloned", Kind.MISSING),
                new Drift("node-2", LEFT_BEHIND, "repository the primary does not have", Kind.EXTRA),
                new Drift("node-3", HEAD_MOVED, "HEAD moved to develop (primary: main)", Kind.METADATA),
                new Drift("node-3", BRANCH_MISSING, "branch release/1.x deleted", Kind.CONTENT));
    }

    /** Moves {@code branch} back by {@code commits} first parents; returns the new commit's abbreviated id. */
    private static String resetBranchBack(Path gitDir, String branch, int commits) throws IOException {
        try (Repository repository = open(gitDir);
                RevWalk walk = new RevWalk(repository)) {
            Ref ref = repository.exactRef(Constants.R_HEADS + branch);
            if (ref == null) {
                throw new IOException(gitDir + ": no branch " + branch);
            }
            RevCommit commit = walk.parseCommit(ref.getObjectId());
            for (int i = 0; i < commits; i++) {
                commit = walk.parseCommit(commit.getParent(0));
            }
            ObjectId target = commit.getId();
            PrimaryFleet.setRef(repository, ref.getName(), target);
            return target.abbreviate(7).name();
        }
    }

    private static void deleteRef(Path gitDir, String refName) throws IOException {
        try (Repository repository = open(gitDir)) {
            RefUpdate update = repository.updateRef(refName);
            update.setForceUpdate(true);
            RefUpdate.Result result = update.delete();
            if (result != RefUpdate.Result.FORCED) {
                throw new IOException(gitDir + ": cannot delete " + refName + ": " + result);
            }
        }
    }

    private static void linkHead(Path gitDir, String refName) throws IOException {
        try (Repository repository = open(gitDir)) {
            RefUpdate.Result result = repository.updateRef(Constants.HEAD).link(refName);
            if (result != RefUpdate.Result.FORCED && result != RefUpdate.Result.NEW) {
                throw new IOException(gitDir + ": cannot point HEAD at " + refName + ": " + result);
            }
        }
    }

    private static Repository open(Path gitDir) throws IOException {
        return new FileRepositoryBuilder()
                .setGitDir(gitDir.toFile())
                .setBare()
                .setMustExist(true)
                .build();
    }
}
