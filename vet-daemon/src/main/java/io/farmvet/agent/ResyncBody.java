package io.farmvet.agent;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.farmvet.git.StableIds;
import java.io.IOException;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The body of {@code POST /rest/farmvet/1/resync} ({@code io.farmvet.repair.send.AgentAdapter} documents it):
 * {@code {"repoId": N, "projectId": N, "kinds": ["content"|"metadata"|"missing"|"extra", ...], "projectKey"?:
 * "...", "slug"?: "..."}}. Unknown fields are ignored, as readers of farmvet's other documents do.
 *
 * @param projectKey null unless the request names the repository (needed for {@code missing})
 * @param slug null exactly when {@code projectKey} is
 */
record ResyncBody(long repoId, long projectId, Set<Kind> kinds, String projectKey, String slug) {
    enum Kind {
        CONTENT,
        METADATA,
        MISSING,
        EXTRA
    }

    /** Trailing data and duplicate fields are errors: either is a bug on the sender's side, not a request to guess at. */
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    /** A body that is not a valid resync request; the message names the problem. */
    static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message);
        }
    }

    boolean named() {
        return projectKey != null;
    }

    static ResyncBody parse(byte[] body) throws Invalid {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new Invalid("the body is not JSON: " + e.getOriginalMessage() + " at "
                    + e.getLocation().offsetDescription());
        } catch (IOException e) {
            throw new Invalid("the body cannot be read: " + e.getMessage());
        }
        if (root == null || root.isMissingNode()) {
            throw new Invalid("the body is empty; expected {\"repoId\": N, \"projectId\": N, \"kinds\": [...]}");
        }
        if (!root.isObject()) {
            throw new Invalid("the body must be a JSON object, not "
                    + root.getNodeType().name().toLowerCase(Locale.ROOT));
        }
        long repoId = id(root, "repoId");
        long projectId = id(root, "projectId");
        Set<Kind> kinds = kinds(root.get("kinds"));
        String projectKey = optionalString(root, "projectKey");
        String slug = optionalString(root, "slug");
        if ((projectKey == null) != (slug == null)) {
            throw new Invalid("projectKey and slug come together: give both or neither");
        }
        if (kinds.contains(Kind.EXTRA) && kinds.size() > 1) {
            throw new Invalid("kinds: extra (quarantine) cannot be combined with " + kinds);
        }
        if (projectKey != null) {
            long named;
            try {
                named = StableIds.repositoryId(projectKey, slug);
            } catch (IllegalArgumentException e) {
                throw new Invalid("projectKey/slug: " + e.getMessage());
            }
            if (named != repoId) {
                throw new Invalid("projectKey/slug " + projectKey + "/" + slug + " have repository id " + named
                        + ", not repoId " + repoId);
            }
            long namedProject = StableIds.projectId(projectKey);
            if (namedProject != projectId) {
                throw new Invalid("projectKey " + projectKey + " has project id " + namedProject + ", not projectId "
                        + projectId);
            }
        }
        return new ResyncBody(repoId, projectId, kinds, projectKey, slug);
    }

    private static long id(JsonNode root, String field) throws Invalid {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            throw new Invalid(field + ": is required");
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw new Invalid(field + ": must be an integer, not " + abbreviate(node));
        }
        long id = node.longValue();
        if (id < 1 || id > StableIds.MAX_ID) {
            throw new Invalid(field + ": must be 1 to " + StableIds.MAX_ID + " (got " + id + ")");
        }
        return id;
    }

    private static Set<Kind> kinds(JsonNode node) throws Invalid {
        if (node == null || node.isNull()) {
            throw new Invalid("kinds: is required");
        }
        if (!node.isArray() || node.isEmpty()) {
            throw new Invalid("kinds: must be a non-empty array of content, metadata, missing, extra");
        }
        Set<Kind> kinds = EnumSet.noneOf(Kind.class);
        for (int i = 0; i < node.size(); i++) {
            JsonNode kind = node.get(i);
            String text = kind.isTextual() ? kind.textValue() : null;
            Kind parsed = null;
            for (Kind candidate : Kind.values()) {
                if (candidate.name().toLowerCase(Locale.ROOT).equals(text)) {
                    parsed = candidate;
                }
            }
            if (parsed == null) {
                throw new Invalid(
                        "kinds[" + i + "]: " + abbreviate(kind) + " is not one of content, metadata, missing, extra");
            }
            kinds.add(parsed);
        }
        return kinds;
    }

    private static String optionalString(JsonNode root, String field) throws Invalid {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new Invalid(field + ": must be a string, not " + abbreviate(node));
        }
        return node.textValue();
    }

    private static String abbreviate(JsonNode node) {
        String text = node.toString();
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }
}
