package io.farmvet.grokmirror;

import com.fasterxml.jackson.core.ErrorReportConfiguration;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.farmvet.listing.CountingInputStream;
import io.farmvet.listing.EntryRejectedException;
import java.io.BufferedInputStream;
import java.io.CharConversionException;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Streams a grokmirror manifest ({@code manifest.js}, or {@code manifest.js.gz}) into a {@link ManifestHandler}, one
 * repository at a time, never holding the document.
 *
 * <p>The shape is what grokmirror's {@code grok-manifest} writes (grokmirror/__init__.py {@code get_repo_defs} and
 * grokmirror/manifest.py {@code update_manifest}): one JSON object keyed by repository path, each value an object
 * with {@code fingerprint}, {@code modified}, {@code head}, {@code reference} (always written, often null) and,
 * where set, {@code owner}, {@code description}, {@code forkgroup} and {@code symlinks}. The {@code fingerprint} is
 * the SHA-1 of the repository's {@code git show-ref} output (every ref, not only heads and tags, less any
 * {@code --ignore-refs}), so two repositories with the same refs have the same fingerprint. grok-manifest leaves
 * out a repository with no refs at all, so an absent or null fingerprint comes from an older or another writer:
 * it says nothing about the refs, and is delivered as null.
 *
 * <p>Gzip is told by its magic bytes, not by the name: a {@code .gz} URL served decompressed by a proxy still reads.
 * Fields may come in any order; unknown fields are skipped. Refused, as a {@link ManifestFormatException} naming
 * the source, the byte offset and the nearest key: text that is not JSON, a gzip stream that is corrupt or ends
 * early, a root that is not an object, a key that is not a repository path ({@link ManifestPaths}), a value that is
 * not an object, a known field of the wrong type, a fingerprint that is not 40 hex digits, trailing data, and
 * anything over the limits. A handler may have received part of a manifest before a read fails: callers must not
 * act on a manifest whose read did not return.
 *
 * <p>Thread-safe: the Jackson factory is shared; each call has its own parser.
 */
public final class ManifestReader {
    /**
     * Largest manifest accepted, decompressed. kernel.org's, some 4,000 repositories, is under 2 MB; at about 250
     * bytes a repository, 2 GiB is some eight million. Bounds a gzip bomb to that much reading, never memory.
     */
    public static final long DEFAULT_MAX_DOCUMENT_BYTES = 2L << 30;

    /** Longest key: Linux's PATH_MAX is 4096 bytes. */
    public static final int MAX_KEY_LENGTH = 4096;

    /** Longest string value: descriptions are free text; 64 KiB is far above any real one. */
    static final int MAX_STRING_LENGTH = 64 << 10;

    /** Root object, repository object, the {@code symlinks} array: 3; unknown fields may nest a little deeper. */
    static final int MAX_NESTING_DEPTH = 16;

    /** {@code modified} is seconds since the epoch; 24 characters refuses the megabyte numbers that slow parsers. */
    static final int MAX_NUMBER_LENGTH = 24;

    /** grokmirror's fingerprint is {@code hashlib.sha1(...).hexdigest()}. */
    static final int FINGERPRINT_LENGTH = 40;

    private static final int BUFFER_BYTES = 64 << 10;
    private static final int GZIP_MAGIC_1 = 0x1f;
    private static final int GZIP_MAGIC_2 = 0x8b;

    private final JsonFactory factory;

    public ManifestReader() {
        this(DEFAULT_MAX_DOCUMENT_BYTES);
    }

    public ManifestReader(long maxDocumentBytes) {
        if (maxDocumentBytes < 1) {
            throw new IllegalArgumentException("a manifest limit must be positive, got " + maxDocumentBytes);
        }
        StreamReadConstraints constraints = StreamReadConstraints.builder()
                .maxDocumentLength(maxDocumentBytes)
                .maxStringLength(MAX_STRING_LENGTH)
                .maxNestingDepth(MAX_NESTING_DEPTH)
                .maxNumberLength(MAX_NUMBER_LENGTH)
                .maxNameLength(MAX_KEY_LENGTH)
                .build();
        this.factory = JsonFactory.builder()
                .streamReadConstraints(constraints)
                .errorReportConfiguration(ErrorReportConfiguration.builder()
                        .maxErrorTokenLength(20)
                        .maxRawContentLength(0)
                        .build())
                // The caller owns the stream (an HTTP body, a file).
                .disable(StreamReadFeature.AUTO_CLOSE_SOURCE)
                .build();
    }

    /**
     * Reads the whole manifest from {@code in} (not closed here), plain or gzipped.
     *
     * @param source the file or URL, for messages
     * @throws ManifestFormatException the manifest is not one, or the handler refused an entry
     * @throws IOException reading {@code in} failed
     */
    public ManifestSummary read(InputStream in, String source, ManifestHandler handler) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(nonClosing(in), BUFFER_BYTES);
        buffered.mark(2);
        int first = buffered.read();
        int second = buffered.read();
        buffered.reset();
        boolean gzipped = first == GZIP_MAGIC_1 && second == GZIP_MAGIC_2;
        CountingInputStream counted;
        try {
            counted = new CountingInputStream(gzipped ? new GZIPInputStream(buffered, BUFFER_BYTES) : buffered);
        } catch (ZipException | EOFException e) {
            throw new ManifestFormatException(source, "not a gzip stream: " + e.getMessage(), 0, false, null, e);
        }
        Parse parse = new Parse(source, gzipped, counted, handler);
        try (JsonParser parser = factory.createParser(counted)) {
            parse.parser = parser;
            return parse.run();
        } catch (ZipException e) {
            throw parse.error("corrupt gzip data: " + e.getMessage(), counted.count(), e);
        } catch (EOFException e) {
            // GZIPInputStream's own EOFException ("Unexpected end of ZLIB input stream"); Jackson's is a
            // JsonProcessingException, handled inside. From a plain stream it is the stream's, passed on.
            if (!gzipped) {
                throw e;
            }
            throw parse.error("the gzip stream ends early: " + e.getMessage(), counted.count(), e);
        } catch (CharConversionException e) {
            throw parse.error("not UTF-8 JSON text: " + e.getMessage(), counted.count(), e);
        }
    }

    private static InputStream nonClosing(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public void close() {}
        };
    }

    /** The state of one read. */
    private static final class Parse {
        private final String source;
        private final boolean gzipped;
        private final CountingInputStream counted;
        private final ManifestHandler handler;
        private final ManifestEntry entry = new ManifestEntry();
        private JsonParser parser;
        private String nearKey;
        private long repositories;
        private long withoutFingerprint;

        Parse(String source, boolean gzipped, CountingInputStream counted, ManifestHandler handler) {
            this.source = source;
            this.gzipped = gzipped;
            this.counted = counted;
            this.handler = handler;
        }

        ManifestSummary run() throws IOException {
            try {
                JsonToken root = parser.nextToken();
                if (root == null) {
                    throw error("empty input: a manifest is a JSON object keyed by repository path");
                }
                if (root != JsonToken.START_OBJECT) {
                    throw error("not a grokmirror manifest: a JSON object keyed by repository path was expected, found "
                            + describe(root));
                }
                JsonToken token;
                while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
                    repository(parser.currentName());
                }
                if (token != JsonToken.END_OBJECT) {
                    throw error("the manifest ends early");
                }
                if (parser.nextToken() != null) {
                    throw error("trailing data after the manifest's object: found " + describe(parser.currentToken()));
                }
                handler.end();
            } catch (StreamConstraintsException e) {
                throw error(
                        "over a limit: " + e.getOriginalMessage(), locationOf(e).getByteOffset(), e);
            } catch (JsonProcessingException e) {
                String problem = e.getOriginalMessage();
                boolean early =
                        problem != null && problem.toLowerCase(Locale.ROOT).contains("unexpected end-of-input");
                throw error(
                        (early ? "the manifest ends early: " : "not JSON: ") + problem,
                        locationOf(e).getByteOffset(),
                        e);
            } catch (EntryRejectedException e) {
                throw error(e.getMessage(), parser.currentTokenLocation().getByteOffset(), e);
            }
            return new ManifestSummary(repositories, withoutFingerprint, counted.count(), gzipped);
        }

        private void repository(String key) throws IOException, EntryRejectedException {
            String problem = ManifestPaths.problem(key);
            if (problem != null) {
                throw error(problem);
            }
            String path = ManifestPaths.rooted(key);
            nearKey = path;
            entry.clear(path);
            JsonToken value = parser.nextToken();
            if (value != JsonToken.START_OBJECT) {
                throw error(ManifestPaths.quote(path) + ": an object was expected, found " + describe(value));
            }
            JsonToken token;
            while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken v = parser.nextToken();
                switch (field) {
                    case "fingerprint" -> entry.fingerprint = fingerprint(path, v);
                    case "head" -> entry.head = string(path, field, v);
                    case "modified" -> entry.modified = modified(path, v);
                    case "description", "owner", "forkgroup", "reference" -> string(path, field, v);
                    case "symlinks" -> symlinks(path, v);
                    default -> parser.skipChildren();
                }
            }
            if (token != JsonToken.END_OBJECT) {
                throw error("the manifest ends early");
            }
            repositories++;
            if (entry.fingerprint == null) {
                withoutFingerprint++;
            }
            handler.repository(entry);
        }

        private String fingerprint(String path, JsonToken v) throws IOException {
            String text = string(path, "fingerprint", v);
            if (text == null) {
                return null;
            }
            if (text.length() != FINGERPRINT_LENGTH || !isHex(text)) {
                throw error(ManifestPaths.quote(path) + ": \"fingerprint\" " + ManifestPaths.quote(text)
                        + " is not 40 hex digits (grokmirror's SHA-1 of git show-ref)");
            }
            return text.toLowerCase(Locale.ROOT);
        }

        private String string(String path, String field, JsonToken v) throws IOException {
            if (v == JsonToken.VALUE_NULL) {
                return null;
            }
            if (v != JsonToken.VALUE_STRING) {
                throw wrongType(path, field, "a string or null", v);
            }
            return parser.getText();
        }

        private long modified(String path, JsonToken v) throws IOException {
            if (v == JsonToken.VALUE_NULL) {
                return ManifestEntry.NO_MODIFIED;
            }
            if (v == JsonToken.VALUE_NUMBER_INT) {
                return parser.getLongValue();
            }
            if (v == JsonToken.VALUE_NUMBER_FLOAT) {
                return (long) parser.getDoubleValue();
            }
            throw wrongType(path, "modified", "a number of seconds", v);
        }

        private void symlinks(String path, JsonToken v) throws IOException {
            if (v == JsonToken.VALUE_NULL) {
                return;
            }
            if (v != JsonToken.START_ARRAY) {
                throw wrongType(path, "symlinks", "an array of paths", v);
            }
            JsonToken item;
            while ((item = parser.nextToken()) != JsonToken.END_ARRAY) {
                if (item != JsonToken.VALUE_STRING) {
                    throw wrongType(path, "symlinks", "an array of paths", item);
                }
            }
        }

        private ManifestFormatException wrongType(String path, String field, String expected, JsonToken found)
                throws IOException {
            return error(ManifestPaths.quote(path) + ": \"" + field + "\" must be " + expected + ", found "
                    + describe(found));
        }

        private static boolean isHex(String text) {
            for (int i = 0; i < text.length(); i++) {
                if (Character.digit(text.charAt(i), 16) < 0 || text.charAt(i) > 'f') {
                    return false;
                }
            }
            return true;
        }

        private String describe(JsonToken token) throws IOException {
            if (token == null) {
                return "the end of input";
            }
            return switch (token) {
                case START_OBJECT -> "an object";
                case START_ARRAY -> "an array";
                case VALUE_STRING -> "a string " + ManifestPaths.quote(parser.getText());
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "the number " + parser.getText();
                case VALUE_TRUE, VALUE_FALSE -> parser.getText();
                case VALUE_NULL -> "null";
                default -> token.name();
            };
        }

        private JsonLocation locationOf(JsonProcessingException e) {
            JsonLocation location = e.getLocation();
            return location != null && location.getByteOffset() >= 0 ? location : parser.currentLocation();
        }

        private ManifestFormatException error(String problem) {
            return error(problem, parser.currentTokenLocation().getByteOffset(), null);
        }

        ManifestFormatException error(String problem, long byteOffset, Throwable cause) {
            if (!gzipped && source.endsWith(".gz")) {
                problem += " (the name ends in .gz, but the content is not gzip: it lacks the magic bytes 1f 8b)";
            }
            return new ManifestFormatException(source, problem, byteOffset, gzipped, nearKey, cause);
        }
    }
}
