package io.farmvet.listing;

import java.io.IOException;

/**
 * A listing that is not a well-formed repo-hashes document: bad JSON, a wrong type, a hash that is not hex, a
 * document that ends early or carries trailing data, a repository listed twice, or a document over the
 * configured limits. Carries where in the document it happened and the nearest repository id, so that an
 * operator can find the spot with {@code head -c} or an editor.
 */
public final class ListingFormatException extends IOException {
    /** Marks an unknown position or repository. */
    public static final long UNKNOWN = -1;

    private final String source;
    private final String problem;
    private final long byteOffset;
    private final int line;
    private final int column;
    private final long nearRepositoryId;
    private final boolean tooLarge;

    public ListingFormatException(
            String source,
            String problem,
            long byteOffset,
            int line,
            int column,
            long nearRepositoryId,
            Throwable cause) {
        this(source, problem, byteOffset, line, column, nearRepositoryId, false, cause);
    }

    /**
     * A listing that may well be sound but is larger than {@code listing.max-size}: said as such, not as malformed,
     * since the fix is the setting, not the server.
     */
    static ListingFormatException tooLarge(String source, String problem, long byteOffset, long near, Throwable cause) {
        return new ListingFormatException(source, problem, byteOffset, 0, 0, near, true, cause);
    }

    private ListingFormatException(
            String source,
            String problem,
            long byteOffset,
            int line,
            int column,
            long nearRepositoryId,
            boolean tooLarge,
            Throwable cause) {
        super(format(source, problem, byteOffset, line, column, nearRepositoryId, tooLarge), cause);
        this.tooLarge = tooLarge;
        this.source = source;
        this.problem = problem;
        this.byteOffset = byteOffset;
        this.line = line;
        this.column = column;
        this.nearRepositoryId = nearRepositoryId;
    }

    private static String format(
            String source,
            String problem,
            long byteOffset,
            int line,
            int column,
            long nearRepositoryId,
            boolean tooLarge) {
        StringBuilder sb = new StringBuilder(source)
                .append(tooLarge ? ": repo-hashes listing too large: " : ": malformed repo-hashes listing: ")
                .append(problem);
        sb.append(" (at ");
        if (byteOffset >= 0) {
            sb.append("byte ").append(byteOffset);
        }
        if (line > 0) {
            sb.append(byteOffset >= 0 ? ", " : "")
                    .append("line ")
                    .append(line)
                    .append(", column ")
                    .append(column);
        }
        if (byteOffset < 0 && line <= 0) {
            sb.append("an unknown position");
        }
        sb.append(nearRepositoryId >= 0 ? ", near repository " + nearRepositoryId : ", before the first repository");
        return sb.append(')').toString();
    }

    /** True for a listing refused for its size alone ({@code listing.max-size}), not for its form. */
    public boolean tooLarge() {
        return tooLarge;
    }

    /** The server or file the listing came from, as named in config or on the command line. */
    public String source() {
        return source;
    }

    /** What was wrong, without the position. */
    public String problem() {
        return problem;
    }

    /** Byte offset into the document, or {@link #UNKNOWN}. */
    public long byteOffset() {
        return byteOffset;
    }

    /** 1-based line, or 0 when unknown. */
    public int line() {
        return line;
    }

    /** 1-based column, or 0 when unknown. */
    public int column() {
        return column;
    }

    /** The id of the repository being read or last read, or {@link #UNKNOWN} before the first. */
    public long nearRepositoryId() {
        return nearRepositoryId;
    }
}
