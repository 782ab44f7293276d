package io.farmvet.listing;

import java.util.ArrayList;
import java.util.List;

/** Records what a read delivered, in order, as plain values; rejects on request. */
final class RecordingHandler implements ListingHandler {
    record Repo(long projectId, long id, String content, String metadata) {}

    record Project(long id, boolean isPublic) {}

    final List<Repo> repositories = new ArrayList<>();
    final List<Project> projects = new ArrayList<>();
    /** Repositories and projects interleaved as delivered, to check that a project follows its repositories. */
    final List<Object> events = new ArrayList<>();

    long rejectRepository = -1;
    long rejectProject = -1;

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
        events.add(repo);
    }

    @Override
    public void project(long projectId, boolean isPublic) throws EntryRejectedException {
        if (projectId == rejectProject) {
            throw new EntryRejectedException("project " + projectId + " is not mirrored here");
        }
        Project project = new Project(projectId, isPublic);
        projects.add(project);
        events.add(project);
    }
}
