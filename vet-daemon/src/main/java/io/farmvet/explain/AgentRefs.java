package io.farmvet.explain;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.farmvet.config.FarmvetConfig;
import io.farmvet.fetch.FetchException;
import io.farmvet.fetch.ListingFetcher;
import io.farmvet.git.remote.AdvertisedRefs;
import io.farmvet.git.remote.LsRemote;
import io.farmvet.names.RepositoryNames;
import java.io.IOException;
import java.time.Duration;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A farmvet agent's refs of a repository: {@code GET {url}/rest/farmvet/1/repos/{id}/refs}, through the same GET
 * set-up as its listing (credentials, TLS, timeouts, gzip, a size bound). The answer is untrusted: a ref name or
 * id that is not one, or more refs than an ls-remote would take, and the answer is refused by name. Thread-safe.
 */
final class AgentRefs implements RefsSource {
    static final String PATH = "rest/farmvet/1/repos/%d/refs";
    private static final JsonFactory JSON = JsonFactory.builder().build();
    /** Names as git allows them, printable and bounded; ids of SHA-1 or SHA-256 repositories. */
    private static final Pattern REF = Pattern.compile("refs/[\\x21-\\x7e]{1,1000}");

    private static final Pattern ID = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");

    private final ListingFetcher fetcher;
    private final FarmvetConfig.Server server;

    AgentRefs(ListingFetcher fetcher, FarmvetConfig.Server server) {
        this.fetcher = fetcher;
        this.server = server;
    }

    @Override
    public boolean needsName() {
        return false;
    }

    @Override
    public AdvertisedRefs refs(long repositoryId, RepositoryNames.Name name, Duration timeout) throws Unavailable {
        String path = String.format(java.util.Locale.ROOT, PATH, repositoryId);
        byte[] body;
        try {
            body = fetcher.jsonGet(server, path).body((int) LsRemote.DEFAULT_MAX_BYTES);
        } catch (FetchException e) {
            throw new Unavailable(e.getMessage(), e);
        }
        try {
            return parse(body);
        } catch (IOException | IllegalArgumentException e) {
            throw new Unavailable(
                    server.name() + ": GET " + path + " answered a malformed refs list: " + e.getMessage(), null);
        }
    }

    static AdvertisedRefs parse(byte[] body) throws IOException {
        TreeMap<String, String> refs = new TreeMap<>();
        String head = null;
        try (JsonParser json = JSON.createParser(body)) {
            expect(json.nextToken(), JsonToken.START_OBJECT, "an object");
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String field = json.currentName();
                JsonToken value = json.nextToken();
                if (field.equals("head")) {
                    if (value == JsonToken.VALUE_STRING
                            && REF.matcher(json.getText()).matches()) {
                        head = json.getText();
                    } else if (value != JsonToken.VALUE_NULL) {
                        throw new IllegalArgumentException("head is not a ref name");
                    }
                } else if (field.equals("refs")) {
                    expect(value, JsonToken.START_ARRAY, "refs as a list");
                    while (json.nextToken() == JsonToken.START_OBJECT) {
                        String ref = null;
                        String id = null;
                        while (json.nextToken() == JsonToken.FIELD_NAME) {
                            String key = json.currentName();
                            json.nextToken();
                            if (key.equals("ref")) {
                                ref = json.getValueAsString();
                            } else if (key.equals("id")) {
                                id = json.getValueAsString();
                            } else {
                                json.skipChildren();
                            }
                        }
                        if (ref == null
                                || !REF.matcher(ref).matches()
                                || id == null
                                || !ID.matcher(id).matches()) {
                            throw new IllegalArgumentException("an entry of refs is not {\"ref\": name, \"id\": hex}");
                        }
                        if (refs.put(ref, id) != null) {
                            throw new IllegalArgumentException(ref + " is listed twice");
                        }
                        if (refs.size() > LsRemote.DEFAULT_MAX_REFS) {
                            throw new IllegalArgumentException("more than " + LsRemote.DEFAULT_MAX_REFS + " refs");
                        }
                    }
                } else {
                    json.skipChildren();
                }
            }
        }
        return new AdvertisedRefs(refs, head, body.length);
    }

    private static void expect(JsonToken got, JsonToken wanted, String what) {
        if (got != wanted) {
            throw new IllegalArgumentException("expected " + what + ", got " + got);
        }
    }
}
