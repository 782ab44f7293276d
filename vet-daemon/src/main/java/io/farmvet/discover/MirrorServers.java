package io.farmvet.discover;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.farmvet.config.FarmvetConfig;
import io.farmvet.fetch.ListingFetcher;
import io.farmvet.fetch.PagedGet;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The primary's mirror servers, from its paged {@code GET rest/mirroring/latest/mirrorServers} ({@code {id, name,
 * baseUrl, enabled, lastSeenDate, mirrorType: SINGLE|FARM, productVersion}} each). The answer is untrusted: the
 * paging and the page sizes are bounded by {@link PagedGet}, each string by {@link #MAX_TEXT}, and a value that is
 * not a mirror server object ends the read naming the page. Names are kept as sent (they may hold anything);
 * {@link ServerText#shown} makes them safe to print. {@link #cancel} from any thread stops the read.
 */
public final class MirrorServers {
    public static final String PATH = "rest/mirroring/latest/mirrorServers";
    /** Asked per page; a primary has a handful of mirrors. */
    static final int PAGE_LIMIT = 100;
    /** A mirror server is about 300 bytes of JSON: a full page fits many times over. */
    static final int MAX_PAGE_BYTES = 1 << 20;
    /** Bitbucket primaries have tens of mirrors at most; past this the paging is taken to be endless. */
    static final int MAX_MIRROR_SERVERS = 1000;
    /** Longer than any id, name, URL or version Bitbucket writes; a longer one is cut. */
    static final int MAX_TEXT = 1000;

    /**
     * One mirror server as listed; any field may be null where the primary left it out.
     *
     * @param mirrorType {@code FARM} or {@code SINGLE} as Bitbucket names it
     */
    public record MirrorServer(
            String id,
            String name,
            String baseUrl,
            Boolean enabled,
            String mirrorType,
            String productVersion,
            String lastSeenDate) {}

    private final PagedGet pages;

    public MirrorServers(ListingFetcher fetcher, FarmvetConfig.Server primary) {
        this.pages = new PagedGet(fetcher, primary, PATH, PAGE_LIMIT, MAX_PAGE_BYTES, "mirror servers");
    }

    /** Every mirror server, in the primary's order. */
    public List<MirrorServer> read() throws PagedGet.PagingException {
        List<MirrorServer> servers = new ArrayList<>();
        pages.read(MAX_MIRROR_SERVERS, ", more than any primary has,", json -> servers.add(server(json)));
        return servers;
    }

    public void cancel() {
        pages.cancel();
    }

    private static MirrorServer server(JsonParser json) throws IOException {
        PagedGet.expect(json.currentToken(), JsonToken.START_OBJECT, "a mirror server");
        String id = null;
        String name = null;
        String baseUrl = null;
        Boolean enabled = null;
        String type = null;
        String version = null;
        String lastSeen = null;
        while (json.nextToken() == JsonToken.FIELD_NAME) {
            String field = json.currentName();
            JsonToken value = json.nextToken();
            switch (field) {
                case "id" -> id = scalar(json, value);
                case "name" -> name = scalar(json, value);
                case "baseUrl" -> baseUrl = scalar(json, value);
                case "enabled" -> enabled = value.isBoolean() ? json.getBooleanValue() : null;
                case "mirrorType" -> type = scalar(json, value);
                case "productVersion" -> version = scalar(json, value);
                case "lastSeenDate" -> lastSeen = scalar(json, value);
                default -> json.skipChildren();
            }
        }
        return new MirrorServer(id, name, baseUrl, enabled, type, version, lastSeen);
    }

    /** A string or a number as text (ids and dates come as either), bounded; null for anything else. */
    private static String scalar(JsonParser json, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_STRING || value.isNumeric()) {
            String text = json.getText();
            return text.length() > MAX_TEXT ? text.substring(0, MAX_TEXT) : text;
        }
        json.skipChildren();
        return null;
    }
}
