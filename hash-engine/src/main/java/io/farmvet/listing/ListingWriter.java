package io.farmvet.listing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Streams a repo-hashes listing of one {@link ListingKind} to an {@link OutputStream}, in the shape Bitbucket
 * writes and {@link ListingReader} reads: project {@code id}, {@code public}, then {@code key} when given, then
 * {@code repositories}; each repository's {@code id}, then {@code slug} when given, then {@code hashes} with only
 * the hashes the kind carries, in lower-case hex.
 *
 * <p>Call {@link #startProject}, any number of {@link #repository} calls, {@link #endProject}, for each project,
 * then {@link #close}. Calls out of that order throw {@link IllegalStateException}. {@link #close} finishes the
 * document and flushes, but does <em>not</em> close {@code out}: the caller owns it (an HTTP response, a pipe).
 * Nothing is written before the first call, so a writer that fails before it leaves {@code out} untouched.
 *
 * <p>Not thread-safe: one writer per document, used by one thread at a time.
 */
public final class ListingWriter implements Closeable {
    /** Shared: a JsonFactory is thread-safe once configured. */
    private static final JsonFactory FACTORY =
            JsonFactory.builder().disable(StreamWriteFeature.AUTO_CLOSE_TARGET).build();

    private enum State {
        NOT_STARTED,
        BETWEEN_PROJECTS,
        IN_PROJECT,
        CLOSED
    }

    private final OutputStream out;
    private final ListingKind kind;
    private final HashValue scratchContent = new HashValue();
    private final HashValue scratchMetadata = new HashValue();
    private final char[] hex = new char[HashValue.MAX_HEX_LENGTH];
    private JsonGenerator generator;
    private State state = State.NOT_STARTED;
    private long projectId;

    public ListingWriter(OutputStream out, ListingKind kind) {
        if (out == null || kind == null) {
            throw new IllegalArgumentException("a listing writer needs an output stream and a kind");
        }
        this.out = out;
        this.kind = kind;
    }

    public ListingKind kind() {
        return kind;
    }

    /** Opens a project object; {@code keyOrNull} is written as {@code "key"} only when not null. */
    public void startProject(long id, boolean isPublic, String keyOrNull) throws IOException {
        requireId("project", id);
        if (state == State.IN_PROJECT) {
            throw new IllegalStateException(
                    "project " + projectId + " is still open: call endProject() before starting project " + id);
        }
        startDocumentIfNeeded("startProject");
        generator.writeStartObject();
        generator.writeNumberField("id", id);
        generator.writeBooleanField("public", isPublic);
        if (keyOrNull != null) {
            generator.writeStringField("key", keyOrNull);
        }
        generator.writeArrayFieldStart("repositories");
        projectId = id;
        state = State.IN_PROJECT;
    }

    /**
     * Writes one repository of the open project. The hashes the kind carries must be present; one it does not
     * carry is ignored and may be null.
     */
    public void repository(long id, String slugOrNull, HashValue content, HashValue metadata) throws IOException {
        requireId("repository", id);
        if (state != State.IN_PROJECT) {
            throw new IllegalStateException(
                    "repository " + id + " written outside a project: call startProject() first");
        }
        boolean writeContent = kind.carriesContent();
        boolean writeMetadata = kind.carriesMetadata();
        requireHash(writeContent, content, "content", id);
        requireHash(writeMetadata, metadata, "metadata", id);
        generator.writeStartObject();
        generator.writeNumberField("id", id);
        if (slugOrNull != null) {
            generator.writeStringField("slug", slugOrNull);
        }
        generator.writeObjectFieldStart("hashes");
        if (writeContent) {
            generator.writeFieldName("content");
            generator.writeString(hex, 0, content.writeHex(hex));
        }
        if (writeMetadata) {
            generator.writeFieldName("metadata");
            generator.writeString(hex, 0, metadata.writeHex(hex));
        }
        generator.writeEndObject();
        generator.writeEndObject();
    }

    /**
     * As {@link #repository(long, String, HashValue, HashValue)} with hashes as hex text of either case, written
     * back in lower case.
     *
     * @throws IllegalArgumentException a hash the kind carries is null or not hex
     */
    public void repository(long id, String slugOrNull, String contentHex, String metadataHex) throws IOException {
        repository(
                id,
                slugOrNull,
                parse(kind.carriesContent(), contentHex, scratchContent, "content", id),
                parse(kind.carriesMetadata(), metadataHex, scratchMetadata, "metadata", id));
    }

    public void endProject() throws IOException {
        if (state != State.IN_PROJECT) {
            throw new IllegalStateException("endProject() without an open project: call startProject() first");
        }
        generator.writeEndArray();
        generator.writeEndObject();
        state = State.BETWEEN_PROJECTS;
    }

    /**
     * Finishes the document (an empty listing if no project was written) and flushes {@code out}, which stays
     * open. Calling it again does nothing.
     *
     * @throws IllegalStateException a project is still open: the document would claim a project ended that the
     *     caller never finished
     */
    @Override
    public void close() throws IOException {
        if (state == State.CLOSED) {
            return;
        }
        if (state == State.IN_PROJECT) {
            throw new IllegalStateException("close() with project " + projectId + " still open: call endProject()");
        }
        startDocumentIfNeeded("close");
        generator.writeEndArray();
        generator.writeEndObject();
        generator.close();
        state = State.CLOSED;
    }

    private void startDocumentIfNeeded(String call) throws IOException {
        if (state == State.CLOSED) {
            throw new IllegalStateException(call + "() after close(): the listing is already finished");
        }
        if (state == State.NOT_STARTED) {
            // The generator flushes on close() even with AUTO_CLOSE_TARGET off (FLUSH_PASSED_TO_STREAM).
            generator = FACTORY.createGenerator(out);
            generator.writeStartObject();
            generator.writeArrayFieldStart("projects");
            state = State.BETWEEN_PROJECTS;
        }
    }

    private HashValue parse(boolean carried, String hexText, HashValue scratch, String which, long id) {
        if (!carried) {
            return null;
        }
        if (hexText == null) {
            throw new IllegalArgumentException(
                    "repository " + id + ": a " + kind + " listing needs a " + which + " hash, got null");
        }
        try {
            return scratch.setHex(hexText);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "repository " + id + ": " + which + " hash " + ListingParse.quote(hexText) + " is not hex", e);
        }
    }

    private void requireHash(boolean carried, HashValue hash, String which, long id) {
        if (carried && (hash == null || !hash.present())) {
            throw new IllegalArgumentException(
                    "repository " + id + ": a " + kind + " listing needs a " + which + " hash, got none");
        }
    }

    private static void requireId(String what, long id) {
        if (id < 0) {
            throw new IllegalArgumentException(what + " id " + id + " is negative");
        }
    }
}
