package io.farmvet.grokmirror;

import java.io.IOException;

/**
 * A grokmirror manifest farmvet cannot read: not gzip or not JSON, cut short, over a limit, a key that is not a
 * repository path, a field of the wrong type, a fingerprint that is not one. Names the source, the byte offset into
 * the JSON text (decompressed, for a gzipped manifest) and the nearest key, so an operator can find the spot with
 * {@code zcat manifest.js.gz | head -c}.
 */
public final class ManifestFormatException extends IOException {
    /** Marks an unknown byte offset. */
    public static final long UNKNOWN = -1;

    private final String source;
    private final String problem;
    private final long byteOffset;
    private final String nearKey;

    ManifestFormatException(
            String source, String problem, long byteOffset, boolean gzipped, String nearKey, Throwable cause) {
        super(format(source, problem, byteOffset, gzipped, nearKey), cause);
        this.source = source;
        this.problem = problem;
        this.byteOffset = byteOffset;
        this.nearKey = nearKey;
    }

    private static String format(String source, String problem, long byteOffset, boolean gzipped, String nearKey) {
        StringBuilder sb = new StringBuilder(source)
                .append(": unreadable grokmirror manifest: ")
                .append(problem);
        sb.append(" (at ");
        if (byteOffset >= 0) {
            sb.append("byte ").append(byteOffset).append(gzipped ? " of the decompressed text" : "");
        } else {
            sb.append("an unknown position");
        }
        sb.append(nearKey != null ? ", near " + ManifestPaths.quote(nearKey) : ", before the first repository");
        return sb.append(')').toString();
    }

    /** The file or URL the manifest came from. */
    public String source() {
        return source;
    }

    /** What was wrong, without the position. */
    public String problem() {
        return problem;
    }

    /** Byte offset into the (decompressed) JSON text, or {@link #UNKNOWN}. */
    public long byteOffset() {
        return byteOffset;
    }

    /** The key being read or last read, or null before the first. */
    public String nearKey() {
        return nearKey;
    }
}
