package io.farmvet.git;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * A made-up git:// server on loopback speaking the real pkt-line wire format, for what a real daemon never sends:
 * a scripted v0 advertisement (odd ref names, invented capabilities, broken pkt-lines), one of any size, or a
 * stall. Reads the client's request line and records it, writes its answer, then holds the connection open until
 * the client or {@link #close} ends it. Knobs may be changed while serving; thread-safe.
 */
public final class FakeGitDaemon implements AutoCloseable {
    private final ServerSocket socket;
    private final Thread acceptor;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<Socket> connections = new CopyOnWriteArrayList<>();
    private final CountDownLatch closing = new CountDownLatch(1);
    private volatile byte[] answer = new byte[0];
    private volatile long hugeBytes;
    private volatile boolean stalled;

    private FakeGitDaemon() throws IOException {
        socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::acceptAll, "fake-git-daemon");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public static FakeGitDaemon start() throws IOException {
        return new FakeGitDaemon();
    }

    public String repositoryUrl(String relative) {
        return "git://127.0.0.1:" + socket.getLocalPort() + "/" + relative;
    }

    /** Answers every request with these bytes (use {@link #pkt} and {@link #FLUSH}). */
    public FakeGitDaemon answer(String wire) {
        answer = wire.getBytes(StandardCharsets.UTF_8);
        return this;
    }

    /** Answers with a v0 advertisement of fabricated branches, at least {@code bytes} long, without its flush. */
    public FakeGitDaemon huge(long bytes) {
        hugeBytes = bytes;
        return this;
    }

    /** Reads the request and never answers. */
    public FakeGitDaemon stall() {
        stalled = true;
        return this;
    }

    public List<String> requests() {
        return List.copyOf(requests);
    }

    public static final String FLUSH = "0000";

    /** One pkt-line: four hex digits of length (themselves included), then the payload. */
    public static String pkt(String payload) {
        return String.format("%04x", payload.getBytes(StandardCharsets.UTF_8).length + 4) + payload;
    }

    private void acceptAll() {
        while (!socket.isClosed()) {
            try {
                Socket connection = socket.accept();
                connections.add(connection);
                Thread serving = new Thread(() -> serve(connection), "fake-git-daemon-connection");
                serving.setDaemon(true);
                serving.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket connection) {
        try (connection) {
            InputStream in = connection.getInputStream();
            requests.add(readPkt(in));
            OutputStream out = connection.getOutputStream();
            if (!stalled) {
                if (hugeBytes > 0) {
                    writeHuge(out);
                } else {
                    out.write(answer);
                }
                out.flush();
            }
            closing.await();
        } catch (IOException e) {
            // The client hung up: what the tests want.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void writeHuge(OutputStream out) throws IOException {
        String id = "1".repeat(40);
        out.write(pkt(id + " refs/heads/b0\0multi_ack side-band-64k\n").getBytes(StandardCharsets.US_ASCII));
        long written = 0;
        for (int i = 1; written < hugeBytes; i++) {
            byte[] line = pkt(id + " refs/heads/b" + i + "\n").getBytes(StandardCharsets.US_ASCII);
            out.write(line);
            written += line.length;
        }
    }

    private static String readPkt(InputStream in) throws IOException {
        byte[] length = in.readNBytes(4);
        if (length.length < 4) {
            throw new IOException("no request");
        }
        int n = Integer.parseInt(new String(length, StandardCharsets.US_ASCII), 16);
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        payload.write(in.readNBytes(Math.max(0, n - 4)));
        return payload.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        closing.countDown();
        try {
            socket.close();
            for (Socket connection : connections) {
                connection.close();
            }
            acceptor.join(10_000);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
