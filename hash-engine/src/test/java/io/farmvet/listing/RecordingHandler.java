package io.farmvet.listing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Records what a read delivered, in order, as plain values; rejects on request. */
final class RecordingHandler implements ListingHandler {
    record Repo(long projectId, long id, String content, String metadata) {}

    record Project(long id, boolean isPublic) {}

    final List<Repo> repositories = new ArrayList<>();
    final List<Project> projects = new ArrayList<>();
    /** Repositories and projects interleaved as delivered, to check that a project follows its repositories. */
    final List<Object> events = new ArrayList<>();
    /** Slugs and project keys where the listing named them. */
    final Map<Long, String> slugs = new HashMap<>();

    final Map<Long, String> keys = new HashMap<>();

    long rejectRepository = -1;
    long rejectProject = -1;
    /** Rejects the listing at its end, naming this repository. */
    long rejectAtEnd = -1;

    int ends;

    @Override
    public void repository(ListingEntry entry) throws EntryRejectedException {
        if (entry.repositoryId() == rejectRepository) {
            throw new EntryRejectedException("repository " + entry.repositoryId() + " is listed twice");
        }
        Repo repo = new Repo(
                entry.projectId(),
                entry.repositoryId(),
                entry.content().toHex(),
                entry.metadata().toHex());
        repositories.add(repo);
        if (entry.slug() != null) {
            slugs.put(entry.repositoryId(), entry.slug());
        }
        events.add(repo);
    }

    @Override
    public void project(long projectId, boolean isPublic, String key) throws EntryRejectedException {
        if (projectId == rejectProject) {
            throw new EntryRejectedException("project " + projectId + " is not mirrored here");
        }
        Project project = new Project(projectId, isPublic);
        projects.add(project);
        if (key != null) {
            keys.put(projectId, key);
        }
        events.add(project);
    }

    @Override
    public void end() throws EntryRejectedException {
        ends++;
        if (rejectAtEnd >= 0) {
            throw new EntryRejectedException("repository " + rejectAtEnd + " is listed twice", rejectAtEnd);
        }
    }
}
