package io.farmvet.daemon.hooks;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Set;

/**
 * What farmvet takes from a {@code mirror:repo_synchronized} body: {@code {eventKey, mirrorServer: {id, name},
 * repository: {id}, syncType}}; everything else in it ({@code changes}, {@code date}, names) is not needed and not
 * read. The body is untrusted even with a valid signature (a misconfigured hook, another product's event), so
 * every part is checked and a wrong shape is a {@link BadShape} naming the field.
 *
 * @param eventKey the body's {@code eventKey}, or null when it has none; for another event than
 *     {@code mirror:repo_synchronized} the other fields are unset (null, -1), as its body is not checked
 */
record SyncedPayload(String eventKey, String mirrorId, String mirror, long repositoryId, String syncType) {
    static final String EXAMPLE = "{\"eventKey\": \"mirror:repo_synchronized\", \"mirrorServer\": {\"id\": \"...\","
            + " \"name\": \"mirror-farm\"}, \"repository\": {\"id\": 42, ...}, \"syncType\": \"incremental\", ...}";
    /** The ledger's node column is 200 characters wide; Bitbucket's mirror names are far shorter. */
    static final int MAX_MIRROR_NAME = 200;

    private static final Set<String> SYNC_TYPES = Set.of("snapshot", "incremental");
    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(32)
                    .maxStringLength(BitbucketWebhook.MAX_BODY_BYTES)
                    .build())
            .build());

    /** The payload of {@code body}; throws naming what is wrong. */
    static SyncedPayload parse(byte[] body) throws BadShape {
        JsonNode root;
        try {
            root = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw new BadShape("the body is not valid JSON (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw new BadShape("the body cannot be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new BadShape("the body must be a JSON object");
        }
        JsonNode key = root.get("eventKey");
        if (key != null && !key.isTextual()) {
            throw new BadShape("eventKey must be a string");
        }
        if (key != null && !key.textValue().equals(BitbucketWebhook.EVENT)) {
            return new SyncedPayload(
                    key.textValue(), null, null, -1, null); // another event: its shape is not ours to check
        }
        JsonNode mirrorName = root.path("mirrorServer").path("name");
        if (!mirrorName.isTextual() || mirrorName.textValue().isBlank()) {
            throw new BadShape("mirrorServer.name must be a non-empty string");
        }
        String mirror = mirrorName.textValue();
        if (mirror.length() > MAX_MIRROR_NAME || mirror.chars().anyMatch(Character::isISOControl)) {
            throw new BadShape(
                    "mirrorServer.name must be at most " + MAX_MIRROR_NAME + " characters without control characters");
        }
        JsonNode mirrorId = root.path("mirrorServer").path("id");
        if (!mirrorId.isMissingNode()
                && !(mirrorId.isTextual()
                        && mirrorId.textValue().length() <= MAX_MIRROR_NAME
                        && mirrorId.textValue().chars().noneMatch(Character::isISOControl))) {
            throw new BadShape("mirrorServer.id must be a string of at most " + MAX_MIRROR_NAME
                    + " characters without control characters");
        }
        JsonNode id = root.path("repository").path("id");
        if (!id.isIntegralNumber() || !id.canConvertToLong() || id.longValue() < 0) {
            throw new BadShape("repository.id must be a whole number from 0 up");
        }
        JsonNode syncType = root.get("syncType");
        if (syncType == null || !syncType.isTextual() || !SYNC_TYPES.contains(syncType.textValue())) {
            throw new BadShape("syncType must be \"snapshot\" or \"incremental\"");
        }
        return new SyncedPayload(
                key == null ? null : key.textValue(),
                mirrorId.isMissingNode() ? null : mirrorId.textValue(),
                mirror,
                id.longValue(),
                syncType.textValue());
    }

    /** A body whose shape is not a {@code mirror:repo_synchronized} event; the message is the 400's. */
    static final class BadShape extends Exception {
        private static final long serialVersionUID = 1L;

        BadShape(String message) {
            super(message + "; a mirror:repo_synchronized body looks like " + EXAMPLE, null, false, false);
        }
    }
}
