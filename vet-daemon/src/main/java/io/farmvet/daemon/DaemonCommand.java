package io.farmvet.daemon;

import io.farmvet.config.ConfigException;
import io.farmvet.config.ConfigLoader;
import io.farmvet.config.FarmvetConfig;
import io.farmvet.metrics.FarmMetrics;
import java.nio.file.Path;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code farmvet run --config FILE}: starts the {@link Daemon} and blocks until the JVM is asked to stop.
 *
 * <p>SIGTERM and SIGINT run the JVM's shutdown hooks; ours closes the daemon cleanly within {@link
 * Daemon#STOP_TIMEOUT}. SIGHUP reloads the config, as {@code POST /-/reload} does; it uses {@code sun.misc.Signal}
 * (module {@code jdk.unsupported}, present in every OpenJDK build), and on a JVM without it, or where the signal
 * is taken (for example by {@code -Xrs}), the daemon logs that and runs on with reload over REST only.
 */
public final class DaemonCommand {
    private static final Logger log = LoggerFactory.getLogger(DaemonCommand.class);

    private DaemonCommand() {}

    /**
     * Runs the daemon until the JVM shuts down.
     *
     * @throws ConfigException when the config cannot be used (the caller prints it and exits 3)
     * @throws DaemonException when the daemon cannot start
     */
    public static void run(Path configFile) throws ConfigException, InterruptedException {
        FarmvetConfig config = ConfigLoader.load(configFile);
        FarmMetrics metrics = new FarmMetrics(
                config.farm().name(),
                config.nodes().stream().map(FarmvetConfig.Server::name).toList());
        Daemon daemon = Daemon.start(configFile, config, metrics, Clock.systemUTC());
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            daemon.close();
                            metrics.close();
                        },
                        "farmvet-shutdown"));
        installReloadOnHangup(daemon);
        daemon.awaitStopped();
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
