package io.farmvet.listing;

import static io.farmvet.listing.ListingFormatException.UNKNOWN;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import java.io.IOException;

/**
 * One read of one listing: walks the Jackson token stream, checks the structure, fills the reused
 * {@link ListingEntry} and hands it to the handler. Fields may come in any order inside an object; only a
 * project's {@code id} is needed before its repositories can be delivered, so repositories listed before it are
 * held in a {@link RepositoryBuffer}. Not thread-safe: {@link ListingReader} makes one per call.
 */
final class ListingParse {
    /** Longest project key or repository slug accepted; Bitbucket caps both well below this. */
    static final int MAX_NAME_CHARS = 256;

    /** How much of a bad value an error message quotes, so that a 1 MB garbage string does not flood a log. */
    private static final int QUOTE_CHARS = 16;

    private final JsonParser parser;
    private final CountingInputStream input;
    private final String source;
    private final ListingKind kind;
    private final ListingHandler handler;
    private final ListingLimits limits;
    private final ListingEntry entry = new ListingEntry();
    private final RepositoryBuffer buffer = new RepositoryBuffer();

    private long projects;
    private long repositories;
    /** Id of the repository object being read, once its "id" field has been seen. */
    private long currentRepositoryId = UNKNOWN;
    /** Id of the last repository object read to its end. */
    private long lastRepositoryId = UNKNOWN;

    ListingParse(
            JsonParser parser,
            CountingInputStream input,
            String source,
            ListingKind kind,
            ListingHandler handler,
            ListingLimits limits) {
        this.parser = parser;
        this.input = input;
        this.source = source;
        this.kind = kind;
        this.handler = handler;
        this.limits = limits;
    }

    ListingSummary run() throws IOException {
        try {
            readDocument();
        } catch (StreamConstraintsException e) {
            if (isDocumentLength(e)) {
                // Where reading stopped; Jackson's line and column are unreliable at that moment, so none.
                throw ListingFormatException.tooLarge(source, limitProblem(e), input.count(), nearest(), e);
            }
            throw error(limitProblem(e), locationOf(e), e);
        } catch (JsonProcessingException e) {
            // Jackson's own parse errors (bad syntax, early end) are IOExceptions too; the stream's own
            // IOExceptions are not JsonProcessingExceptions and pass through untouched.
            throw error("malformed JSON: " + e.getOriginalMessage(), locationOf(e), e);
        }
        return new ListingSummary(
                projects, repositories, parser.currentLocation().getByteOffset());
    }

    private void readDocument() throws IOException {
        JsonToken token = parser.nextToken();
        if (token == null) {
            throw error("the document is empty", parser.currentLocation(), null);
        }
        if (token != JsonToken.START_OBJECT) {
            throw error("the document is " + describe(token) + ", not a JSON object");
        }
        boolean sawProjects = false;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            token = parser.nextToken();
            if ("projects".equals(name)) {
                if (sawProjects) {
                    throw error("\"projects\" is listed twice");
                }
                sawProjects = true;
                if (token != JsonToken.START_ARRAY) {
                    throw error("\"projects\" is " + describe(token) + ", not an array");
                }
                readProjects();
            } else {
                parser.skipChildren();
            }
        }
        if (!sawProjects) {
            throw errorAtEnd("the document has no \"projects\" array", null);
        }
        // Reading on to the end of input is what tells a complete listing from one followed by a second
        // document or garbage; Jackson itself stops at the root's closing brace.
        token = parser.nextToken();
        if (token != null) {
            throw error("trailing data after the listing: " + describe(token));
        }
        try {
            handler.end();
        } catch (EntryRejectedException e) {
            throw error(e.getMessage(), parser.currentLocation(), e);
        }
    }

    private void readProjects() throws IOException {
        JsonToken token;
        while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
            if (token != JsonToken.START_OBJECT) {
                throw error("a project is " + describe(token) + ", not an object");
            }
            readProject();
        }
    }

    private void readProject() throws IOException {
        long projectId = UNKNOWN;
        boolean isPublic = false;
        boolean sawPublic = false;
        boolean sawRepositories = false;
        boolean buffered = false;
        String key = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken token = parser.nextToken();
            switch (name) {
                case "id" -> {
                    if (projectId != UNKNOWN) {
                        throw error(projectLabel(projectId) + ": \"id\" is listed twice");
                    }
                    projectId = readId(projectId, false);
                }
                case "public" -> {
                    if (sawPublic) {
                        throw error(projectLabel(projectId) + ": \"public\" is listed twice");
                    }
                    sawPublic = true;
                    if (token != JsonToken.VALUE_TRUE && token != JsonToken.VALUE_FALSE) {
                        throw error(
                                projectLabel(projectId) + ": \"public\" is " + describe(token) + ", not true or false");
                    }
                    isPublic = token == JsonToken.VALUE_TRUE;
                }
                case "repositories" -> {
                    if (sawRepositories) {
                        throw error(projectLabel(projectId) + ": \"repositories\" is listed twice");
                    }
                    sawRepositories = true;
                    if (token != JsonToken.START_ARRAY) {
                        throw error(projectLabel(projectId) + ": \"repositories\" is " + describe(token)
                                + ", not an array");
                    }
                    buffered = projectId == UNKNOWN;
                    readRepositories(projectId, buffered);
                }
                case "key" -> {
                    if (key != null) {
                        throw error(projectLabel(projectId) + ": \"key\" is listed twice");
                    }
                    key = readName(projectLabel(projectId) + ": \"key\"");
                }
                default -> parser.skipChildren();
            }
        }
        if (projectId == UNKNOWN) {
            throw errorAtEnd("a project has no \"id\"", null);
        }
        if (buffered) {
            RepositoryBuffer.Replay replay = buffer.replay();
            while (replay.hasNext()) {
                replay.fill(entry, projectId);
                lastRepositoryId = entry.repositoryId;
                deliver();
            }
        }
        try {
            handler.project(projectId, isPublic, key);
        } catch (EntryRejectedException e) {
            throw errorAtEnd(e.getMessage(), e);
        }
        projects++;
    }

    /** Reads a repositories array; with {@code buffer} set the project id is not known yet. */
    private void readRepositories(long projectId, boolean buffer) throws IOException {
        if (buffer) {
            this.buffer.clear();
        }
        JsonToken token;
        while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
            if (token != JsonToken.START_OBJECT) {
                throw error(inProject(projectId, "a repository") + " is " + describe(token) + ", not an object");
            }
            readRepository(projectId);
            if (buffer) {
                this.buffer.add(entry);
            } else {
                deliver();
            }
        }
    }

    private void readRepository(long projectId) throws IOException {
        entry.projectId = projectId;
        entry.repositoryId = UNKNOWN;
        entry.content.clear();
        entry.metadata.clear();
        entry.slug = null;
        currentRepositoryId = UNKNOWN;
        boolean sawHashes = false;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken token = parser.nextToken();
            switch (name) {
                case "id" -> {
                    if (currentRepositoryId != UNKNOWN) {
                        throw error(repositoryLabel(projectId) + ": \"id\" is listed twice");
                    }
                    entry.repositoryId = readId(projectId, true);
                    currentRepositoryId = entry.repositoryId;
                }
                case "hashes" -> {
                    if (sawHashes) {
                        throw error(repositoryLabel(projectId) + ": \"hashes\" is listed twice");
                    }
                    sawHashes = true;
                    if (token != JsonToken.START_OBJECT) {
                        throw error(
                                repositoryLabel(projectId) + ": \"hashes\" is " + describe(token) + ", not an object");
                    }
                    readHashes(projectId);
                }
                case "slug" -> {
                    if (entry.slug != null) {
                        throw error(repositoryLabel(projectId) + ": \"slug\" is listed twice");
                    }
                    entry.slug = readName(repositoryLabel(projectId) + ": \"slug\"");
                }
                default -> parser.skipChildren();
            }
        }
        if (currentRepositoryId == UNKNOWN) {
            throw errorAtEnd(inProject(projectId, "a repository") + " has no \"id\"", null);
        }
        requireHash(kind.carriesContent(), entry.content, "content", projectId);
        requireHash(kind.carriesMetadata(), entry.metadata, "metadata", projectId);
        // A hash the kind does not carry was still checked for its form, but the entry shows only what the
        // endpoint promises, so that consumers of a /content listing never see a stray metadata hash.
        if (!kind.carriesContent()) {
            entry.content.clear();
        }
        if (!kind.carriesMetadata()) {
            entry.metadata.clear();
        }
        lastRepositoryId = currentRepositoryId;
        currentRepositoryId = UNKNOWN;
    }

    private void requireHash(boolean required, HashValue hash, String which, long projectId)
            throws ListingFormatException {
        if (required && !hash.present()) {
            throw errorAtEnd(
                    repositoryLabel(projectId) + " has no " + which + " hash (a " + kind
                            + " listing carries one for every repository)",
                    null);
        }
    }

    private void readHashes(long projectId) throws IOException {
        boolean sawContent = false;
        boolean sawMetadata = false;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            parser.nextToken();
            switch (name) {
                case "content" -> {
                    if (sawContent) {
                        throw error(repositoryLabel(projectId) + ": the content hash is listed twice");
                    }
                    sawContent = true;
                    readHash(entry.content, "content", projectId);
                }
                case "metadata" -> {
                    if (sawMetadata) {
                        throw error(repositoryLabel(projectId) + ": the metadata hash is listed twice");
                    }
                    sawMetadata = true;
                    readHash(entry.metadata, "metadata", projectId);
                }
                default -> parser.skipChildren();
            }
        }
    }

    private void readHash(HashValue hash, String which, long projectId) throws IOException {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.VALUE_NULL) {
            hash.clear();
            return;
        }
        if (token != JsonToken.VALUE_STRING) {
            throw error(repositoryLabel(projectId) + ": " + which + " hash is " + describe(token) + ", not a string");
        }
        // getTextCharacters first: it completes the token, after which offset and length are valid.
        char[] chars = parser.getTextCharacters();
        int offset = parser.getTextOffset();
        int length = parser.getTextLength();
        if (hash.setHex(chars, offset, length)) {
            return;
        }
        String problem;
        if (length == 0) {
            problem = "is empty";
        } else if (length > HashValue.MAX_HEX_LENGTH) {
            problem = "is " + length + " characters long, over the limit of " + HashValue.MAX_HEX_LENGTH;
        } else {
            problem = "is not hex: " + quote(new String(chars, offset, length));
        }
        throw error(repositoryLabel(projectId) + ": " + which + " hash " + problem);
    }

    /**
     * Reads the {@code id} of a repository, or of a project when {@code repository} is false. The owner's label
     * for a message is made only on error: building it for every entry was a String per repository.
     */
    private long readId(long projectId, boolean repository) throws IOException {
        JsonToken token = parser.currentToken();
        if (token != JsonToken.VALUE_NUMBER_INT) {
            throw error(idOwner(projectId, repository) + ": \"id\" is " + describe(token) + ", not a whole number");
        }
        if (parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            String text = parser.getText();
            throw error(idOwner(projectId, repository) + ": \"id\" " + quote(text) + " is "
                    + (text.startsWith("-") ? "negative" : "larger than " + Long.MAX_VALUE));
        }
        long id = parser.getLongValue();
        if (id < 0) {
            throw error(idOwner(projectId, repository) + ": \"id\" " + id + " is negative");
        }
        return id;
    }

    private String idOwner(long projectId, boolean repository) {
        return repository ? repositoryLabel(projectId) : projectLabel(projectId);
    }

    /** A project key or repository slug: a string of at most {@value #MAX_NAME_CHARS} characters, or null. */
    private String readName(String owner) throws IOException {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.VALUE_NULL) {
            return null;
        }
        if (token != JsonToken.VALUE_STRING) {
            throw error(owner + " is " + describe(token) + ", not a string");
        }
        if (parser.getTextLength() > MAX_NAME_CHARS) {
            throw error(owner + " is longer than " + MAX_NAME_CHARS + " characters");
        }
        return parser.getText();
    }

    private void deliver() throws ListingFormatException {
        try {
            handler.repository(entry);
        } catch (EntryRejectedException e) {
            throw errorAtEnd(e.getMessage(), e);
        }
        repositories++;
    }

    private String limitProblem(StreamConstraintsException e) {
        String message = String.valueOf(e.getOriginalMessage());
        if (isDocumentLength(e)) {
            return "the document is larger than the limit of " + limits.maxDocumentBytes()
                    + " bytes (raise listing.max-size if the farm really is that large)";
        }
        if (message.contains("getMaxStringLength")) {
            return "a string is longer than the limit of " + limits.maxStringLength() + " characters";
        }
        if (message.contains("getMaxNestingDepth")) {
            return "objects and arrays nest deeper than the limit of " + limits.maxNestingDepth() + " levels";
        }
        if (message.contains("getMaxNumberLength")) {
            return "a number is longer than the limit of " + ListingReader.MAX_NUMBER_LENGTH + " characters";
        }
        if (message.contains("getMaxNameLength")) {
            return "a field name is longer than the limit of " + ListingReader.MAX_NAME_LENGTH + " characters";
        }
        return "a parser limit was exceeded: " + message;
    }

    private static boolean isDocumentLength(StreamConstraintsException e) {
        return String.valueOf(e.getOriginalMessage()).contains("getMaxDocumentLength");
    }

    private JsonLocation locationOf(JsonProcessingException e) {
        JsonLocation location = e.getLocation();
        // Constraint errors raised while loading input carry no location; where the parser stands is close.
        return location != null && location.getByteOffset() >= 0 ? location : parser.currentLocation();
    }

    private ListingFormatException error(String problem) {
        return error(problem, parser.currentTokenLocation(), null);
    }

    private ListingFormatException error(String problem, JsonLocation location, Throwable cause) {
        return error(problem, location.getByteOffset(), location.getLineNr(), location.getColumnNr(), cause);
    }

    /**
     * An error found at the closing brace the parser just returned. Jackson 2 does not update the token location
     * for close markers (it still names the previous token), but it never reads past one before the next call,
     * so the brace is the byte just before the current location.
     */
    private ListingFormatException errorAtEnd(String problem, Throwable cause) {
        JsonLocation after = parser.currentLocation();
        return error(problem, after.getByteOffset() - 1, after.getLineNr(), after.getColumnNr() - 1, cause);
    }

    private long nearest() {
        return currentRepositoryId != UNKNOWN ? currentRepositoryId : lastRepositoryId;
    }

    private ListingFormatException error(String problem, long byteOffset, int line, int column, Throwable cause) {
        long near = nearest();
        if (cause instanceof EntryRejectedException rejected && rejected.repositoryId() != UNKNOWN) {
            // A handler may judge an entry after it was delivered (the primary's table finds a duplicate id only at
            // the end): found here, but about that one.
            near = rejected.repositoryId();
        }
        return new ListingFormatException(source, problem, byteOffset, line, column, near, cause);
    }

    private String describe(JsonToken token) throws IOException {
        if (token == null) {
            return "missing";
        }
        return switch (token) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string " + quote(parser.getText());
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "the number " + truncate(parser.getText());
            case VALUE_TRUE, VALUE_FALSE -> parser.getText();
            case VALUE_NULL -> "null";
            default -> token.asString() != null ? quote(token.asString()) : token.name();
        };
    }

    private static String projectLabel(long projectId) {
        return projectId == UNKNOWN ? "a project" : "project " + projectId;
    }

    private String repositoryLabel(long projectId) {
        return currentRepositoryId != UNKNOWN
                ? "repository " + currentRepositoryId
                : inProject(projectId, "a repository");
    }

    private static String inProject(long projectId, String what) {
        return projectId == UNKNOWN ? what : what + " of project " + projectId;
    }

    static String quote(String text) {
        return '"' + truncate(text) + '"';
    }

    private static String truncate(String text) {
        return text.length() <= QUOTE_CHARS ? text : text.substring(0, QUOTE_CHARS) + "…";
    }
}
