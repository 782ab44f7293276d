package io.farmvet.daemon;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real {@code farmvet run --config FILE} in a child JVM on this test's class path, for what only a process of
 * its own shows: signals, exit status, a kill. Its log (stdout and stderr) is collected as it comes.
 */
final class ChildDaemon implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on (http://[0-9.:]+)");

    private final Process process;
    private final StringBuffer log = new StringBuffer();
    private final Thread drain;
    private volatile URI url;

    private ChildDaemon(Process process) {
        this.process = process;
        this.drain = new Thread(this::drain, "child-daemon-log");
        drain.setDaemon(true);
        drain.start();
    }

    /** Starts it and waits until it listens. */
    static ChildDaemon start(Path configFile) throws IOException {
        Process process = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        io.farmvet.cli.Main.class.getName(),
                        "run",
                        "--config",
                        configFile.toString())
                .redirectErrorStream(true)
                .start();
        ChildDaemon child = new ChildDaemon(process);
        await("the child daemon to listen")
                .atMost(Duration.ofSeconds(60))
                .until(() -> child.url != null || !process.isAlive());
        if (child.url == null) {
            throw new AssertionError("the daemon exited before listening:\n" + child.log());
        }
        return child;
    }

    URI url() {
        return url;
    }

    String log() {
        return log.toString();
    }

    /**
     * SIGTERM, as systemd stops a service. Through the {@link ProcessHandle}: {@link Process#destroy} sends the
     * same signal but also closes this side of the child's output, and the log of its stop would be lost.
     */
    void sigterm() {
        process.toHandle().destroy();
    }

    /** SIGKILL: no shutdown hook runs, nothing is closed. */
    void kill() {
        process.destroyForcibly();
    }

    /** Waits for the process to exit and its log to be read to the end; its exit status. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the daemon did not exit within " + timeout.toSeconds() + " s:\n" + log());
        }
        drain.join(Duration.ofSeconds(10).toMillis());
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }

    private void drain() {
        try (BufferedReader lines =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                log.append(line).append('\n');
                Matcher m = LISTENING.matcher(line);
                if (url == null && m.find()) {
                    url = URI.create(m.group(1));
                }
            }
        } catch (IOException e) {
            // The child is gone.
        }
    }
}
