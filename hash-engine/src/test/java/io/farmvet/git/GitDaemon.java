package io.farmvet.git;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real {@code git daemon} on loopback, serving every bare repository under a root over git://: a repository
 * {@code ROOT/PROJ/slug.git} is at {@code url()/PROJ/slug.git}. Started on a free port; {@link #close} kills it.
 */
public final class GitDaemon implements AutoCloseable {
    private final Process process;
    private final int port;

    private GitDaemon(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Serves {@code root} with {@code --export-all}, and {@code options} ({@code --informative-errors}). */
    public static GitDaemon start(Path root, String... options) {
        int port = freePort();
        List<String> command = new ArrayList<>(List.of(
                "git",
                "daemon",
                "--listen=127.0.0.1",
                "--port=" + port,
                "--base-path=" + root,
                "--export-all",
                "--reuseaddr"));
        command.addAll(List.of(options));
        command.add(root.toString());
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("GIT_"));
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("GIT_CONFIG_GLOBAL", "/dev/null");
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        GitDaemon daemon = new GitDaemon(process, port);
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("git daemon exited with " + process.exitValue());
                }
                try (Socket probe = new Socket()) {
                    probe.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                    return true;
                } catch (IOException notYet) {
                    return false;
                }
            });
        } catch (RuntimeException e) {
            daemon.close();
            throw e;
        }
        return daemon;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return port;
    }

    public String url() {
        return "git://127.0.0.1:" + port;
    }

    /** The URL of {@code ROOT/relative}, e.g. {@code PROJ/slug.git}. */
    public String repositoryUrl(String relative) {
        return url() + "/" + relative;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
