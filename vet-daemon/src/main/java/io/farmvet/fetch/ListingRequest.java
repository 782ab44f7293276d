package io.farmvet.fetch;

import io.farmvet.listing.EntryRejectedException;
import io.farmvet.listing.ListingEntry;
import io.farmvet.listing.ListingHandler;
import io.farmvet.listing.ListingKind;
import io.farmvet.listing.ListingReader;
import io.farmvet.listing.ListingSummary;
import io.farmvet.util.Units;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.LongConsumer;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpHeaders;

/**
 * One server's listing request: {@link #send} it (the answer's status and headers are checked), then
 * {@link #read} its body once. {@link #cancel} from any thread aborts it at whatever step it is; always
 * {@link #close}.
 */
public final class ListingRequest implements ListingSource {
    /** How much of an error answer's body goes into the message: enough for Bitbucket's JSON error. */
    private static final int ERROR_BODY_EXCERPT = 300;
    /** Longer than any bearer token or Basic credentials in practice: see {@link #bodyExcerpt}. */
    private static final int SECRET_MARGIN = 1024;

    private final CloseableHttpClient client;
    private final HttpGet request;
    private final ListingReader reader;
    private final ListingKind kind;
    private final FetchFailure failure;
    private final ServerProgress progress;
    private ClassicHttpResponse response;
    private ContentCoding coding;
    private volatile Long clockSkewMs;

    ListingRequest(
            CloseableHttpClient client,
            HttpGet request,
            ListingReader reader,
            ListingKind kind,
            FetchFailure failure,
            ServerProgress progress) {
        this.client = client;
        this.request = request;
        this.reader = reader;
        this.kind = kind;
        this.failure = failure;
        this.progress = progress;
    }

    /**
     * Sends the request and checks the answer's head: status 200, a body that may be JSON, no coding or gzip, a
     * size within {@code listing.max-size}.
     *
     * @throws FetchException the server could not be reached or did not answer with a listing
     */
    @Override
    public void send() throws FetchException {
        progress.state(ServerProgress.State.CONNECTING);
        try {
            response = client.executeOpen(null, request, null);
            // Read the local clock first: executeOpen returns as the headers arrive, before any of the body.
            long arrived = System.currentTimeMillis();
            clockSkewMs = ClockSkew.measure(header(HttpHeaders.DATE, null), arrived);
        } catch (IOException | RuntimeException e) {
            // A cancel racing the connection lease makes HttpClient throw IllegalStateException ("Endpoint not
            // acquired / already released"); it must still name the server and the cancel (issue 6).
            progress.state(ServerProgress.State.FAILED);
            throw failure.explain(e);
        }
        try {
            int status = response.getCode();
            if (status != 200) {
                throw failure.status(describeStatus(status));
            }
            HttpEntity entity = response.getEntity();
            if (entity == null) {
                throw failure.status("answered 200 with no body");
            }
            String type = entity.getContentType();
            if (type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("text/html")) {
                throw failure.status("answered 200 with " + type + " instead of JSON: a login page or a proxy's "
                        + "error page? check " + failure.configPath() + ".url and " + failure.configPath()
                        + ".auth");
            }
            try {
                coding = ContentCoding.of(response);
            } catch (ContentCoding.Refused e) {
                throw failure.status(e.getMessage());
            }
            boolean gzip = coding == ContentCoding.GZIP;
            failure.gzip(gzip);
            long length = entity.getContentLength();
            long max = reader.limits().maxDocumentBytes();
            // A gzip body's length says little about the listing's size: the reader bounds the decoded bytes.
            if (!gzip && length > max) {
                throw failure.status("announces " + Units.bytes(length) + ", more than listing.max-size ("
                        + Units.bytes(max) + "); raise listing.max-size if the farm really is that large");
            }
        } catch (FetchException e) {
            progress.state(ServerProgress.State.FAILED);
            close();
            throw e;
        }
    }

    /**
     * Streams the body into {@code handler}.
     *
     * @throws FetchException the body could not be read whole, or is not a well-formed listing
     */
    @Override
    public ListingSummary read(ListingHandler handler) throws FetchException {
        progress.state(ServerProgress.State.READING);
        Counted counted = new Counted(handler, progress);
        try (InputStream body = body()) {
            ListingSummary summary = reader.read(body, progress.server(), kind, counted);
            progress.state(ServerProgress.State.DONE);
            return summary;
        } catch (Exception e) {
            counted.publish();
            progress.state(ServerProgress.State.FAILED);
            request.cancel();
            throw failure.explain(e);
        } finally {
            close();
        }
    }

    /**
     * The decoded body, counted as the parser pulls it; under gzip the bytes on the wire are counted too. The
     * reader's {@code listing.max-size} then bounds the decoded bytes, so a gzip bomb is refused as too large.
     */
    private InputStream body() throws IOException {
        InputStream wire = response.getEntity().getContent();
        if (coding == ContentCoding.IDENTITY) {
            return new Counting(wire, progress::addBytes);
        }
        return new Counting(coding.decode(new Counting(wire, progress::addWireBytes)), progress::addBytes);
    }

    /**
     * An error answer's body to quote, decoded when it is gzip (it is read to a bound, so a bomb costs nothing);
     * empty in any other coding, which could not be quoted as text.
     */
    private InputStream errorBody(HttpEntity entity) throws IOException {
        try {
            return ContentCoding.of(response).decode(entity.getContent());
        } catch (ContentCoding.Refused e) {
            return InputStream.nullInputStream();
        }
    }

    /** Aborts the request from any thread; the pending or next {@link #read} fails with {@code reason}. */
    @Override
    public void cancel(String reason) {
        failure.cancelled(reason);
        request.cancel();
    }

    /**
     * The server's clock minus farmvet's, from the answer's {@code Date} header ({@link ClockSkew}), whatever its
     * status; null before {@link #send} has an answer, or when the header is missing or malformed.
     */
    @Override
    public Long clockSkewMs() {
        return clockSkewMs;
    }

    /** Bytes of the body read so far. */
    @Override
    public long bytesRead() {
        return progress.bytes();
    }

    @Override
    public void close() {
        if (response == null) {
            return;
        }
        try {
            response.close();
        } catch (IOException ignored) {
            // Closing discards the connection; there is nothing left to tell anyone.
        }
    }

    private String describeStatus(int status) {
        String reason = response.getReasonPhrase() == null ? "" : " " + response.getReasonPhrase();
        String answered = "answered " + status + reason;
        String hint =
                switch (status) {
                    case 301, 302, 303, 307, 308 ->
                        "; farmvet does not follow redirects (the credentials would "
                                + "go along): set " + failure.configPath() + ".url to the address it redirects to, "
                                + header(HttpHeaders.LOCATION);
                    case 401 -> "; the credentials in " + failure.configPath() + ".auth were refused";
                    case 403 ->
                        "; the account of " + failure.configPath()
                                + ".auth may not read repo-hashes (Bitbucket requires a system admin)";
                    case 404 ->
                        "; no repo-hashes endpoint there: is " + failure.configPath()
                                + ".url the server's base URL, and is it Bitbucket 7.11+ or a farmvet agent?";
                    case 429, 503 -> retryAfter();
                    default -> "";
                };
        String body = status >= 300 && status < 400 ? "" : bodyExcerpt();
        return answered + hint + body;
    }

    private String retryAfter() {
        Header header = response.getFirstHeader(HttpHeaders.RETRY_AFTER);
        return header == null
                ? "; the server is busy"
                : "; the server is busy, asks to retry after " + header.getValue();
    }

    private String header(String name) {
        return header(name, "(no " + name + " header)");
    }

    private String header(String name, String absent) {
        Header header = response.getFirstHeader(name);
        return header == null ? absent : header.getValue();
    }

    private String bodyExcerpt() {
        HttpEntity entity = response.getEntity();
        if (entity == null) {
            return "";
        }
        try (InputStream in = errorBody(entity)) {
            // Read past the excerpt by SECRET_MARGIN, so that a secret straddling its end is masked whole.
            byte[] bytes = in.readNBytes(ERROR_BODY_EXCERPT + SECRET_MARGIN);
            String text = failure.mask(new String(bytes, StandardCharsets.UTF_8))
                    .replaceAll("\\s+", " ")
                    .strip();
            boolean more = bytes.length > ERROR_BODY_EXCERPT || text.length() > ERROR_BODY_EXCERPT;
            text = text.substring(0, Math.min(text.length(), ERROR_BODY_EXCERPT));
            return text.isEmpty() ? "" : ": " + text + (more ? "…" : "");
        } catch (IOException e) {
            return "";
        }
    }

    /** Counts the bytes as they are pulled through it, for progress and for the error messages. */
    private static final class Counting extends FilterInputStream {
        private final LongConsumer count;

        Counting(InputStream in, LongConsumer count) {
            super(in);
            this.count = count;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count.accept(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int off, int len) throws IOException {
            int n = super.read(buffer, off, len);
            if (n > 0) {
                count.accept(n);
            }
            return n;
        }
    }

    /**
     * Counts the repositories for the progress, publishing every {@value #PUBLISH_EVERY}: each server's counter
     * shares cache lines with the others', so a write per repository from every node's thread made them fight
     * over those lines (issue 7).
     */
    private static final class Counted implements ListingHandler {
        private static final int PUBLISH_EVERY = 1024;

        private final ListingHandler handler;
        private final ServerProgress progress;
        private int unpublished;

        Counted(ListingHandler handler, ServerProgress progress) {
            this.handler = handler;
            this.progress = progress;
        }

        @Override
        public void repository(ListingEntry entry) throws EntryRejectedException {
            if (++unpublished == PUBLISH_EVERY) {
                publish();
            }
            handler.repository(entry);
        }

        @Override
        public void project(long projectId, boolean isPublic, String key) throws EntryRejectedException {
            handler.project(projectId, isPublic, key);
        }

        @Override
        public void end() throws EntryRejectedException {
            publish();
            handler.end();
        }

        /** Brings the progress up to date, as an error message about this read must be. */
        void publish() {
            progress.addRepositories(unpublished);
            unpublished = 0;
        }
    }
}
