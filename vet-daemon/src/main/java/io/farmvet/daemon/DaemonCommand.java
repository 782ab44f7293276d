package io.farmvet.daemon;

import io.farmvet.config.ConfigException;
import io.farmvet.config.ConfigLoader;
import io.farmvet.config.FarmvetConfig;
import io.farmvet.metrics.FarmMetrics;
import io.farmvet.state.StateStore;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code farmvet run --config FILE}: starts the {@link Daemon} and blocks until it is stopped, then returns
 * normally, so the process exits 0 after a clean stop (what systemd expects of SIGTERM).
 *
 * <p>SIGTERM and SIGINT stop the daemon in farmvet's own order, within {@link Daemon#STOP_TIMEOUT}: the running
 * vet is cancelled and recorded {@code incomplete}, then the store closes; only then does {@link #run} return.
 * They are handled with {@code sun.misc.Signal} (module {@code jdk.unsupported}, present in every OpenJDK build)
 * rather than left to the JVM, whose shutdown hooks run all at once in no order. SIGHUP reloads the config, as
 * {@code POST /-/reload} does. On a JVM where a signal cannot be taken (for example with {@code -Xrs}) the daemon
 * logs that; a shutdown hook still stops it cleanly, and the exit status is then the JVM's (143 after SIGTERM).
 */
public final class DaemonCommand {
    private static final Logger log = LoggerFactory.getLogger(DaemonCommand.class);

    private DaemonCommand() {}

    /**
     * Runs the daemon until SIGTERM or SIGINT (or the JVM shutting down) has stopped it.
     *
     * @throws ConfigException when the config cannot be used (the caller prints it and exits 3)
     * @throws DaemonException when the daemon cannot start
     */
    public static void run(Path configFile) throws ConfigException, InterruptedException {
        FarmvetConfig config = ConfigLoader.load(configFile);
        FarmMetrics metrics = new FarmMetrics(
                config.farm().name(),
                config.nodes().stream().map(FarmvetConfig.Server::name).toList());
        metrics.stateFile(StateStore.file(config.state().dir()));
        Daemon daemon = Daemon.start(configFile, config, metrics, Clock.systemUTC());
        if (config.state().clustered()) {
            metrics.cluster(daemon::clusterInstances, daemon::holdsVetLock, daemon::clockOffsetSeconds);
        }
        // For a stop that does not come through the handlers below (System.exit, a signal they could not take).
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            daemon.close();
                            metrics.close();
                        },
                        "farmvet-shutdown"));
        installStopOn("TERM", daemon);
        installStopOn("INT", daemon);
        installReloadOnHangup(daemon);
        daemon.awaitStopped();
        metrics.close();
    }

    @SuppressWarnings("restriction")
    private static void installStopOn(String signalName, Daemon daemon) {
        AtomicBoolean stopping = new AtomicBoolean();
        try {
            sun.misc.Signal.handle(new sun.misc.Signal(signalName), signal -> {
                if (!stopping.compareAndSet(false, true)) {
                    log.info("SIG{}: farmvet is stopping already", signalName);
                    return;
                }
                // Daemon.close takes up to STOP_TIMEOUT; the signal thread hands it to one of its own.
                Thread stop = new Thread(
                        () -> {
                            log.info("SIG{}: stopping", signalName);
                            daemon.close();
                        },
                        "farmvet-sig" + signalName.toLowerCase(java.util.Locale.ROOT));
                stop.start();
            });
        } catch (IllegalArgumentException | LinkageError | SecurityException e) {
            log.warn(
                    "SIG{} cannot be handled on this JVM ({}); the JVM's shutdown stops farmvet instead, and its exit"
                            + " status is not 0",
                    signalName,
                    e.toString());
        }
    }

    @SuppressWarnings("restriction")
    private static void installReloadOnHangup(Daemon daemon) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> {
                // The signal thread must not block on a slow reload; a short-lived thread does the work.
                Thread reload = new Thread(
                        () -> {
                            log.info("SIGHUP: reloading the config");
                            try {
                                daemon.reload();
                            } catch (ConfigException e) {
                                // Daemon.reload has logged every problem.
                            } catch (RuntimeException e) {
                                log.error("SIGHUP reload failed", e);
                            }
                        },
                        "farmvet-sighup");
                reload.setDaemon(true);
                reload.start();
            });
        } catch (IllegalArgumentException | LinkageError | SecurityException e) {
            log.warn("SIGHUP cannot be handled on this JVM ({}); reload with POST /-/reload instead", e.toString());
        }
    }
}
