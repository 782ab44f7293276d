package io.farmvet.fetch;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code GET /status} of a node: a small JSON document whose {@code state} field is all we read. {@link #ask}
 * once; {@link #cancel} from another thread aborts it (a socket read does not yield to an interrupt).
 */
public final class NodeStatusProbe {
    private static final Logger log = LoggerFactory.getLogger(NodeStatusProbe.class);
    /** Bitbucket's answer is under 200 bytes; anything much longer is not a status document. */
    private static final int MAX_BYTES = 8 << 10;

    private static final JsonFactory JSON = JsonFactory.builder().build();

    private final CloseableHttpClient client;
    private final String url;
    private final HttpGet get;

    NodeStatusProbe(CloseableHttpClient client, String url) {
        this.client = client;
        this.url = url;
        this.get = new HttpGet(url);
        get.setHeader(HttpHeaders.ACCEPT, "application/json");
        get.setHeader(HttpHeaders.ACCEPT_ENCODING, ListingFetcher.ACCEPT_ENCODING);
    }

    /**
     * @return the state in upper case; {@link NodeState#UNREACHABLE} when nothing answered (or the probe was
     *     cancelled), {@link NodeState#UNKNOWN} when the answer holds no state, null when the server has no such
     *     endpoint (404)
     */
    public String ask() {
        try (ClassicHttpResponse response = client.executeOpen(null, get, null)) {
            if (response.getCode() == 404) {
                return null;
            }
            HttpEntity entity = response.getEntity();
            if (entity == null) {
                return NodeState.UNKNOWN;
            }
            ContentCoding coding;
            try {
                coding = ContentCoding.of(response);
            } catch (ContentCoding.Refused e) {
                log.debug("GET {}: {}", url, e.getMessage());
                return NodeState.UNKNOWN;
            }
            // MAX_BYTES bounds the decoded bytes, so a gzip bomb costs no more than a plain answer.
            try (InputStream in = coding.decode(entity.getContent())) {
                return stateIn(in.readNBytes(MAX_BYTES));
            }
        } catch (IOException e) {
            log.debug("GET {}: {}", url, e.toString());
            return NodeState.UNREACHABLE;
        }
    }

    public void cancel() {
        get.cancel();
    }

    /** The top-level {@code "state"} string of a JSON object, upper case; {@link NodeState#UNKNOWN} for anything else. */
    static String stateIn(byte[] document) {
        try (JsonParser parser = JSON.createParser(document)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return NodeState.UNKNOWN;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if (name.equals("state") && value == JsonToken.VALUE_STRING) {
                    String state = parser.getText().strip().toUpperCase(Locale.ROOT);
                    return state.matches("[A-Z_]{1,40}") ? state : NodeState.UNKNOWN;
                }
                parser.skipChildren();
            }
            return NodeState.UNKNOWN;
        } catch (IOException e) {
            return NodeState.UNKNOWN;
        }
    }
}
