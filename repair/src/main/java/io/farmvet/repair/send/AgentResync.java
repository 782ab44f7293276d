package io.farmvet.repair.send;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.farmvet.compare.Kind;
import io.farmvet.git.StableIds;
import io.farmvet.repair.RepairTarget;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The resync contract between farmvet and its node agent, written once for both sides: {@link AgentAdapter} sends
 * {@link #toJson} to {@link #PATH}, the agent ({@code io.farmvet.agent.AgentHandler}) reads it with
 * {@link #parse}. The body is {@code {"repoId": N, "projectId": N, "kinds": ["content"|"metadata"|"missing"|
 * "extra", ...], "projectKey"?: "...", "slug"?: "..."}}; {@link AgentAdapter} documents what each part means.
 *
 * <p>{@link #parse} refuses trailing data and duplicate fields (either is a bug on the sender's side, not a request
 * to guess at), ids outside {@code 1..}{@link StableIds#MAX_ID}, {@code extra} combined with another kind, and
 * names whose stable ids are not the ids given. Unknown fields are ignored, as readers of farmvet's other documents
 * do. Immutable; thread-safe.
 *
 * @param projectKey null unless the request names the repository (needed for {@code missing})
 * @param slug null exactly when {@code projectKey} is
 */
public record AgentResync(long repoId, long projectId, Set<Kind> kinds, String projectKey, String slug) {
    /** The agent's resync endpoint, under the node's base URL. */
    public static final String PATH = "/rest/farmvet/1/resync";

    private static final String KIND_NAMES = "content, metadata, missing, extra";

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    public AgentResync {
        if (kinds.isEmpty()) {
            throw new IllegalArgumentException("a resync has at least one kind");
        }
        kinds = Collections.unmodifiableSet(EnumSet.copyOf(kinds));
        if ((projectKey == null) != (slug == null)) {
            throw new IllegalArgumentException("projectKey and slug come together");
        }
    }

    /** The resync that repairs {@code target}; its names go along when the primary's listing gave them. */
    public static AgentResync of(RepairTarget target) {
        Objects.requireNonNull(target, "target");
        boolean named = target.projectKey() != null && target.slug() != null;
        return new AgentResync(
                target.repositoryId(),
                target.projectId(),
                target.kinds(),
                named ? target.projectKey() : null,
                named ? target.slug() : null);
    }

    /** Whether the request names the repository, so that a node lacking it can clone it. */
    public boolean named() {
        return projectKey != null;
    }

    /** The body as sent; fields in the documented order. */
    public String toJson() {
        StringWriter out = new StringWriter();
        try (JsonGenerator json = JSON.getFactory().createGenerator(out)) {
            json.writeStartObject();
            json.writeNumberField("repoId", repoId);
            json.writeNumberField("projectId", projectId);
            json.writeArrayFieldStart("kinds");
            for (Kind kind : kinds) {
                json.writeString(kind.wireName());
            }
            json.writeEndArray();
            if (named()) {
                json.writeStringField("projectKey", projectKey);
                json.writeStringField("slug", slug);
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to a string cannot fail", e);
        }
        return out.toString();
    }

    /** A body that is not a valid resync request; the message names the field and the problem. */
    public static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    /** Reads a request body. */
    public static AgentResync parse(byte[] body) throws Invalid {
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
            checkNames(repoId, projectId, projectKey, slug);
        }
        return new AgentResync(repoId, projectId, kinds, projectKey, slug);
    }

    private static void checkNames(long repoId, long projectId, String projectKey, String slug) throws Invalid {
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
            throw new Invalid(
                    "projectKey " + projectKey + " has project id " + namedProject + ", not projectId " + projectId);
        }
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
            throw new Invalid("kinds: must be a non-empty array of " + KIND_NAMES);
        }
        Set<Kind> kinds = EnumSet.noneOf(Kind.class);
        for (int i = 0; i < node.size(); i++) {
            JsonNode kind = node.get(i);
            Kind parsed = kind.isTextual() ? kindNamed(kind.textValue()) : null;
            if (parsed == null) {
                throw new Invalid("kinds[" + i + "]: " + abbreviate(kind) + " is not one of " + KIND_NAMES);
            }
            kinds.add(parsed);
        }
        return kinds;
    }

    private static Kind kindNamed(String text) {
        for (Kind candidate : Kind.values()) {
            if (candidate.wireName().equals(text)) {
                return candidate;
            }
        }
        return null;
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
