package io.farmvet.names;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.farmvet.config.FarmvetConfig;
import io.farmvet.fetch.FetchException;
import io.farmvet.fetch.JsonGet;
import io.farmvet.fetch.ListingFetcher;
import io.farmvet.util.Units;
import java.io.IOException;
import java.util.function.LongPredicate;

/**
 * Reads the primary's paged {@code GET rest/mirroring/latest/repos} for the project key and slug of each
 * repository. Every page is untrusted: its size, its paging and its names are bounded and checked, and anything
 * off ends the lookup with a {@link NamesException} that says what and where. Keeps only the names of the ids
 * {@code wanted} (those of the primary's listing), so memory grows with the listing, not with what the server
 * sends. {@link #cancel} from any thread stops it. One lookup per instance.
 */
public final class PrimaryRepos {
    static final String PATH = "rest/mirroring/latest/repos";
    /** Asked per page; Bitbucket may serve fewer, never more (its {@code limit} is a maximum). */
    static final int PAGE_LIMIT = 1000;
    /**
     * A repository with its project and links is about 1-2 KB of JSON, so a full page is 1-2 MB: twice that is
     * room for long descriptions, and no page may hold the daemon's memory hostage beyond it.
     */
    static final int MAX_PAGE_BYTES = 4 * 1024 * 1024;
    /**
     * Repositories created on the primary between its listing and this lookup are listed too: this many beyond the
     * listing's count, and then the paging is taken to be endless ({@code isLastPage} false forever).
     */
    static final long EXTRA_REPOSITORIES_ALLOWED = 10_000;

    private static final JsonFactory JSON = JsonFactory.builder().build();

    private final ListingFetcher fetcher;
    private final FarmvetConfig.Server primary;
    private volatile JsonGet inFlight;
    private volatile boolean cancelled;

    public PrimaryRepos(ListingFetcher fetcher, FarmvetConfig.Server primary) {
        this.fetcher = fetcher;
        this.primary = primary;
    }

    /** Thrown when the names cannot be read whole; the message is the note for the report. */
    public static final class NamesException extends Exception {
        NamesException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Every page, in order.
     *
     * @param listed how many repositories the primary's listing has: bounds the pages read
     * @param wanted the ids whose names are kept
     */
    public RepositoryNames read(long listed, LongPredicate wanted) throws NamesException {
        long maxRepositories = listed + EXTRA_REPOSITORIES_ALLOWED;
        RepositoryNames.Builder names = RepositoryNames.builder();
        long seen = 0;
        long start = 0;
        int pages = 0;
        while (true) {
            if (cancelled) {
                throw new NamesException(PATH + ": cancelled after " + Units.count(pages, "page", "pages"), null);
            }
            Page page = page(start, names, wanted);
            pages++;
            seen += page.values;
            if (page.values > PAGE_LIMIT) {
                throw new NamesException(
                        at(start) + " holds " + page.values + " repositories, more than the " + PAGE_LIMIT
                                + " asked for",
                        null);
            }
            if (page.lastPage) {
                return names.build();
            }
            if (page.values == 0) {
                throw new NamesException(at(start) + " is empty but not the last page", null);
            }
            if (page.nextPageStart == null || page.nextPageStart <= start) {
                throw new NamesException(
                        at(start) + " is not the last page, and its nextPageStart (" + page.nextPageStart
                                + ") does not move forward",
                        null);
            }
            if (seen > maxRepositories) {
                throw new NamesException(
                        PATH + " listed more than " + maxRepositories + " repositories in " + pages
                                + " pages (the listing has " + listed + ") and is still not at its last page",
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

    private Page page(long start, RepositoryNames.Builder names, LongPredicate wanted) throws NamesException {
        JsonGet get = fetcher.jsonGet(primary, PATH + "?start=" + start + "&limit=" + PAGE_LIMIT);
        inFlight = get;
        byte[] body;
        try {
            if (cancelled) {
                get.cancel();
            }
            body = get.body(MAX_PAGE_BYTES);
        } catch (FetchException e) {
            throw new NamesException(e.getMessage(), e);
        } finally {
            inFlight = null;
        }
        try (JsonParser json = JSON.createParser(body)) {
            return parse(json, names, wanted);
        } catch (IOException | RuntimeException e) {
            throw new NamesException(at(start) + " is not the documented paged shape: " + e.getMessage(), e);
        }
    }

    private static Page parse(JsonParser json, RepositoryNames.Builder names, LongPredicate wanted) throws IOException {
        expect(json.nextToken(), JsonToken.START_OBJECT, "the page");
        Boolean lastPage = null;
        Long nextPageStart = null;
        int values = 0;
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
                        repository(json, names, wanted);
                        values++;
                    }
                }
                default -> json.skipChildren();
            }
        }
        if (lastPage == null) {
            throw new IOException("no isLastPage");
        }
        return new Page(lastPage, nextPageStart, values);
    }

    private static void repository(JsonParser json, RepositoryNames.Builder names, LongPredicate wanted)
            throws IOException {
        expect(json.currentToken(), JsonToken.START_OBJECT, "a repository");
        Long id = null;
        String slug = null;
        String key = null;
        while (json.nextToken() == JsonToken.FIELD_NAME) {
            String field = json.currentName();
            JsonToken value = json.nextToken();
            switch (field) {
                case "id" -> id = json.getLongValue();
                case "slug" -> slug = value == JsonToken.VALUE_STRING ? json.getText() : null;
                case "project" -> key = projectKey(json);
                default -> json.skipChildren();
            }
        }
        if (id == null) {
            throw new IOException(
                    "a repository without an id at " + json.currentLocation().getByteOffset());
        }
        if (wanted.test(id)) {
            names.add(id, key, slug);
        }
    }

    private static String projectKey(JsonParser json) throws IOException {
        expect(json.currentToken(), JsonToken.START_OBJECT, "project");
        String key = null;
        while (json.nextToken() == JsonToken.FIELD_NAME) {
            JsonToken value = json.nextToken();
            if (json.currentName().equals("key") && value == JsonToken.VALUE_STRING) {
                key = json.getText();
            } else {
                json.skipChildren();
            }
        }
        return key;
    }

    private static void expect(JsonToken actual, JsonToken expected, String what) throws IOException {
        if (actual != expected) {
            throw new IOException(what + " is " + actual + ", not " + expected);
        }
    }

    private static String at(long start) {
        return PATH + " page at start=" + start;
    }
}
