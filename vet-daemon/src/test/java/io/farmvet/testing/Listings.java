package io.farmvet.testing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Builds repo-hashes listings as JSON text for tests: add repositories, then render them in the primary's order
 * or shuffled, as a node would send them.
 */
public final class Listings {
    /** One repository of a listing. */
    public record Repo(long project, long id, String content, String metadata) {}

    private final List<Repo> repos = new ArrayList<>();

    public Listings add(long project, long id, String content, String metadata) {
        repos.add(new Repo(project, id, content, metadata));
        return this;
    }

    /** {@code n} repositories over {@code projects} projects with hashes derived from their ids. */
    public static Listings generated(int n, int projects) {
        Listings listings = new Listings();
        for (int i = 1; i <= n; i++) {
            listings.add(1 + i % projects, i, hash("c", i), hash("m", i));
        }
        return listings;
    }

    /** A 64-character hex hash made from a label and a number, so tests can write the one they expect. */
    public static String hash(String label, long n) {
        String seed = Long.toHexString((label.hashCode() * 31L + n) * 0x9E3779B97F4A7C15L);
        return (seed + "0".repeat(16)).substring(0, 16).repeat(4);
    }

    public List<Repo> repos() {
        return List.copyOf(repos);
    }

    /** A copy with the repository {@code id} changed or dropped (null). */
    public Listings with(long id, java.util.function.UnaryOperator<Repo> change) {
        Listings copy = new Listings();
        for (Repo repo : repos) {
            Repo changed = repo.id() == id ? change.apply(repo) : repo;
            if (changed != null) {
                copy.repos.add(changed);
            }
        }
        return copy;
    }

    public String json() {
        return render(repos);
    }

    /** Projects and repositories in a seeded random order, as another server may send them. */
    public String shuffledJson(long seed) {
        List<Repo> shuffled = new ArrayList<>(repos);
        Collections.shuffle(shuffled, new Random(seed));
        return render(shuffled);
    }

    private static String render(List<Repo> repos) {
        Map<Long, List<Repo>> byProject = new LinkedHashMap<>();
        for (Repo repo : repos) {
            byProject.computeIfAbsent(repo.project(), p -> new ArrayList<>()).add(repo);
        }
        StringBuilder json = new StringBuilder("{\"projects\":[");
        String projectSep = "";
        for (Map.Entry<Long, List<Repo>> project : byProject.entrySet()) {
            json.append(projectSep)
                    .append("{\"id\":")
                    .append(project.getKey())
                    .append(",\"public\":false,\"repositories\":[");
            String repoSep = "";
            for (Repo repo : project.getValue()) {
                json.append(repoSep).append("{\"id\":").append(repo.id()).append(",\"hashes\":{");
                json.append("\"content\":\"").append(repo.content()).append("\",");
                json.append("\"metadata\":\"").append(repo.metadata()).append("\"}}");
                repoSep = ",";
            }
            json.append("]}");
            projectSep = ",";
        }
        return json.append("]}").toString();
    }
}
