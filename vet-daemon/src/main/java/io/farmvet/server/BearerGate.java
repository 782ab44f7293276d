package io.farmvet.server;

import io.farmvet.config.Secret;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one bearer-token check of every HTTP surface farmvet serves (the daemon's API and {@code /metrics}, the node
 * agent; later the webhook receiver and the web page). One policy:
 *
 * <ul>
 *   <li>the request carries exactly one {@code Authorization} header; two or more are refused, whatever they hold
 *       (a proxy that adds one must not make a second one count);
 *   <li>its scheme is {@code Bearer}, matched case-insensitively (RFC 7235 section 2.1), then one or more spaces,
 *       then the token; a token anywhere else (the query string, a cookie) is never looked at;
 *   <li>the token is compared in constant time over SHA-256 digests of both, so that neither where they differ
 *       nor the expected token's length shows in the answer's timing;
 *   <li>every refusal is the same 401 with {@code WWW-Authenticate: Bearer realm="farmvet"} (RFC 6750 section 3),
 *       with {@code error="invalid_token"} when a header was sent, and the same body, so that a client learns
 *       nothing from how its token was wrong. The refusal is logged without the header.
 * </ul>
 *
 * A gate without a token is open. Immutable; thread-safe; cheap to make, so a server can make one per request from
 * the config in force.
 */
public final class BearerGate {
    private static final Logger log = LoggerFactory.getLogger(BearerGate.class);

    static final String REALM_CHALLENGE = "Bearer realm=\"farmvet\"";
    static final String INVALID_TOKEN_CHALLENGE = REALM_CHALLENGE + ", error=\"invalid_token\"";
    private static final String SCHEME = "Bearer";

    private static final BearerGate OPEN = new BearerGate(null, "no token");

    /** Null for an open gate. */
    private final byte[] expectedDigest;

    private final String tokenSource;

    private BearerGate(byte[] expectedDigest, String tokenSource) {
        this.expectedDigest = expectedDigest;
        this.tokenSource = tokenSource;
    }

    /**
     * A gate for {@code token}, or an open one when it is null.
     *
     * @param tokenSource where the client finds the token, for the 401's message ({@code server.token-file},
     *     {@code the agent's --token-file})
     */
    public static BearerGate of(Secret token, String tokenSource) {
        return token == null ? OPEN : new BearerGate(sha256(token.reveal()), tokenSource);
    }

    /** The gate that lets every request through. */
    public static BearerGate open() {
        return OPEN;
    }

    public boolean isOpen() {
        return expectedDigest == null;
    }

    /** What the gate makes of a request's headers. */
    public enum Verdict {
        ADMITTED,
        /** No {@code Authorization} header at all. */
        NO_TOKEN,
        /** A wrong token, another scheme, a malformed header, or more than one header. */
        WRONG_TOKEN
    }

    public Verdict judge(HttpFields headers) {
        if (expectedDigest == null) {
            return Verdict.ADMITTED;
        }
        List<String> values = headers.getValuesList(HttpHeader.AUTHORIZATION);
        if (values.isEmpty()) {
            return Verdict.NO_TOKEN;
        }
        String token = values.size() == 1 ? bearerToken(values.get(0)) : null;
        // Digest even when there is no token, so that a malformed header takes as long as a wrong token.
        byte[] given = sha256(token == null ? "" : token);
        return MessageDigest.isEqual(given, expectedDigest) && token != null ? Verdict.ADMITTED : Verdict.WRONG_TOKEN;
    }

    /**
     * Whether the request may go on; when not, answers the 401 (completing {@code callback}) and logs the refusal.
     */
    public boolean admit(Request request, Response response, Callback callback) {
        Verdict verdict = judge(request.getHeaders());
        if (verdict == Verdict.ADMITTED) {
            return true;
        }
        // Never log the header: a wrong token is often a right token for something else.
        log.warn(
                "refused {} {} from {}: {}",
                request.getMethod(),
                request.getHttpURI().getPath(),
                Request.getRemoteAddr(request),
                verdict == Verdict.NO_TOKEN ? "no bearer token" : "wrong or malformed bearer token");
        byte[] body = ("{\"error\":\"send Authorization: Bearer <token> with the token of " + jsonText(tokenSource)
                        + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        response.setStatus(401);
        response.getHeaders()
                .put(
                        HttpHeader.WWW_AUTHENTICATE,
                        verdict == Verdict.NO_TOKEN ? REALM_CHALLENGE : INVALID_TOKEN_CHALLENGE);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
        return false;
    }

    /** The token of a {@code Bearer <token>} header value, or null when the value is not that. */
    static String bearerToken(String header) {
        if (header.length() <= SCHEME.length() || !header.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return null;
        }
        char separator = header.charAt(SCHEME.length());
        if (separator != ' ') {
            return null;
        }
        String token = header.substring(SCHEME.length()).strip();
        return token.isEmpty() ? null : token;
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** The source names are farmvet's own constants; escaping keeps the body JSON whatever they hold. */
    private static String jsonText(String text) {
        return text.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    @Override
    public String toString() {
        return isOpen() ? "BearerGate(open)" : "BearerGate(" + tokenSource + ")";
    }
}
