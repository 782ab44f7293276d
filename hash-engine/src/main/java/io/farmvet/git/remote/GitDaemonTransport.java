package io.farmvet.git.remote;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.util.Collection;
import java.util.List;
import org.eclipse.jgit.errors.NotSupportedException;
import org.eclipse.jgit.errors.TransportException;
import org.eclipse.jgit.transport.BasePackFetchConnection;
import org.eclipse.jgit.transport.FetchConnection;
import org.eclipse.jgit.transport.GitProtocolConstants;
import org.eclipse.jgit.transport.PackTransport;
import org.eclipse.jgit.transport.PushConnection;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.TcpTransport;
import org.eclipse.jgit.transport.URIish;

/**
 * The anonymous {@code git://} protocol ({@code git daemon}, port 9418) for one ls-remote, bounded by farmvet.
 * JGit's own git:// transport opens its socket itself and reads it without bound; measured here (JDK 17, JGit
 * 7.8.1, a made-up daemon on loopback): with {@code setTimeout(2)} it still waited 20 s on a daemon that never
 * answered (its timeout interrupts the thread, which does not end a blocking socket read) and then called the
 * repository "not found"; a 64 MB advertisement it read whole into the heap (480 MB resident at -Xmx512m) and
 * then waited on. This one opens the socket here and lets JGit
 * parse the advertisement from it (v0, or v2's {@code ls-refs} where the daemon offers it, as JGit asks for v2
 * first): the connect timeout; before every read a socket timeout of the read timeout or what is left of the call,
 * whichever is shorter; every byte counted against the {@link ReadBudget}; an interrupt ends a blocked read. Not registered with JGit (that would
 * change git:// for the whole JVM): {@link LsRemote} opens it for git:// URLs. One per call.
 */
final class GitDaemonTransport extends TcpTransport implements PackTransport {
    static final int DEFAULT_PORT = 9418;

    private final long connectTimeoutMs;
    private final long readTimeoutMs;
    private final ReadBudget budget;

    GitDaemonTransport(URIish uri, long connectTimeoutMs, long readTimeoutMs, ReadBudget budget) {
        super(uri);
        this.connectTimeoutMs = connectTimeoutMs;
        this.readTimeoutMs = readTimeoutMs;
        this.budget = budget;
    }

    @Override
    public FetchConnection openFetch() throws TransportException {
        return new Listing(List.of());
    }

    @Override
    public FetchConnection openFetch(Collection<RefSpec> refSpecs, String... additionalPatterns)
            throws TransportException {
        return new Listing(refSpecs, additionalPatterns);
    }

    @Override
    public PushConnection openPush() throws NotSupportedException {
        throw new NotSupportedException("farmvet only lists refs over git://");
    }

    @Override
    public void close() {
        // Each connection owns its socket.
    }

    /** git-daemon's request: the service, the path, the host, and the extra parameter asking for protocol v2. */
    private String request() {
        StringBuilder request = new StringBuilder("git-upload-pack ")
                .append(uri.getPath())
                .append('\0')
                .append("host=")
                .append(uri.getHost());
        if (uri.getPort() > 0 && uri.getPort() != DEFAULT_PORT) {
            request.append(':').append(uri.getPort());
        }
        // A daemon older than v2 ignores what follows the second NUL and answers in v0.
        return request.append('\0')
                .append('\0')
                .append(GitProtocolConstants.VERSION_2_REQUEST)
                .append('\0')
                .toString();
    }

    private Socket connect() throws TransportException {
        int port = uri.getPort() > 0 ? uri.getPort() : DEFAULT_PORT;
        Socket socket;
        try {
            // A channel's socket, so that interrupting the thread (the vet's cancel) ends a blocked read at once;
            // a plain socket's read ignores interrupts and would hold the thread until its timeout.
            socket = SocketChannel.open().socket();
        } catch (IOException e) {
            throw new TransportException(uri, "cannot open a socket: " + e.getMessage(), e);
        }
        try {
            socket.connect(new InetSocketAddress(uri.getHost(), port), budget.remainingMs(connectTimeoutMs));
            return socket;
        } catch (IOException e) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // Already failing.
            }
            throw new TransportException(uri, "cannot connect to port " + port + ": " + e.getMessage(), e);
        }
    }

    private final class Listing extends BasePackFetchConnection {
        private final Socket socket;

        Listing(Collection<RefSpec> refSpecs, String... additionalPatterns) throws TransportException {
            super(GitDaemonTransport.this);
            socket = connect();
            try {
                InputStream in = budget.bound(new TimedSocketInput(socket));
                init(new BufferedInputStream(in), new BufferedOutputStream(socket.getOutputStream()));
                pckOut.writeString(request());
                pckOut.flush();
            } catch (IOException e) {
                close();
                throw new TransportException(uri, "the daemon hung up: " + e.getMessage(), e);
            }
            if (!readAdvertisedRefs()) {
                lsRefs(refSpecs, additionalPatterns);
            }
        }

        @Override
        public void close() {
            super.close();
            try {
                socket.close();
            } catch (IOException ignored) {
                // Nothing left to read from it.
            }
        }
    }

    /** The socket's input with its read timeout set, before each read, to what the call has left. */
    private final class TimedSocketInput extends FilterInputStream {
        private final Socket socket;

        TimedSocketInput(Socket socket) throws IOException {
            super(socket.getInputStream());
            this.socket = socket;
        }

        @Override
        public int read() throws IOException {
            socket.setSoTimeout(budget.remainingMs(readTimeoutMs));
            return super.read();
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            socket.setSoTimeout(budget.remainingMs(readTimeoutMs));
            return super.read(buffer, offset, length);
        }
    }
}
