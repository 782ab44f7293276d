package io.farmvet.names;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.farmvet.config.FarmvetConfig;
import io.farmvet.fetch.ListingFetcher;
import io.farmvet.fetch.PagedGet;
import java.io.IOException;
import java.util.function.LongPredicate;

/**
 * Reads the primary's paged {@code GET rest/mirroring/latest/repos} for the project key and slug of each
 * repository. Every page is untrusted: its size and its paging are bounded and checked by {@link PagedGet}, its
 * names here, and anything off ends the lookup with a {@link NamesException} that says what and where. Keeps only the names of the ids
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

    private final PagedGet pages;

    public PrimaryRepos(ListingFetcher fetcher, FarmvetConfig.Server primary) {
        this.pages = new PagedGet(fetcher, primary, PATH, PAGE_LIMIT, MAX_PAGE_BYTES, "repositories");
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
        RepositoryNames.Builder names = RepositoryNames.builder();
        try {
            pages.read(
                    listed + EXTRA_REPOSITORIES_ALLOWED,
                    " (the listing has " + listed + ")",
                    json -> repository(json, names, wanted));
        } catch (PagedGet.PagingException e) {
            throw new NamesException(e.getMessage(), e);
        }
        return names.build();
    }

    public void cancel() {
        pages.cancel();
    }

    private static void repository(JsonParser json, RepositoryNames.Builder names, LongPredicate wanted)
            throws IOException {
        PagedGet.expect(json.currentToken(), JsonToken.START_OBJECT, "a repository");
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
        PagedGet.expect(json.currentToken(), JsonToken.START_OBJECT, "project");
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
}
