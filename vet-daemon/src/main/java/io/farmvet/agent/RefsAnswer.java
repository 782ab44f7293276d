package io.farmvet.agent;

import io.farmvet.agent.RepositoryIndex.Location;
import io.farmvet.git.remote.LsRemote;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * {@code GET /rest/farmvet/1/repos/{id}/refs}: one repository's refs, as the vet's explain step asks them (issue
 * 12) — {@code {"id", "projectKey", "slug", "head", "refs": [{"ref", "id"}]}}. The refs are those the content hash
 * is made of, {@code refs/heads/} and {@code refs/tags/}, each with its own object id (an annotated tag's is the
 * tag object's), sorted by name; {@code head} is the ref {@code HEAD} points to, or null. At most {@link #MAX_REFS}:
 * a repository with more is refused rather than cut, since a cut list would show refs as missing. Stateless.
 */
final class RefsAnswer {
    static final Pattern PATH = Pattern.compile("/rest/farmvet/1/repos/(-?\\d{1,19})/refs");
    /** The vet's ls-remote allows as many: one bound for both ways of asking. */
    static final int MAX_REFS = LsRemote.DEFAULT_MAX_REFS;

    /** More refs than {@link #MAX_REFS}. */
    static final class TooManyRefs extends Exception {
        private static final long serialVersionUID = 1L;

        TooManyRefs(String message) {
            super(message);
        }
    }

    private RefsAnswer() {}

    /** The id in a path of this endpoint, or null when the path is not one. */
    static Long id(String path) {
        Matcher m = PATH.matcher(path);
        if (!m.matches()) {
            return null;
        }
        try {
            return Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static Map<String, Object> of(long id, Location location, Path root) throws IOException, TooManyRefs {
        Path gitDir = root.resolve(location.projectKey()).resolve(location.slug() + Constants.DOT_GIT_EXT);
        try (Repository repository = new FileRepositoryBuilder()
                .setGitDir(gitDir.toFile())
                .setMustExist(true)
                .build()) {
            List<Ref> refs = repository.getRefDatabase().getRefsByPrefix(Constants.R_HEADS, Constants.R_TAGS);
            if (refs.size() > MAX_REFS) {
                throw new TooManyRefs(location + " has " + refs.size() + " refs under refs/heads/ and refs/tags/,"
                        + " more than the " + MAX_REFS + " this endpoint lists");
            }
            List<Map<String, String>> listed = new ArrayList<>();
            refs.stream()
                    .filter(ref -> ref.getObjectId() != null)
                    .sorted(java.util.Comparator.comparing(Ref::getName))
                    .forEach(ref -> {
                        Map<String, String> entry = new LinkedHashMap<>();
                        entry.put("ref", ref.getName());
                        entry.put("id", ref.getObjectId().name());
                        listed.add(entry);
                    });
            Ref head = repository.exactRef(Constants.HEAD);
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("id", id);
            answer.put("projectKey", location.projectKey());
            answer.put("slug", location.slug());
            answer.put(
                    "head", head != null && head.isSymbolic() ? head.getTarget().getName() : null);
            answer.put("refs", listed);
            return answer;
        }
    }
}
