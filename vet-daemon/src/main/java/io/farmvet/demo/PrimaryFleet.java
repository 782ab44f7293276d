package io.farmvet.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
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
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * Builds the demo's primary: {@value #REPOSITORY_COUNT} bare repositories in four projects under {@code
 * DIR/<KEY>/<slug>.git}, with JGit only (no {@code git} executable needed).
 *
 * <p>Every repository has a {@code main} branch of three to six commits, a {@code develop} branch one commit
 * ahead of it, and either a {@code release/1.x} or a {@code feature/…} branch; a lightweight tag {@code v1.0} on
 * the first commit and an annotated tag {@code v1.1} on {@code main}. {@code HEAD} points at {@code main}, except
 * in {@link #LEGACY_KEY}/{@link #LEGACY_SLUG}, whose default branch is {@code master}. Authors, committers,
 * taggers and their times come from a fixed clock, so every object id, and so every hash, is the same on every
 * run and every machine.
 */
final class PrimaryFleet {
    static final int REPOSITORY_COUNT = 36;

    /** The one repository whose default branch is not {@code main}, as in a farm with some older repositories. */
    static final String LEGACY_KEY = "OPS";

    static final String LEGACY_SLUG = "ansible";

    static final String LEGACY_BRANCH = "master";

    /** Every commit and tag is dated from here, one minute apart. */
    private static final Instant EPOCH = Instant.parse("2026-01-05T09:00:00Z");

    private static final List<Project> PROJECTS = List.of(
            new Project(
                    "API",
                    List.of(
                            "gateway",
                            "billing",
                            "accounts",
                            "catalog",
                            "orders",
                            "notifications",
                            "auth",
                            "inventory",
                            "shipping",
                            "pricing")),
            new Project(
                    "DATA",
                    List.of("etl", "warehouse", "ml-features", "reports", "events", "schemas", "ingest", "lake")),
            new Project(
                    "OPS",
                    List.of(
                            "terraform",
                            "ansible",
                            "helm-charts",
                            "runbooks",
                            "monitoring",
                            "ci-templates",
                            "backup",
                            "dns",
                            "vault-policies")),
            new Project(
                    "WEB",
                    List.of(
                            "storefront",
                            "checkout",
                            "design-system",
                            "admin-console",
                            "landing",
                            "docs-site",
                            "mobile-web",
                            "search-ui",
                            "dashboard")));

    private static final String[] FEATURES = {"dark-mode", "retry-budget", "faster-build", "audit-trail", "i18n"};

    private record Project(String key, List<String> slugs) {}

    private PrimaryFleet() {}

    /** Every repository of the primary, project by project. */
    static List<RepositoryName> names() {
        List<RepositoryName> names = new ArrayList<>();
        for (Project project : PROJECTS) {
            for (String slug : project.slugs()) {
                names.add(new RepositoryName(project.key(), slug));
            }
        }
        return names;
    }

    /** Creates every repository under {@code root}, which must hold none of them yet. */
    static List<RepositoryName> build(Path root) throws IOException {
        List<RepositoryName> names = names();
        for (int i = 0; i < names.size(); i++) {
            RepositoryName name = names.get(i);
            String defaultBranch = name.equals(new RepositoryName(LEGACY_KEY, LEGACY_SLUG)) ? LEGACY_BRANCH : "main";
            buildRepository(name.path(root), name, i, defaultBranch);
        }
        return names;
    }

    /** A small repository with its own history; {@code index} varies the shape and the clock between them. */
    static void buildRepository(Path gitDir, RepositoryName name, int index, String defaultBranch) throws IOException {
        Files.createDirectories(gitDir.getParent());
        try (Repository repository = new FileRepositoryBuilder()
                        .setGitDir(gitDir.toFile())
                        .setBare()
                        .build();
                ObjectInserter inserter = repository.newObjectInserter()) {
            repository.create(true);
            Commits commits = new Commits(inserter, name, index);
            int length = 3 + index % 4;
            List<ObjectId> history = new ArrayList<>();
            ObjectId tip = null;
            for (int n = 1; n <= length; n++) {
                tip = commits.commit(tip, "Change " + n + " to " + name.slug());
                history.add(tip);
            }
            ObjectId develop = commits.commit(tip, "Work in progress on " + name.slug());
            String side;
            ObjectId sideTip;
            if (index % 2 == 0) {
                side = "release/1.x";
                sideTip = commits.commit(history.get(1), "Backport a fix to 1.x");
            } else {
                side = "feature/" + FEATURES[index % FEATURES.length];
                sideTip = commits.commit(tip, "Start " + FEATURES[index % FEATURES.length]);
            }
            ObjectId annotated = commits.annotatedTag(tip, "v1.1", "Release 1.1 of " + name.slug());
            inserter.flush();

            setRef(repository, Constants.R_HEADS + defaultBranch, tip);
            setRef(repository, Constants.R_HEADS + "develop", develop);
            setRef(repository, Constants.R_HEADS + side, sideTip);
            setRef(repository, Constants.R_TAGS + "v1.0", history.get(0));
            setRef(repository, Constants.R_TAGS + "v1.1", annotated);
            RefUpdate.Result head = repository.updateRef(Constants.HEAD).link(Constants.R_HEADS + defaultBranch);
            requireUpdated(head, gitDir, Constants.HEAD);
        }
    }

    static void setRef(Repository repository, String refName, ObjectId id) throws IOException {
        RefUpdate update = repository.updateRef(refName);
        update.setNewObjectId(id);
        update.setForceUpdate(true);
        update.disableRefLog();
        requireUpdated(update.update(), repository.getDirectory().toPath(), refName);
    }

    private static void requireUpdated(RefUpdate.Result result, Path gitDir, String refName) throws IOException {
        switch (result) {
            case NEW, FORCED, FAST_FORWARD, NO_CHANGE -> {}
            default -> throw new IOException(gitDir + ": cannot set " + refName + ": " + result);
        }
    }

    /** Writes commits and tags of one repository on the fixed clock. */
    private static final class Commits {
        private final ObjectInserter inserter;
        private final RepositoryName name;
        private final StringBuilder changes = new StringBuilder();
        private int minute;

        Commits(ObjectInserter inserter, RepositoryName name, int index) {
            this.inserter = inserter;
            this.name = name;
            // Each repository gets its own hour of the fixed clock.
            this.minute = index * 60;
        }

        ObjectId commit(ObjectId parent, String message) throws IOException {
            changes.append("- ").append(message).append('\n');
            TreeFormatter tree = new TreeFormatter();
            // TreeFormatter wants entries in git's order: "CHANGES.md" sorts before "README.md".
            tree.append("CHANGES.md", FileMode.REGULAR_FILE, blob(changes.toString()));
            tree.append("README.md", FileMode.REGULAR_FILE, blob("# " + name.projectKey() + "/" + name.slug() + "\n"));
            CommitBuilder commit = new CommitBuilder();
            commit.setTreeId(inserter.insert(tree));
            if (parent != null) {
                commit.setParentId(parent);
            }
            PersonIdent ident = ident();
            commit.setAuthor(ident);
            commit.setCommitter(ident);
            commit.setMessage(message + "\n");
            return inserter.insert(commit);
        }

        ObjectId annotatedTag(ObjectId target, String tagName, String message) throws IOException {
            TagBuilder tag = new TagBuilder();
            tag.setObjectId(target, Constants.OBJ_COMMIT);
            tag.setTag(tagName);
            tag.setTagger(ident());
            tag.setMessage(message + "\n");
            return inserter.insert(tag);
        }

        private ObjectId blob(String text) throws IOException {
            return inserter.insert(Constants.OBJ_BLOB, text.getBytes(StandardCharsets.UTF_8));
        }

        private PersonIdent ident() {
            Instant when = EPOCH.plusSeconds(60L * minute++);
            return new PersonIdent("Farm Vet Demo", "demo@farmvet.invalid", when, ZoneOffset.UTC);
        }
    }
}
