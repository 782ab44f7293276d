package io.farmvet.daemon;

import io.farmvet.concurrent.NamedThreads;
import io.farmvet.config.FarmvetConfig;
import io.farmvet.config.FarmvetConfig.Server;
import io.farmvet.fetch.ListingFetcher;
import io.farmvet.listing.ListingReader;
import io.farmvet.names.NameLookup;
import io.farmvet.vet.Vet;
import io.farmvet.vet.VetReport;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single flight: runs at most one vet at a time, whoever asks. The schedule and the REST trigger both call
 * {@link #start}; the first caller claims the flight and the vet runs on the runner's own thread, every other
 * caller is told which vet holds it. Nothing queues: a refused start is simply not run (the next scheduled tick
 * comes soon enough, and an operator who wants a fresh vet triggers it again).
 *
 * <p>Every vet that starts ends in exactly one report handed to the recorder, even when the vet itself throws or
 * is cancelled by {@link #stop}: such a vet is reported {@code incomplete} with the reason, because a run that
 * leaves no trace is the one an operator cannot explain.
 *
 * <p>With several instances on one PostgreSQL ({@code state.database}) the flight is also the cluster's: a start
 * takes the {@link VetLock} after claiming this runner, and the vet that holds it elsewhere is the one named.
 *
 * <p>Thread-safe. The config is read once per vet, when it starts: a reload applies from the next vet.
 */
public final class VetRunner {
    private static final Logger log = LoggerFactory.getLogger(VetRunner.class);

    /**
     * A vet in flight.
     *
     * @param instance the farmvet instance running it, when it runs on another one of a cluster; null for this one
     */
    public record Flight(String id, Instant startedAt, VetRequest request, String instance) {
        public Flight(String id, Instant startedAt, VetRequest request) {
            this(id, startedAt, request, null);
        }
    }

    /**
     * The answer to {@link #start}.
     *
     * @param flight the vet now running: the one just started, or the one that refused it (here or on another
     *     instance); null when stopping or when no vet can start
     * @param started whether this call started it
     * @param problem why no vet can start now (the cluster's vet lock cannot be asked); null otherwise
     */
    public record Start(Flight flight, boolean started, String problem) {
        public Start(Flight flight, boolean started) {
            this(flight, started, null);
        }

        public boolean stopping() {
            return flight == null && problem == null;
        }
    }

    /** A finished vet: what was asked, and the report. */
    public record Finished(Flight flight, VetReport report) {}

    private final Supplier<FarmvetConfig> config;
    private final VetObserver observer;
    private final Consumer<Finished> recorder;
    private final Clock clock;
    private final VetLock lock;
    /** Repository names kept between vets, so Bitbucket's {@code repos} is asked only when a new id shows. */
    private final NameLookup names = new NameLookup();

    private final RunId ids;
    private final AtomicReference<Flight> current = new AtomicReference<>();
    private final Object claiming = new Object();
    private final ExecutorService thread = Executors.newSingleThreadExecutor(NamedThreads.of("vet-runner"));
    private volatile boolean stopping;

    /**
     * @param config the config in force, read when each vet starts
     * @param recorder takes every finished vet; it runs on the vet thread before the flight is released, so a
     *     finished vet is never "unknown" between running and recorded; it must not throw
     */
    public VetRunner(Supplier<FarmvetConfig> config, VetObserver observer, Consumer<Finished> recorder, Clock clock) {
        this(config, observer, recorder, clock, VetLock.LOCAL);
    }

    /** @param lock the cluster's half of the single flight, taken after this runner's own ({@link VetLock}) */
    VetRunner(
            Supplier<FarmvetConfig> config,
            VetObserver observer,
            Consumer<Finished> recorder,
            Clock clock,
            VetLock lock) {
        this.lock = lock;
        this.config = config;
        this.observer = observer;
        this.recorder = recorder;
        this.clock = clock;
        this.ids = new RunId(clock);
    }

    /**
     * Starts a vet now unless one is running (then names it) or the runner is stopping (then names none).
     * Callers take turns: in a cluster the claim includes asking the vet lock (a few milliseconds), and a caller
     * meanwhile must hear of the vet that runs, not of one that is still asking and may be refused.
     */
    public Start start(VetRequest request) {
        synchronized (claiming) {
            return claim(request);
        }
    }

    private Start claim(VetRequest request) {
        if (stopping) {
            return new Start(null, false);
        }
        Flight flight = new Flight(ids.next(), clock.instant().truncatedTo(ChronoUnit.MILLIS), request);
        if (!current.compareAndSet(null, flight)) {
            Flight running = current.get();
            // It may have ended between the two reads; the caller still hears "one was running", which was true.
            Flight here = running == null ? flight : running;
            return new Start(new Flight(here.id(), here.startedAt(), here.request(), lock.instance()), false);
        }
        Optional<Flight> elsewhere;
        try {
            elsewhere = lock.tryAcquire(flight);
        } catch (VetLock.VetLockException e) {
            current.compareAndSet(flight, null);
            log.error("{}", e.getMessage());
            return new Start(null, false, e.getMessage());
        } catch (RuntimeException e) {
            current.compareAndSet(flight, null);
            throw e;
        }
        if (elsewhere.isPresent()) {
            current.compareAndSet(flight, null);
            return new Start(elsewhere.get(), false);
        }
        try {
            thread.execute(() -> fly(flight));
        } catch (RejectedExecutionException e) {
            lock.release(flight);
            current.compareAndSet(flight, null);
            return new Start(null, false);
        }
        log.info(
                "vet {} started by {}{}{}",
                flight.id(),
                request.trigger().wireName(),
                request.dryRun() ? " (dry run)" : "",
                request.nodes().isEmpty() ? "" : " for nodes " + String.join(", ", request.nodes()));
        return new Start(flight, true);
    }

    /** The vet in flight, if any. */
    public Optional<Flight> running() {
        return Optional.ofNullable(current.get());
    }

    /**
     * Refuses new vets, interrupts the running one (the vet cancels its fetches and ends incomplete) and waits up
     * to {@code timeout} for it to be recorded.
     *
     * @return whether the vet thread ended in time
     */
    public boolean stop(Duration timeout) {
        stopping = true;
        thread.shutdownNow();
        try {
            return thread.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void fly(Flight flight) {
        try {
            notify(() -> observer.vetStarted());
            long start = System.nanoTime();
            VetReport report;
            try {
                report = execute(config.get(), flight);
            } catch (Exception | LinkageError | AssertionError e) {
                // A vet that breaks is still a vet that ran: report it, and keep the daemon for the next one.
                long ms = (System.nanoTime() - start) / 1_000_000;
                String reason = stopping
                        ? "vet cancelled because farmvet is stopping"
                        : "vet failed: " + e + "; see the log for the stack trace";
                if (!stopping) {
                    log.error("vet {} failed", flight.id(), e);
                }
                report = failed(config.get(), flight, ms, reason);
            }
            // The vet thread is interrupted when farmvet stops; H2 closes its file on an interrupted write, so
            // clear the flag before the history is written (the thread ends right after anyway).
            if (Thread.interrupted()) {
                log.info("vet {} was cancelled: farmvet is stopping", flight.id());
            }
            VetReport finished = report;
            notify(() -> observer.vetFinished(finished));
            try {
                recorder.accept(new Finished(flight, finished));
            } catch (RuntimeException e) {
                log.error("vet {} could not be recorded", flight.id(), e);
            }
        } finally {
            lock.release(flight);
            current.compareAndSet(flight, null);
        }
    }

    /** Whether this instance holds the cluster's vet lock now (always false on its own embedded state). */
    public boolean holdsClusterLock() {
        return lock.held();
    }

    /**
     * THE vet: the same core call as {@code farmvet vet}, on the config in force narrowed to the requested nodes.
     * Each vet gets its own fetcher, so a reloaded {@code http} section applies to the next vet.
     *
     * <p>{@code request.dryRun()} is for the repair step inside {@link Vet#run}: this is where it is handed on.
     */
    private VetReport execute(FarmvetConfig config, Flight flight) throws Exception {
        VetRequest request = flight.request();
        FarmvetConfig target = request.nodes().isEmpty() ? config : config.withNodes(select(config, request.nodes()));
        if (request.dryRun()) {
            target = target.withDryRun();
        }
        ListingReader reader = new ListingReader(target.listing().limits());
        try (ListingFetcher fetcher =
                new ListingFetcher(target.http(), reader, target.nodes().size() + 1)) {
            Vet vet = new Vet(target, fetcher, clock, names, () -> lock.confirm(flight));
            return vet.run(vet.newProgress());
        }
    }

    /** The named nodes, in config order; a name the config no longer has (reloaded since the trigger) fails. */
    private static List<Server> select(FarmvetConfig config, List<String> names) {
        List<Server> nodes = new ArrayList<>();
        for (Server node : config.nodes()) {
            if (names.stream().anyMatch(n -> n.equalsIgnoreCase(node.name()))) {
                nodes.add(node);
            }
        }
        if (nodes.size() != names.size()) {
            throw new IllegalArgumentException("the config reloaded since this vet was requested no longer has"
                    + " all of the nodes " + String.join(", ", names));
        }
        return nodes;
    }

    /** The report of a vet that ended without one of its own: incomplete, every server saying why. */
    private static VetReport failed(FarmvetConfig config, Flight flight, long durationMs, String reason) {
        List<VetReport.NodeResult> nodes = new ArrayList<>();
        for (Server node : config.nodes()) {
            if (flight.request().nodes().isEmpty()
                    || flight.request().nodes().stream().anyMatch(n -> n.equalsIgnoreCase(node.name()))) {
                nodes.add(new VetReport.NodeResult(
                        node.name(),
                        node.url().toString(),
                        VetReport.NodeStatus.FAILED,
                        node.name() + ": not vetted: " + reason,
                        null,
                        0,
                        durationMs,
                        List.of()));
            }
        }
        return new VetReport(
                config.farm().name(),
                VetReport.Status.INCOMPLETE,
                flight.startedAt(),
                durationMs,
                new VetReport.PrimaryResult(
                        config.primary().url().toString(), null, 0, durationMs, "primary: not vetted: " + reason),
                nodes);
    }

    private static void notify(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            log.error("the metrics observer failed; the vet goes on", e);
        }
    }
}
