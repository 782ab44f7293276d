package io.farmvet.cli;

import io.farmvet.concurrent.NamedThreads;
import io.farmvet.fetch.ServerProgress;
import io.farmvet.util.Units;
import io.farmvet.vet.VetProgress;
import java.io.PrintStream;
import java.util.stream.Collectors;

/**
 * The live line {@code farmvet vet} keeps rewriting on a terminal's stderr while it runs: per server, the
 * repositories and bytes read so far, or done / failed. Shown only when stderr is a terminal.
 */
final class TerminalProgress implements AutoCloseable {
    private static final long REFRESH_MS = 200;

    private final VetProgress progress;
    private final PrintStream err;
    private final Thread painter;

    TerminalProgress(VetProgress progress, PrintStream err) {
        this.progress = progress;
        this.err = err;
        this.painter = NamedThreads.of("progress").start(this::paintUntilInterrupted);
    }

    /**
     * True when stderr is a terminal. Java cannot ask that of stderr alone, so the {@code ./farmvet} launcher
     * tests it ({@code [ -t 2 ]}) and passes {@code -Dfarmvet.stderr.tty}; without the launcher, fall back to
     * whether the JVM has an interactive console.
     */
    static boolean stderrIsTerminal() {
        String fromLauncher = System.getProperty("farmvet.stderr.tty");
        if (fromLauncher != null) {
            return Boolean.parseBoolean(fromLauncher);
        }
        java.io.Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            // Since Java 22 System.console() exists even when redirected; isTerminal() tells them apart.
            return (boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }

    private void paintUntilInterrupted() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                paint();
                Thread.sleep(REFRESH_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void paint() {
        String line =
                progress.servers().stream().map(TerminalProgress::describe).collect(Collectors.joining(" | "));
        err.print("\r\033[K" + line);
        err.flush();
    }

    private static String describe(ServerProgress server) {
        String state =
                switch (server.state()) {
                    case WAITING -> "waiting";
                    case CONNECTING -> "connecting";
                    case READING -> repositories(server) + " repos, " + Units.bytes(server.bytes());
                    case DONE -> server.repositories() + " repos, done";
                    case FAILED -> "failed";
                };
        return server.server() + ": " + state;
    }

    /** {@code 1200}, or {@code 1200/10000} when the total is known (a server of kind git). */
    private static String repositories(ServerProgress server) {
        long expected = server.expectedRepositories();
        return server.repositories() + (expected >= 0 ? "/" + expected : "");
    }

    @Override
    public void close() {
        painter.interrupt();
        try {
            painter.join(REFRESH_MS * 5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        paint();
        err.print("\n");
        err.flush();
    }
}
