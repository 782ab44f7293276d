package io.farmvet.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.TagBuilder;
import org.eclipse.jgit.lib.TreeFormatter;

/**
 * The small repositories the benchmarks hash and list, built with JGit on a fixed clock so that the object ids are
 * the same on every run: repository {@code n} has one to three commits, two to four branches, a lightweight and an
 * annotated tag, {@code HEAD} on {@code main}. On disk ({@code bench hash}) or in memory ({@code bench git}).
 */
final class BenchRepositories {
    private static final Instant EPOCH = Instant.parse("2024-01-01T00:00:00Z");

    private BenchRepositories() {}

    /** Fills the empty, created repository {@code repo} as repository {@code n}. */
    static void fill(Repository repo, int n) throws IOException {
        PersonIdent ident = new PersonIdent("Bench", "bench@example.com", EPOCH.plusSeconds(n), ZoneOffset.UTC);
        ObjectId commit = null;
        try (ObjectInserter inserter = repo.newObjectInserter()) {
            for (int c = 0; c <= n % 3; c++) {
                ObjectId blob = inserter.insert(
                        Constants.OBJ_BLOB,
                        ("repository " + n + " commit " + c + "\n").getBytes(StandardCharsets.UTF_8));
                TreeFormatter tree = new TreeFormatter();
                tree.append("README", FileMode.REGULAR_FILE, blob);
                CommitBuilder builder = new CommitBuilder();
                builder.setTreeId(inserter.insert(tree));
                if (commit != null) {
                    builder.setParentId(commit);
                }
                builder.setAuthor(ident);
                builder.setCommitter(ident);
                builder.setMessage("commit " + c + "\n");
                commit = inserter.insert(builder);
            }
            TagBuilder tag = new TagBuilder();
            tag.setObjectId(commit, Constants.OBJ_COMMIT);
            tag.setTag("v1.0");
            tag.setTagger(ident);
            tag.setMessage("release\n");
            ObjectId annotated = inserter.insert(tag);
            inserter.flush();
            setRef(repo, "refs/tags/v1.0", annotated);
        }
        setRef(repo, "refs/heads/main", commit);
        for (int b = 0; b < 1 + n % 3; b++) {
            setRef(repo, "refs/heads/feature-" + b, commit);
        }
        setRef(repo, "refs/tags/light", commit);
        RefUpdate head = repo.updateRef(Constants.HEAD);
        head.link("refs/heads/main");
    }

    private static void setRef(Repository repo, String name, ObjectId id) throws IOException {
        RefUpdate update = repo.updateRef(name);
        update.setNewObjectId(id);
        update.setForceUpdate(true);
        RefUpdate.Result result = update.update();
        if (result != RefUpdate.Result.NEW && result != RefUpdate.Result.FORCED) {
            throw new IOException(repo + ": " + name + " not set: " + result);
        }
    }
}
