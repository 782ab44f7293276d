package io.farmvet.fetch;

import io.farmvet.config.FarmvetConfig;
import io.farmvet.fetch.manifest.ManifestSource;
import io.farmvet.grokmirror.ManifestFormatException;
import io.farmvet.grokmirror.ManifestReader;
import io.farmvet.grokmirror.ManifestSummary;
import io.farmvet.listing.EntryRejectedException;
import io.farmvet.listing.ListingEntry;
import io.farmvet.listing.ListingHandler;
import io.farmvet.listing.ListingSummary;
import io.farmvet.util.Units;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The listing of a server with a {@code manifest-url}: its grokmirror manifest read as a repo-hashes listing
 * ({@link io.farmvet.grokmirror.ManifestListing}), so that comparing, repairing and reporting do not know the
 * difference. {@link #send} GETs the manifest whole (a 404 or a refusal shows at once), {@link #read} parses it.
 *
 * <p>Equal fingerprints are equal content; a key on one side only is {@code missing} or {@code extra}. A key the
 * manifest gives no fingerprint is "not computed yet" (never differs) and counted in the server's notes, so an
 * operator sees how much of the server was not judged. Anything that is not a manifest fails the server with the
 * manifest's own message (where, near which key): a listing that did not arrive whole is never judged.
 */
public final class GrokmirrorListing implements ListingSource {
    private final FarmvetConfig.Server server;
    private final String configPath;
    private final ManifestSource source;
    private final ManifestReader reader;
    private final ServerProgress progress;
    private final AtomicReference<String> cancelled = new AtomicReference<>();
    private volatile JsonGet request;
    private InputStream body;
    private volatile long bytes;
    private volatile List<String> notes = List.of();

    GrokmirrorListing(
            FarmvetConfig.Server server,
            String configPath,
            ManifestSource source,
            ManifestReader reader,
            ServerProgress progress) {
        this.server = server;
        this.configPath = configPath;
        this.source = source;
        this.reader = reader;
        this.progress = progress;
    }

    @Override
    public void send() throws FetchException {
        progress.state(ServerProgress.State.CONNECTING);
        try {
            throwIfCancelled();
            request = source.request();
            // A cancel between the check and the assignment would miss the request: check again.
            throwIfCancelled();
            body = source.open(request);
        } catch (NoSuchFileException e) {
            throw failed(
                    server.name() + ": " + configPath + ".manifest-url: " + e.getFile()
                            + " does not exist (grokmirror writes it; check the path)",
                    e);
        } catch (FetchException e) {
            throw failed(
                    cancelled.get() != null
                            ? cancelledMessage()
                            : e.getMessage() + "; check " + configPath + ".manifest-url and " + configPath + ".auth",
                    e);
        } catch (IOException e) {
            throw failed(server.name() + ": cannot read " + source.name() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public ListingSummary read(ListingHandler handler) throws FetchException {
        progress.state(ServerProgress.State.READING);
        try (InputStream in = new Counted(body)) {
            throwIfCancelled();
            Counting counting = new Counting(handler);
            ManifestSummary summary = source.parse(reader, in, counting);
            if (summary.withoutFingerprint() > 0) {
                notes = List.of(server.name() + ": " + summary.withoutFingerprint() + " of "
                        + Units.count(summary.repositories(), "repository", "repositories")
                        + " have no fingerprint in its manifest, so their refs are not judged on this server (still"
                        + " missing or extra by their keys); grokmirror computes them on its next run");
            }
            progress.state(ServerProgress.State.DONE);
            return new ListingSummary(counting.projects.size(), summary.repositories(), bytes);
        } catch (ManifestFormatException e) {
            throw failed(
                    cancelled.get() != null
                            ? cancelledMessage()
                            : e.getMessage() + "; is " + configPath + ".manifest-url a grokmirror manifest"
                                    + " (manifest.js or manifest.js.gz)?",
                    e);
        } catch (IOException e) {
            throw failed(
                    cancelled.get() != null
                            ? cancelledMessage()
                            : server.name() + ": reading " + source.name() + " failed: " + e.getMessage(),
                    e);
        }
    }

    private void throwIfCancelled() throws FetchException {
        if (cancelled.get() != null) {
            throw new FetchException(cancelledMessage(), null);
        }
    }

    private String cancelledMessage() {
        return server.name() + ": cancelled (" + cancelled.get() + ") while reading its manifest after "
                + Units.count(progress.repositories(), "repository", "repositories");
    }

    private FetchException failed(String message, Throwable cause) {
        progress.state(ServerProgress.State.FAILED);
        return new FetchException(message, cause);
    }

    @Override
    public void cancel(String reason) {
        cancelled.compareAndSet(null, reason);
        JsonGet running = request;
        if (running != null) {
            running.cancel();
        }
    }

    @Override
    public Long clockSkewMs() {
        return null;
    }

    @Override
    public long bytesRead() {
        return bytes;
    }

    @Override
    public List<String> notes() {
        return notes;
    }

    @Override
    public void close() {
        InputStream in = body;
        if (in != null) {
            try {
                in.close();
            } catch (IOException e) {
                // A file or bytes in memory: nothing to recover.
            }
        }
    }

    /** Counts the manifest's bytes as read (as held: compressed where it is gzip), and stops at a cancel. */
    private final class Counted extends FilterInputStream {
        Counted(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (cancelled.get() != null) {
                throw new InterruptedIOException(cancelled.get());
            }
            int n = super.read(b, off, len);
            if (n > 0) {
                bytes += n;
                progress.addBytes(n);
            }
            return n;
        }
    }

    /** Counts the repositories for the progress line, and the projects (a manifest has tens, not millions). */
    private final class Counting implements ListingHandler {
        private final ListingHandler target;
        private final java.util.Set<Long> projects = new java.util.HashSet<>();

        Counting(ListingHandler target) {
            this.target = target;
        }

        @Override
        public void repository(ListingEntry entry) throws EntryRejectedException {
            progress.addRepositories(1);
            target.repository(entry);
        }

        @Override
        public void project(long projectId, boolean isPublic, String key) throws EntryRejectedException {
            projects.add(projectId);
            target.project(projectId, isPublic, key);
        }

        @Override
        public void end() throws EntryRejectedException {
            target.end();
        }
    }
}
