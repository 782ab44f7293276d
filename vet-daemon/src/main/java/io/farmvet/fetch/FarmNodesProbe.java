package io.farmvet.fetch;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.farmvet.util.Units;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpEntity;

/**
 * One {@code GET rest/mirroring/latest/farmNodes} of a Bitbucket mirror node: who is in its farm, as
 * {@code [{id, name, address: {address, port}, buildVersion, local}]}. Best effort: every failure is a
 * {@link Answer#note}, never an exception, and the body is read to a bound. {@link #ask} once; {@link #cancel}
 * from another thread aborts it (the vet does when the answer is late).
 */
public final class FarmNodesProbe {
    public static final String PATH = "rest/mirroring/latest/farmNodes";
    /** A farm member is about 200 bytes; a farm of {@value #MAX_MEMBERS} fits well within this. */
    static final int MAX_BYTES = 1 << 20;
    /** Bitbucket farms have a handful of nodes; a list longer than this is not a farm's. */
    static final int MAX_MEMBERS = 1000;
    /** What a member name may be: printable, no markup, as Bitbucket's mirror names are. */
    private static final Pattern PLAIN_NAME = Pattern.compile("[^\\p{Cntrl}<>&\"'`\\\\]{1,255}");

    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(16)
                    .maxStringLength(4096)
                    .build())
            .build();

    /** One member of a farm; {@code address} is the cluster address {@code host:port}, not an HTTP URL. */
    public record Member(String name, String address, boolean local) {}

    /**
     * @param members null when there is no list: the server has no such endpoint (an agent, or a version before
     *     farms; {@code note} is then null) or the call failed ({@code note} says why)
     * @param note what went wrong, naming the server and what to do; null when nothing did
     */
    public record Answer(List<Member> members, String note) {
        public Answer {
            members = members == null ? null : List.copyOf(members);
        }

        static Answer none() {
            return new Answer(null, null);
        }
    }

    /** What a vet does without the list: the end of each note. */
    static final String VET_GOES_ON = "its farm's members are not checked this vet";

    private final CloseableHttpClient client;
    private final String server;
    private final String credentials;
    private final String url;
    private final HttpGet get;
    private final String consequence;

    FarmNodesProbe(CloseableHttpClient client, String server, String configPath, String url, String authorization) {
        this(client, server, "the account of " + configPath + ".auth", url, authorization, VET_GOES_ON);
    }

    /**
     * @param credentials whose account the hint on a 401 or 403 names ("the account of nodes[2].auth")
     * @param consequence what happens without the list, ending each note
     */
    FarmNodesProbe(
            CloseableHttpClient client,
            String server,
            String credentials,
            String url,
            String authorization,
            String consequence) {
        this.client = client;
        this.server = server;
        this.credentials = credentials;
        this.url = url;
        this.get = ListingFetcher.get(url, authorization);
        this.consequence = consequence;
    }

    public Answer ask() {
        try (ClassicHttpResponse response = client.executeOpen(null, get, null)) {
            int status = response.getCode();
            if (status == 404) {
                return Answer.none();
            }
            if (status != 200) {
                String hint = status == 401 || status == 403
                        ? " (" + credentials + " needs ADMIN on the mirror to list its farm)"
                        : "";
                return note("answered " + status + hint);
            }
            HttpEntity entity = response.getEntity();
            if (entity == null) {
                return note("answered 200 with no body");
            }
            ContentCoding coding;
            try {
                coding = ContentCoding.of(response);
            } catch (ContentCoding.Refused e) {
                return note(e.getMessage());
            }
            // MAX_BYTES bounds the decoded bytes, so an endless or gzip-bombed answer costs no more than that.
            try (InputStream in = coding.decode(entity.getContent())) {
                byte[] body = in.readNBytes(MAX_BYTES + 1);
                if (body.length > MAX_BYTES) {
                    get.cancel();
                    return note("answered more than " + Units.bytes(MAX_BYTES) + ", more than any farm's member list");
                }
                return parse(body);
            }
        } catch (IOException | RuntimeException e) {
            return note("failed: " + plain(e.getMessage() == null ? e.toString() : e.getMessage()));
        }
    }

    public void cancel() {
        get.cancel();
    }

    /** The member list of a farmNodes answer, or a note on what is wrong with it. */
    Answer parse(byte[] body) {
        List<Member> members = new ArrayList<>();
        int ignored = 0;
        try (JsonParser parser = JSON.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_ARRAY) {
                return note("answered something other than a JSON array of farm members");
            }
            JsonToken token;
            while ((token = parser.nextToken()) == JsonToken.START_OBJECT) {
                if (members.size() == MAX_MEMBERS) {
                    return note("lists more than " + MAX_MEMBERS + " farm members, more than any farm has");
                }
                Member member = member(parser);
                if (member == null) {
                    ignored++;
                } else {
                    members.add(member);
                }
            }
            if (token != JsonToken.END_ARRAY) {
                return note("answered a list with an entry that is not a farm member object");
            }
            if (parser.nextToken() != null) {
                return note("answered trailing data after the list of farm members");
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return note("answered malformed JSON: " + plain(e.getOriginalMessage()));
        } catch (IOException e) {
            return note("answered unreadable JSON: " + plain(e.getMessage()));
        }
        String note = ignored == 0
                ? null
                : server + ": " + url + " listed " + Units.count(ignored, "member", "members")
                        + " without a plain name (missing, or with control characters or markup); ignored";
        return new Answer(members, note);
    }

    /** One member object, the parser on its START_OBJECT; null when its name is missing or not plain. */
    private static Member member(JsonParser parser) throws IOException {
        String name = null;
        String host = null;
        String port = null;
        boolean local = false;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            switch (field) {
                case "name" -> name = value == JsonToken.VALUE_STRING ? parser.getText() : null;
                case "local" -> local = value == JsonToken.VALUE_TRUE;
                case "address" -> {
                    if (value == JsonToken.START_OBJECT) {
                        while (parser.nextToken() == JsonToken.FIELD_NAME) {
                            String part = parser.currentName();
                            JsonToken v = parser.nextToken();
                            if (part.equals("address") && v == JsonToken.VALUE_STRING) {
                                host = parser.getText();
                            } else if (part.equals("port") && v == JsonToken.VALUE_NUMBER_INT) {
                                port = parser.getText();
                            } else {
                                parser.skipChildren();
                            }
                        }
                    } else {
                        parser.skipChildren();
                    }
                }
                default -> parser.skipChildren();
            }
        }
        if (name == null || !PLAIN_NAME.matcher(name).matches() || name.isBlank()) {
            return null;
        }
        String address =
                host != null && PLAIN_NAME.matcher(host).matches() ? host + (port == null ? "" : ":" + port) : null;
        return new Member(name.strip(), address, local);
    }

    private Answer note(String what) {
        return new Answer(null, server + ": " + url + " " + what + "; " + consequence);
    }

    /** Text from the server, made safe to quote: no control characters, bounded. */
    private static String plain(String text) {
        String clean = text == null ? "" : text.replaceAll("\\p{Cntrl}", "?");
        return clean.length() > 200 ? clean.substring(0, 200) + "…" : clean;
    }
}
