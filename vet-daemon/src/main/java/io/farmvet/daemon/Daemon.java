package io.farmvet.daemon;

import io.farmvet.config.ConfigException;
import io.farmvet.config.ConfigLoader;
import io.farmvet.config.FarmvetConfig;
import io.farmvet.daemon.history.HistoryException;
import io.farmvet.daemon.history.RunHistory;
import io.farmvet.daemon.history.RunRecord;
import io.farmvet.daemon.history.RunSummary;
import io.farmvet.daemon.hooks.BitbucketWebhook;
import io.farmvet.daemon.server.ApiBackend;
import io.farmvet.daemon.server.ApiServer;
import io.farmvet.report.JsonReport;
import io.farmvet.report.SyncEvent;
import io.farmvet.state.StateDatabase;
import io.farmvet.state.StateStore;
import io.farmvet.util.Units;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The long-running farmvet ({@code farmvet run}): vets on {@code vet.schedule}, on demand over the REST API,
 * one at a time, and keeps every vet's report in the run history under {@code state.dir}.
 *
 * <p>Lifecycle: {@link #start} loads nothing itself (it takes a validated config), opens the store, starts the
 * vet runner, the HTTP server and the schedule, in that order, and returns a running daemon; {@link #close}
 * stops them in reverse within {@link #STOP_TIMEOUT}: no new ticks, the running vet interrupted (it cancels its
 * fetches and is recorded as incomplete), then the server and the store. {@link #reload} swaps the config
 * atomically, or keeps the old one and says why.
 *
 * <p>The store is not allowed to take the daemon down: if it cannot be opened the daemon runs, says so on
 * {@code /-/ready} and tries again before each recording; if a write fails (read-only or full disk) the vet's
 * report is still served, from memory, and the failure is logged and counted.
 *
 * <p>With {@code state.database} (PostgreSQL) the instance is one of a cluster: the store, Quartz's clustered
 * schedule and the vet lock are all in that database (see {@link VetSchedule}, {@link ClusterVetLock}); unlike
 * H2, it does not start while the database cannot be reached, since Quartz's store needs it from the first tick.
 *
 * <p>Thread-safe.
 */
public final class Daemon implements ApiBackend, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Daemon.class);

    /** How long {@link #close} may take in all; systemd's default stop timeout is 90 s, so this fits well. */
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    /** Reports kept in memory when the store could not take them, so GET by id still answers. */
    static final int MAX_UNRECORDED = 32;

    private final Path configFile;
    private final VetObserver observer;
    private final AtomicReference<FarmvetConfig> config;
    private final Path stateDir;
    private final VetRunner runner;
    private final BitbucketWebhook webhook;
    private final Object storeLock = new Object();
    private final AtomicLong historyWriteFailures = new AtomicLong();
    private final Map<String, byte[]> unrecorded = new LinkedHashMap<>(16, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, byte[]> eldest) {
            return size() > MAX_UNRECORDED;
        }
    };
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Object stopLock = new Object();

    private final StateDatabase database;
    /** This instance's name in a cluster: host and REST port, known once the server listens. */
    private volatile String instance;

    private volatile ClusterStatus cluster;
    private volatile RunHistory history;
    private volatile String storeProblem;
    private volatile VetSchedule schedule;
    private volatile ApiServer server;
    private volatile boolean closed;

    private Daemon(Path configFile, FarmvetConfig config, VetObserver observer, Clock clock) {
        this.configFile = configFile;
        this.observer = observer;
        this.config = new AtomicReference<>(config);
        this.stateDir = config.state().dir();
        this.database = config.state().database();
        VetLock lock = database.isPostgresql() ? new ClusterVetLock(database, () -> instance) : VetLock.LOCAL;
        this.runner = new VetRunner(this.config::get, observer, this::record, clock, lock);
        this.webhook = new BitbucketWebhook(
                this.config::get, database, runner::start, o -> observer.webhookReceived(o.wireName()), clock);
    }

    /**
     * Starts a daemon on {@code config}, which was loaded from {@code configFile} (re-read on reload).
     *
     * @throws ConfigException when the config lacks what only the daemon needs (server.token-file)
     * @throws DaemonException when the REST API cannot listen or the scheduler cannot start
     */
    public static Daemon start(Path configFile, FarmvetConfig config, VetObserver observer, Clock clock)
            throws ConfigException {
        checkForDaemon(config);
        Daemon daemon = new Daemon(configFile, config, observer, clock);
        try {
            daemon.openStore();
            daemon.server =
                    ApiServer.start(config.server().host(), config.server().port(), daemon, ApiServer.IDLE_TIMEOUT);
            daemon.instance = hostName() + ":" + daemon.server.url().getPort();
            if (daemon.database.isPostgresql()) {
                // Quartz's JDBC store needs its tables at once: unlike the history, it cannot start without them.
                DataSource pool = StateStore.pool(daemon.database);
                daemon.schedule = new VetSchedule(daemon.runner, pool);
                daemon.cluster = new ClusterStatus(pool, clock);
                daemon.cluster.start();
            } else {
                daemon.schedule = new VetSchedule(daemon.runner);
            }
            daemon.schedule.start(config.vet().schedule());
        } catch (Exception e) {
            daemon.close();
            throw new DaemonException("farmvet cannot start: " + describe(e, config), e);
        }
        log.info(
                "farmvet daemon for farm {} listening on {}, vetting on schedule \"{}\", state in {}",
                config.farm().name(),
                daemon.server.url(),
                config.vet().schedule(),
                daemon.database.isPostgresql()
                        ? daemon.database + " (clustered as " + daemon.instance + ")"
                        : daemon.stateDir);
        return daemon;
    }

    /** The REST API's base URL, with the port actually bound. */
    public URI url() {
        return server.url();
    }

    @Override
    public FarmvetConfig config() {
        return config.get();
    }

    @Override
    public VetRunner.Start startVet(VetRequest request) {
        return runner.start(request);
    }

    @Override
    public Optional<VetRunner.Flight> running() {
        return runner.running();
    }

    @Override
    public Optional<byte[]> report(String id) {
        synchronized (unrecorded) {
            byte[] kept = unrecorded.get(id);
            if (kept != null) {
                return Optional.of(kept);
            }
        }
        RunHistory h = history;
        return h == null ? Optional.empty() : h.report(id);
    }

    @Override
    public List<RunSummary> history(int limit, String beforeId) {
        RunHistory h = history;
        if (h == null) {
            throw new HistoryException("the run history is not open: " + storeProblem, null);
        }
        return h.list(limit, beforeId);
    }

    @Override
    public BitbucketWebhook.Answer bitbucketHook(BitbucketWebhook.Delivery delivery) {
        return delivery == null
                ? webhook.tooLarge()
                : webhook.receive(config.get().server().webhookSecret(), delivery);
    }

    @Override
    public List<String> notReady() {
        List<String> missing = new ArrayList<>();
        if (closed) {
            missing.add("stopping");
        }
        if (config.get() == null) {
            missing.add("config not loaded");
        }
        if (history == null) {
            missing.add("store not open (" + storeProblem + ")");
        }
        VetSchedule s = schedule;
        if (s == null || !s.started()) {
            missing.add("scheduler not started");
        }
        ClusterStatus c = cluster;
        String unreachable = c == null ? null : c.problem();
        if (unreachable != null) {
            // Vets fail until it is back (the pool reconnects by itself); the history in memory meanwhile.
            missing.add("state database unreachable (state.database: " + unreachable + ")");
        }
        return missing;
    }

    @Override
    public String scrape() {
        return observer.scrape();
    }

    @Override
    public void requestServed(String route, String method, int status) {
        try {
            observer.requestServed(route, method, status);
        } catch (RuntimeException e) {
            log.error("the metrics observer failed", e);
        }
    }

    /** This instance's name in a cluster (host:port of its REST API), as a 409 names it to the others. */
    public String instance() {
        return instance;
    }

    /** Whether this instance holds the cluster's vet lock now (false without state.database). */
    public boolean holdsVetLock() {
        return runner.holdsClusterLock();
    }

    /** Instances of the cluster that checked in lately; NaN without state.database or while it is unreachable. */
    public double clusterInstances() {
        ClusterStatus c = cluster;
        return c == null ? Double.NaN : c.instances();
    }

    /** The state database's clock minus this host's, in seconds; NaN without state.database or until known. */
    public double clockOffsetSeconds() {
        ClusterStatus c = cluster;
        return c == null ? Double.NaN : c.clockOffsetSeconds();
    }

    /** How many finished vets could not be written to the run history since start. */
    public long historyWriteFailures() {
        return historyWriteFailures.get();
    }

    /**
     * Re-reads the config file. On success the new config applies from the next vet (and the next request's
     * tokens), and the schedule moves if {@code vet.schedule} changed; {@code server.listen} and {@code
     * state.dir} need a restart, and a warning says so. On failure nothing changes, the metric says so, and the
     * exception lists every problem.
     */
    @Override
    public synchronized void reload() throws ConfigException {
        FarmvetConfig next;
        try {
            next = ConfigLoader.load(configFile);
            checkForDaemon(next);
        } catch (ConfigException e) {
            log.error("config reload failed, the previous config stays in force: {}", e.getMessage());
            notifyReloaded(false);
            throw e;
        }
        FarmvetConfig previous = config.get();
        try {
            VetSchedule s = schedule;
            if (s != null) {
                s.reschedule(next.vet().schedule());
            }
        } catch (Exception e) {
            log.error(
                    "config reload failed: cannot move the schedule to \"{}\"",
                    next.vet().schedule(),
                    e);
            notifyReloaded(false);
            throw new ConfigException(
                    configFile,
                    List.of("vet.schedule: the scheduler refused \""
                            + next.vet().schedule() + "\": " + e.getMessage()),
                    e);
        }
        config.set(next);
        if (!next.server().listen().equals(previous.server().listen())) {
            log.warn(
                    "server.listen changed to {}; farmvet keeps listening on {} until it is restarted",
                    next.server().listen(),
                    previous.server().listen());
        }
        if ((next.state().clustered() || previous.state().clustered())
                && !next.state().database().equals(previous.state().database())) {
            log.warn(
                    "state.database changed to {}; farmvet keeps using {} until it is restarted",
                    next.state().database(),
                    database);
        }
        if (!next.state().dir().equals(previous.state().dir())) {
            log.warn(
                    "state.dir changed to {}; farmvet keeps using {} until it is restarted",
                    next.state().dir(),
                    stateDir);
        }
        log.info(
                "config reloaded from {}: farm {}, {}, schedule \"{}\"",
                configFile,
                next.farm().name(),
                Units.count(next.nodes().size(), "node", "nodes"),
                next.vet().schedule());
        try {
            observer.nodesChanged(
                    next.nodes().stream().map(FarmvetConfig.Server::name).toList());
        } catch (RuntimeException e) {
            log.error("the metrics observer failed", e);
        }
        notifyReloaded(true);
    }

    /**
     * Stops within {@link #STOP_TIMEOUT}: the schedule, the running vet (interrupted, then recorded), the HTTP
     * server, the store. Idempotent; safe from a shutdown hook.
     */
    @Override
    public void close() {
        synchronized (stopLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
        log.info("farmvet stopping");
        VetSchedule s = schedule;
        if (s != null) {
            try {
                s.close();
            } catch (Exception e) {
                log.warn("the scheduler did not stop cleanly", e);
            }
        }
        webhook.close(); // no debounced vet starts from now on
        ClusterStatus c = cluster;
        if (c != null) {
            c.close();
        }
        // Leave the server and the store a few seconds of the budget.
        Duration forVet = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()))
                .minus(ApiServer.STOP_GRACE)
                .minusSeconds(5);
        if (!runner.stop(forVet.isNegative() ? Duration.ZERO : forVet)) {
            log.warn(
                    "the running vet did not end within {} of being cancelled; stopping anyway",
                    Units.duration(forVet));
        }
        ApiServer api = server;
        if (api != null) {
            try {
                api.close();
            } catch (Exception e) {
                log.warn("the HTTP server did not stop cleanly", e);
            }
        }
        synchronized (storeLock) {
            RunHistory h = history;
            history = null;
            storeProblem = "farmvet is stopping";
            if (h != null) {
                try {
                    h.close();
                } catch (RuntimeException e) {
                    log.warn("the run history did not close cleanly", e);
                }
            }
        }
        log.info("farmvet stopped");
        stopped.countDown();
    }

    /** Blocks until {@link #close} has finished. */
    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    /** Like {@link #awaitStopped()}, at most {@code timeout}; whether it stopped. */
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** What only the daemon needs of a config, beyond what {@link ConfigLoader} checks for every command. */
    static void checkForDaemon(FarmvetConfig config) throws ConfigException {
        if (config.server().token() == null) {
            throw new ConfigException(
                    config.source(),
                    List.of("server.token-file: is required to run the daemon: the REST API accepts only requests"
                            + " bearing this token; create one with openssl rand -hex 32 > FILE and chmod 600 it"));
        }
    }

    /** Opens the store unless open; a failure is logged, noted for /-/ready and tried again before the next write. */
    private RunHistory openStore() {
        synchronized (storeLock) {
            if (history != null || closed) {
                return history;
            }
            try {
                Files.createDirectories(stateDir);
                history = RunHistory.open(database);
                if (storeProblem != null) {
                    log.info("run history {} is open now", database);
                }
                storeProblem = null;
            } catch (IOException | HistoryException e) {
                String problem = (database.isPostgresql() ? "state.database " + database : "state.dir " + stateDir)
                        + ": " + e.getMessage();
                if (!problem.equals(storeProblem)) {
                    log.error(
                            "cannot open the run history in {}; vets still run and their reports are kept in memory"
                                    + " until it can be opened: {}",
                            stateDir,
                            e.getMessage());
                }
                storeProblem = problem;
            }
            return history;
        }
    }

    /** The recorder of every finished vet: store it, or keep it in memory and say why. Never throws. */
    private void record(VetRunner.Finished finished) {
        VetRunner.Flight flight = finished.flight();
        byte[] json;
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Map<Long, SyncEvent> sync = syncEvents();
            JsonReport.writeRun(flight.id(), flight.startedAt(), finished.report(), sync::get, out);
            json = out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("writing a report to memory failed", e);
        }
        RunSummary summary = new RunSummary(
                flight.id(),
                finished.report().status().wireName(),
                flight.startedAt(),
                finished.report().durationMs(),
                finished.report().inconsistencyCount());
        FarmvetConfig c = config.get();
        RunRecord run = new RunRecord(
                summary,
                flight.request().trigger().wireName(),
                flight.request().dryRun(),
                flight.request().nodes(),
                json);
        RunHistory h = openStore();
        if (h != null) {
            try {
                h.record(
                        run,
                        c.history().keepSuccesses(),
                        c.history().keepFailures(),
                        c.history().maxBytes());
                return;
            } catch (HistoryException e) {
                log.error(
                        "vet {} ({}) could not be written to the run history; its report is kept in memory: {}",
                        flight.id(),
                        summary.status(),
                        e.getMessage());
            }
        } else {
            log.error("vet {} ({}) is kept in memory only: {}", flight.id(), summary.status(), storeProblem);
        }
        historyWriteFailures.incrementAndGet();
        try {
            observer.historyWriteFailed();
        } catch (RuntimeException e) {
            log.error("the metrics observer failed", e);
        }
        synchronized (unrecorded) {
            unrecorded.put(flight.id(), json);
        }
    }

    /** The webhooks' last sync events for the report; none when they cannot be read (the report goes on). */
    private Map<Long, SyncEvent> syncEvents() {
        if (config.get().server().webhookSecret() == null) {
            return Map.of();
        }
        try {
            return webhook.events().latestByRepository();
        } catch (java.sql.SQLException | RuntimeException e) {
            log.error("the webhooks' sync events cannot be read; the report goes without them: {}", e.getMessage());
            return Map.of();
        }
    }

    private void notifyReloaded(boolean ok) {
        try {
            observer.reloaded(ok);
        } catch (RuntimeException e) {
            log.error("the metrics observer failed", e);
        }
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost"; // a host without a resolvable name still has a port to tell its instances apart
        }
    }

    private static String describe(Exception e, FarmvetConfig config) {
        String message = Objects.toString(e.getMessage(), e.getClass().getSimpleName());
        if (e instanceof IOException) {
            return "cannot listen on " + config.server().listen() + " (server.listen): " + message
                    + "; is another farmvet or service using it?";
        }
        return message;
    }
}
