package io.farmvet.fetch;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.farmvet.config.FarmvetConfig;
import io.farmvet.util.Units;
import java.io.IOException;

/**
 * Reads one of Bitbucket's paged REST collections ({@code ?start=&limit=} answered with {@code {size, limit,
 * isLastPage, start, nextPageStart, values: [...]}}) page by page, through {@link JsonGet} (the server's own
 * credentials, TLS, timeouts and codings). Every page is untrusted: its size in bytes and in values, and its paging,
 * are bounded and checked, so paging that never ends or goes backwards ends the read with a {@link PagingException}
 * naming the page; what each value means is the caller's {@link Values}. {@link #cancel} from any thread stops it.
 * One read per instance.
 */
public final class PagedGet {
    private static final JsonFactory JSON = JsonFactory.builder().build();

    private final ListingFetcher fetcher;
    private final FarmvetConfig.Server server;
    private final String path;
    private final int pageLimit;
    private final int maxPageBytes;
    private final String plural;
    private volatile JsonGet inFlight;
    private volatile boolean cancelled;

    /**
     * @param path the collection's path on {@code server}, no leading slash and no query
     * @param pageLimit the {@code limit} asked for; a page of more values is refused (Bitbucket may serve fewer)
     * @param maxPageBytes the most one page may take, decoded
     * @param plural what the values are, for messages ("repositories", "mirror servers")
     */
    public PagedGet(
            ListingFetcher fetcher,
            FarmvetConfig.Server server,
            String path,
            int pageLimit,
            int maxPageBytes,
            String plural) {
        this.fetcher = fetcher;
        this.server = server;
        this.path = path;
        this.pageLimit = pageLimit;
        this.maxPageBytes = maxPageBytes;
        this.plural = plural;
    }

    /** Reads one value of a page; the parser is on the value's first token and must be left on its last. */
    @FunctionalInterface
    public interface Values {
        void value(JsonParser json) throws IOException;
    }

    /** The collection could not be read whole; the message says what and where, for a note or an error. */
    public static final class PagingException extends Exception {
        private static final long serialVersionUID = 1L;

        public PagingException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Every page, in order, each value handed to {@code values}.
     *
     * @param maxValues how many values the whole collection may hold: past that with no last page in sight, the
     *     paging is taken to be endless ({@code isLastPage} false forever)
     * @param bound why {@code maxValues} is the bound, appended to that message (" (the listing has 40)"), or ""
     * @return how many values were read
     */
    public long read(long maxValues, String bound, Values values) throws PagingException {
        long seen = 0;
        long start = 0;
        int pages = 0;
        while (true) {
            if (cancelled) {
                throw new PagingException(path + ": cancelled after " + Units.count(pages, "page", "pages"), null);
            }
            Page page = page(start, values);
            pages++;
            seen += page.values;
            if (page.values > pageLimit) {
                throw new PagingException(
                        at(start) + " holds " + page.values + " " + plural + ", more than the " + pageLimit
                                + " asked for",
                        null);
            }
            if (page.lastPage) {
                return seen;
            }
            if (page.values == 0) {
                throw new PagingException(at(start) + " is empty but not the last page", null);
            }
            if (page.nextPageStart == null || page.nextPageStart <= start) {
                throw new PagingException(
                        at(start) + " is not the last page, and its nextPageStart (" + page.nextPageStart
                                + ") does not move forward",
                        null);
            }
            if (seen > maxValues) {
                throw new PagingException(
                        path + " listed more than " + maxValues + " " + plural + " in " + pages + " pages" + bound
                                + " and is still not at its last page",
                        null);
            }
            start = page.nextPageStart;
        }
    }

    public void cancel() {
        cancelled = true;
        JsonGet get = inFlight;
        if (get != null) {
            get.cancel();
        }
    }

    private record Page(boolean lastPage, Long nextPageStart, int values) {}

    private Page page(long start, Values values) throws PagingException {
        JsonGet get = fetcher.jsonGet(server, path + "?start=" + start + "&limit=" + pageLimit);
        inFlight = get;
        byte[] body;
        try {
            if (cancelled) {
                get.cancel();
            }
            body = get.body(maxPageBytes);
        } catch (FetchException e) {
            throw new PagingException(e.getMessage(), e);
        } finally {
            inFlight = null;
        }
        try (JsonParser json = JSON.createParser(body)) {
            return parse(json, values);
        } catch (IOException | RuntimeException e) {
            throw new PagingException(at(start) + " is not the documented paged shape: " + e.getMessage(), e);
        }
    }

    private static Page parse(JsonParser json, Values values) throws IOException {
        expect(json.nextToken(), JsonToken.START_OBJECT, "the page");
        Boolean lastPage = null;
        Long nextPageStart = null;
        int count = 0;
        while (json.nextToken() == JsonToken.FIELD_NAME) {
            String field = json.currentName();
            JsonToken value = json.nextToken();
            switch (field) {
                case "isLastPage" -> {
                    if (!value.isBoolean()) {
                        throw new IOException("isLastPage is " + value + ", not a boolean");
                    }
                    lastPage = json.getBooleanValue();
                }
                case "nextPageStart" -> nextPageStart = value == JsonToken.VALUE_NULL ? null : json.getLongValue();
                case "values" -> {
                    expect(value, JsonToken.START_ARRAY, "values");
                    while (json.nextToken() != JsonToken.END_ARRAY) {
                        values.value(json);
                        count++;
                    }
                }
                default -> json.skipChildren();
            }
        }
        if (lastPage == null) {
            throw new IOException("no isLastPage");
        }
        return new Page(lastPage, nextPageStart, count);
    }

    /** Fails unless {@code actual} is {@code expected}; for {@link Values} too. */
    public static void expect(JsonToken actual, JsonToken expected, String what) throws IOException {
        if (actual != expected) {
            throw new IOException(what + " is " + actual + ", not " + expected);
        }
    }

    private String at(long start) {
        return path + " page at start=" + start;
    }
}
