package io.farmvet.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpHeaders;

/**
 * The {@code Content-Encoding} of an answer to a GET farmvet sent with {@code Accept-Encoding:}
 * {@value ListingFetcher#ACCEPT_ENCODING}, and its decoder: every GET of every server reads its body through here
 * (listings, the REST pages, farmNodes, /status). No coding or gzip is decoded; any other is refused by name
 * ({@link Refused}), since a body farmvet cannot decode would otherwise fail its parse as an unreadable character
 * (issue 11). Stateless.
 */
public enum ContentCoding {
    IDENTITY,
    GZIP;

    /**
     * The inflater's input buffer: 64 KiB takes a socket read's worth of compressed bytes per call (the JDK's
     * default of 512 bytes costs a read call per 512 bytes on the wire).
     */
    static final int GZIP_BUFFER_BYTES = 64 * 1024;
    /** How much of a refused coding's name is quoted: the header is the server's (or a proxy's) text. */
    private static final int MAX_QUOTED = 64;

    /** The coding of {@code response}'s body. */
    public static ContentCoding of(ClassicHttpResponse response) throws Refused {
        return of(response.getFirstHeader(HttpHeaders.CONTENT_ENCODING));
    }

    /** The coding a {@code Content-Encoding} header names; no header (or an empty one) is {@link #IDENTITY}. */
    public static ContentCoding of(Header contentEncoding) throws Refused {
        if (contentEncoding == null || contentEncoding.getValue() == null) {
            return IDENTITY;
        }
        String value = contentEncoding.getValue().strip();
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "", "identity" -> IDENTITY;
            case "gzip", "x-gzip" -> GZIP;
            default -> throw new Refused(value);
        };
    }

    /**
     * The decoded body. The caller bounds what it reads of it, which bounds the decoded bytes: a gzip bomb costs no
     * more than a plain answer of that size.
     */
    public InputStream decode(InputStream wire) throws IOException {
        return this == GZIP ? new GZIPInputStream(wire, GZIP_BUFFER_BYTES) : wire;
    }

    /** A coding farmvet does not decode; the message says so, naming it, and what to do. */
    public static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        private final String coding;

        Refused(String value) {
            super(
                    "answered with Content-Encoding \"" + quotable(value)
                            + "\", which farmvet cannot decode: it asks for "
                            + ListingFetcher.ACCEPT_ENCODING + " only; have the server (or the proxy in front of it)"
                            + " send gzip or no coding",
                    null,
                    false,
                    false);
            this.coding = quotable(value);
        }

        /** The coding the answer named, safe to quote (no control characters, bounded). */
        public String coding() {
            return coding;
        }

        private static String quotable(String value) {
            String clean = value.replaceAll("\\p{Cntrl}", "?");
            return clean.length() > MAX_QUOTED ? clean.substring(0, MAX_QUOTED) + "…" : clean;
        }
    }
}
