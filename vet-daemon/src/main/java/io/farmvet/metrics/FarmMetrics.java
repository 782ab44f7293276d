package io.farmvet.metrics;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.jmx.JmxReporter;
import io.farmvet.compare.Inconsistency;
import io.farmvet.compare.Kind;
import io.farmvet.config.FarmvetConfig;
import io.farmvet.daemon.VetObserver;
import io.farmvet.daemon.hooks.BitbucketWebhook;
import io.farmvet.repair.RepairEntry;
import io.farmvet.repair.RepairOutcome;
import io.farmvet.repair.VerificationOutcome;
import io.farmvet.vet.VetReport;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.NamingConvention;
import io.micrometer.jmx.JmxConfig;
import io.micrometer.jmx.JmxMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * farmvet's metrics for one farm: Prometheus text for {@code GET /metrics} and, over JMX, the farm-vet timer
 * under the name Bitbucket gives its own ({@value #VET_TIMER_JMX_NAME}).
 *
 * <p><b>Contract.</b> Every labelled series exists from construction on, before the first vet: the farm-vet
 * timer for each outcome, each node's listing, drift, state, repair and cycle-time series, and the primary's
 * listing series ({@code node="primary"}). Values that are not known yet are {@code NaN} (a node's repository
 * count before its first listing, or after one that did not arrive whole), timestamps that never happened are
 * {@code 0}. Every series carries {@code farm}. The one exception is {@code farmvet_http_requests_total}, whose
 * series appear with the first request of each route, method and status. The {@code record} methods only update
 * numbers; {@link #scrape} only formats them, so a scrape never waits for, or starts, any vet work.
 *
 * <p><b>Maxima.</b> The timers' {@code _max} is the longest observation of the last {@link #MAX_WINDOW} (23 to 24
 * hours: it drops one of {@value #MAX_WINDOW_SLOTS} slots an hour). Micrometer's defaults made
 * {@code farmvet_vet_duration_seconds_max} fall to 0 minutes after each vet, between vets 15 minutes apart
 * (issue 11). A day outlives any schedule a farm vet runs on, and does not move when a reload changes the
 * schedule.
 *
 * <p><b>Prometheus and JMX are two registries fed by the same calls.</b> Prometheus gets histogram buckets,
 * from which PromQL computes any percentile over any window across instances; JMX gets a Dropwizard timer with
 * its own decaying reservoir, whose MBean has exactly the attributes Bitbucket's timers have (Count, Mean,
 * StdDev, Min, Max, 50thPercentile…999thPercentile in milliseconds, One/Five/FifteenMinuteRate and MeanRate per
 * second). Micrometer cannot do both in one timer: given percentiles and a histogram it exports only the
 * histogram to Prometheus.
 *
 * <p><b>JMX ownership.</b> The JMX name is fixed, so only one instance per JVM can own it at a time: the first
 * one built while the name is free. A later instance built while it is taken logs a warning and runs without
 * JMX (its Prometheus side is complete); {@link #close} unregisters the owner's beans and frees the name for
 * the next instance built. The daemon builds one instance and keeps it across config reloads
 * ({@link #nodesChanged}).
 *
 * <p><b>Thread safety.</b> All methods may be called from any thread; updates and scrapes are serialised on
 * this instance, so a scrape never shows half of a vet's numbers. Each call holds the lock for microseconds.
 */
public final class FarmMetrics implements VetObserver, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FarmMetrics.class);

    /** The farm-vet timer's meter name in the JMX registry, which {@link BitbucketJmxNames} maps. */
    static final String VET_TIMER_JMX_METER = "mirror.farm.vet.timer";

    /** The farm-vet timer's JMX name, as Bitbucket documents it for its own farm vet. */
    public static final String VET_TIMER_JMX_NAME =
            "com.atlassian.bitbucket:type=metrics,category00=mirror,category01=farm,category02=vet,name=timer";

    /**
     * The node states {@code farmvet_node_state} knows: Bitbucket's mirror {@code /status} states, then
     * {@code UNREACHABLE} (the poll got no answer) and {@code UNKNOWN} (an answer with a state not listed here).
     */
    public static final List<String> NODE_STATES = List.of(
            "STARTING",
            "FIRST_RUN",
            "BOOTSTRAPPED",
            "INITIALIZING",
            "CLUSTERING",
            "METADATA_SYNCHRONIZED",
            "SYNCHRONIZED",
            "RUNNING",
            "MAINTENANCE",
            "STOPPING",
            "ERROR",
            "UNREACHABLE",
            "UNKNOWN");

    /**
     * The outcomes {@link #repairOutcome} accepts: the wire names of {@link RepairOutcome} (what a vet did) and
     * of {@link VerificationOutcome} (how an earlier repair ended). Both enums spell a failed request
     * {@code failed}: it is one series, so count a failed request once.
     */
    public static final List<String> REPAIR_OUTCOMES = repairOutcomes();

    /**
     * Bucket bounds of {@code farmvet_vet_duration_seconds}. A vet of a small farm takes under a second, a large
     * one minutes; {@code vet.deadline} is 10 minutes by default and at most 24 hours.
     */
    static final List<Duration> VET_BUCKETS = List.of(
            Duration.ofMillis(100),
            Duration.ofMillis(250),
            Duration.ofMillis(500),
            Duration.ofSeconds(1),
            Duration.ofMillis(2500),
            Duration.ofSeconds(5),
            Duration.ofSeconds(10),
            Duration.ofSeconds(30),
            Duration.ofMinutes(1),
            Duration.ofMinutes(2),
            Duration.ofMinutes(5),
            Duration.ofMinutes(10),
            Duration.ofMinutes(15),
            Duration.ofMinutes(30),
            Duration.ofHours(1),
            Duration.ofHours(2),
            Duration.ofHours(6),
            Duration.ofHours(24));

    /**
     * Bucket bounds of {@code farmvet_repair_cycle_duration_seconds}: a repair is verified by a later vet, so
     * cycle times run from one schedule interval (15 minutes by default) to days.
     */
    static final List<Duration> REPAIR_CYCLE_BUCKETS = List.of(
            Duration.ofMinutes(1),
            Duration.ofMinutes(5),
            Duration.ofMinutes(15),
            Duration.ofMinutes(30),
            Duration.ofHours(1),
            Duration.ofHours(2),
            Duration.ofHours(4),
            Duration.ofHours(12),
            Duration.ofDays(1),
            Duration.ofDays(2),
            Duration.ofDays(7));

    /**
     * A timer's {@code _max} is kept in {@value #MAX_WINDOW_SLOTS} slots of this length, one dropped as each
     * passes: Micrometer's "expiry" is the length of one slot, not of the window (its defaults, 2 minutes and 3
     * slots, forget a vet 4 to 6 minutes after it).
     */
    static final Duration MAX_SLOT = Duration.ofHours(1);

    static final int MAX_WINDOW_SLOTS = 24;

    /** How long a timer's {@code _max} remembers an observation at most; see the class comment. */
    static final Duration MAX_WINDOW = MAX_SLOT.multipliedBy(MAX_WINDOW_SLOTS);

    /** {@code farmvet_build_info}'s version: the jar's, or this when run from classes (tests, the IDE). */
    static final String DEVELOPMENT_VERSION = "development";

    /** Serialises JMX ownership checks between instances; JMX names are per JVM, not per instance. */
    private static final Object JMX_OWNERSHIP = new Object();

    private static final Set<String> HTTP_METHODS =
            Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");

    private static final String RELOAD_SUCCESS = "success";
    private static final String RELOAD_FAILURE = "failure";

    private final Clock clock;
    private final String farm;
    private final PrometheusMeterRegistry prometheus;
    private final JvmGcMetrics gcMetrics;
    private final MBeanServer mbeanServer;
    private final ObjectName vetTimerObjectName;
    /** Null when another instance owned the JMX name at construction, or after {@link #close}. */
    private JmxMeterRegistry jmx;

    private final Timer jmxVetTimer;
    private final Map<String, Timer> vetTimers = new LinkedHashMap<>();
    private final Map<String, Cell> lastOutcome = new LinkedHashMap<>();
    private final Cell running = new Cell(0);
    private final Cell lastStartSeconds = new Cell(0);
    private final Cell lastEndSeconds = new Cell(0);
    private final Cell lastSuccessSeconds = new Cell(0);
    private final Cell nodesFailed = new Cell(Double.NaN);
    private final FarmMemberGauges memberMismatches;
    private final Cell reloadSuccessful = new Cell(1);
    private final Cell lastReloadSuccessSeconds;
    private final Map<String, Counter> reloads = new LinkedHashMap<>();
    private final Counter historyWriteFailures;
    private final ServerSeries primary;
    private final Map<String, NodeSeries> nodes = new LinkedHashMap<>();
    private boolean closed;

    /**
     * Builds both registries and pre-registers every series for the farm and these nodes. The config was
     * loaded just before, so the reload gauge starts at 1 with its timestamp now.
     *
     * @param nodeNames the configured nodes' names; none may be {@value FarmvetConfig#PRIMARY_NAME}
     */
    public FarmMetrics(String farm, List<String> nodeNames) {
        this(farm, nodeNames, Clock.systemUTC(), ManagementFactory.getPlatformMBeanServer());
    }

    FarmMetrics(String farm, List<String> nodeNames, Clock clock, MBeanServer mbeanServer) {
        this.farm = requireName(farm, "farm");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.mbeanServer = Objects.requireNonNull(mbeanServer, "mbeanServer");
        this.lastReloadSuccessSeconds = new Cell(nowSeconds());

        prometheus = new PrometheusMeterRegistry(
                PrometheusConfig.DEFAULT, new PrometheusRegistry(), micrometerClock(this.clock));
        prometheus.config().commonTags("farm", this.farm);

        BitbucketJmxNames jmxNames = new BitbucketJmxNames();
        vetTimerObjectName = jmxNames.objectName(VET_TIMER_JMX_METER);
        // The check and the registration under one lock: the bean appears when the timer is registered, so
        // two instances built at once must not both find the name free.
        synchronized (JMX_OWNERSHIP) {
            if (mbeanServer.isRegistered(vetTimerObjectName)) {
                log.warn(
                        "farm {}: {} is already registered in this JVM (another FarmMetrics owns it); this one"
                                + " publishes its metrics to Prometheus only",
                        this.farm,
                        vetTimerObjectName);
                jmx = null;
                jmxVetTimer = null;
            } else {
                jmx = newJmxRegistry(jmxNames);
                jmxVetTimer = Timer.builder(VET_TIMER_JMX_METER)
                        .description("Total time to detect and fix all inconsistent repositories in one farm vet")
                        .register(jmx);
            }
        }

        registerFarmSeries();
        memberMismatches = new FarmMemberGauges(prometheus);
        historyWriteFailures = Counter.builder("farmvet.history.write.failures")
                .description("Finished vets that could not be written to the run history (read-only or full"
                        + " state.dir); their reports are served from memory until a restart")
                .register(prometheus);
        for (BitbucketWebhook.Outcome outcome : BitbucketWebhook.Outcome.values()) {
            webhookCounter(outcome.wireName());
        }
        primary = new ServerSeries(FarmvetConfig.PRIMARY_NAME);
        for (String node : new LinkedHashSet<>(nodeNames)) {
            addNode(node);
        }

        // Process and JVM series: process_start_time_seconds lets the "not run recently" alert wait out a
        // fresh start, and heap and GC matter to a daemon that holds the primary's listing in memory.
        // Not ProcessorMetrics: its process_cpu_time_ns_total and system_cpu_count fail promtool's lint.
        // process_cpu_seconds_total and friends under Prometheus' names: see ProcessMetrics.
        new UptimeMetrics().bindTo(prometheus);
        new ProcessMetrics().bindTo(prometheus);
        new JvmMemoryMetrics().bindTo(prometheus);
        new JvmThreadMetrics().bindTo(prometheus);
        gcMetrics = new JvmGcMetrics();
        gcMetrics.bindTo(prometheus);
    }

    /** A vet began: {@code farmvet_vet_running} is 1 until {@link #vetFinished}. */
    @Override
    public synchronized void vetStarted() {
        running.value = 1;
        lastStartSeconds.value = nowSeconds();
    }

    /**
     * A vet ended with this report: records its duration in the farm-vet timer (Prometheus under its status,
     * JMX over all), replaces the last-vet gauges of the primary and of every node in the report, and sets the
     * end (and, unless the vet was incomplete, success) timestamps. Nodes configured but absent from the report
     * (a vet of chosen nodes) keep the values of the last vet that covered them. A node in the report that is
     * not configured (a report from before a reload) gets its series on the spot. The farm label is always the
     * one this instance was built with.
     */
    @Override
    public synchronized void vetFinished(VetReport report) {
        Objects.requireNonNull(report, "report");
        String outcome = report.status().wireName();
        long durationMs = Math.max(0, report.durationMs());
        vetTimers.get(outcome).record(durationMs, TimeUnit.MILLISECONDS);
        if (jmxVetTimer != null) {
            jmxVetTimer.record(durationMs, TimeUnit.MILLISECONDS);
        }
        lastOutcome.forEach((name, cell) -> cell.value = name.equals(outcome) ? 1 : 0);

        VetReport.PrimaryResult p = report.primary();
        primary.update(!p.failed(), p.durationMs(), p.bytes(), p.repositories());
        primary.clockSkew(p.clockSkewMs());

        int failed = 0;
        for (VetReport.NodeResult n : report.nodes()) {
            NodeSeries node = node(n.name());
            node.update(!n.failed(), n.durationMs(), n.bytes(), n.repositories());
            node.updateDrift(n);
            node.clockSkew(n.clockSkewMs());
            node.refChangesQueue(report.sync().node(n.name()).refChangesQueue());
            if (n.failed()) {
                failed++;
            }
        }
        nodesFailed.value = failed;
        memberMismatches.update(report.members());
        for (VetReport.NodeResult n : report.nodes()) {
            if (n.state() != null) {
                nodeStatus(n.name(), n.state());
            }
            for (RepairEntry repair : n.repairs()) {
                repairOutcome(n.name(), repair.outcome().wireName());
                if (repair.cycleTime() != null) {
                    repairCycleTime(n.name(), repair.cycleTime());
                }
            }
        }

        double now = nowSeconds();
        lastEndSeconds.value = now;
        if (report.status() != VetReport.Status.INCOMPLETE) {
            lastSuccessSeconds.value = now;
        }
        running.value = 0;
    }

    /** A config reload (SIGHUP or {@code POST /-/reload}) succeeded or failed and kept the old config. */
    @Override
    public synchronized void reloaded(boolean ok) {
        reloadSuccessful.value = ok ? 1 : 0;
        reloads.get(ok ? RELOAD_SUCCESS : RELOAD_FAILURE).increment();
        if (ok) {
            lastReloadSuccessSeconds.value = nowSeconds();
        }
    }

    /** The daemon could not write a finished vet to its run history. */
    @Override
    public synchronized void historyWriteFailed() {
        historyWriteFailures.increment();
    }

    /**
     * Counts one answered REST request: {@code route} is the route's template ({@code /api/v1/vets/{id}}, never a
     * raw path) or {@code other}; {@code method} is kept for the methods HTTP defines, others count as
     * {@code other}.
     */
    @Override
    public synchronized void requestServed(String route, String method, int status) {
        Counter.builder("farmvet.http.requests")
                .description("REST requests answered by the daemon, by route template, method and status")
                .tag("route", Objects.requireNonNull(route, "route"))
                .tag("method", HTTP_METHODS.contains(method) ? method : "other")
                .tag("status", Integer.toString(status))
                .register(prometheus)
                .increment();
    }

    /** Counts one Bitbucket webhook delivery by its outcome (a fixed set, registered at start). */
    @Override
    public void webhookReceived(String outcome) {
        webhookCounter(outcome).increment();
    }

    private Counter webhookCounter(String outcome) {
        return Counter.builder("farmvet.webhook.requests")
                .description("Bitbucket webhook deliveries to /api/v1/hooks/bitbucket, by outcome: accepted,"
                        + " duplicate, ignored, other-mirror, bad-signature, bad-request")
                .tag("outcome", outcome)
                .register(prometheus);
    }

    /**
     * A node's {@code /status} state: {@code farmvet_node_state} is 1 for this state and 0 for the other
     * {@link #NODE_STATES}. Case is ignored; a state not in the list counts as {@code UNKNOWN}.
     */
    public synchronized void nodeStatus(String node, String state) {
        Objects.requireNonNull(state, "state");
        String known = state.toUpperCase(Locale.ROOT);
        String current = NODE_STATES.contains(known) ? known : "UNKNOWN";
        node(node).states.forEach((name, cell) -> cell.value = name.equals(current) ? 1 : 0);
    }

    /**
     * Counts one repair entry of a node by its outcome, one of {@link #REPAIR_OUTCOMES}.
     *
     * @throws IllegalArgumentException for any other outcome: the series are fixed in advance, so an unknown
     *     name is a programming error, not data
     */
    public synchronized void repairOutcome(String node, String outcome) {
        Objects.requireNonNull(outcome, "outcome");
        Counter counter = node(node).repairs.get(outcome);
        if (counter == null) {
            throw new IllegalArgumentException(
                    "repair outcome '" + outcome + "' is not one of " + String.join(", ", REPAIR_OUTCOMES));
        }
        counter.increment();
    }

    /**
     * Records how long a repair of this node took from sending the request to the vet that found it repaired.
     * A negative duration (clock steps between the two) is dropped, as Micrometer drops it.
     */
    public synchronized void repairCycleTime(String node, Duration sentToRepaired) {
        Objects.requireNonNull(sentToRepaired, "sentToRepaired");
        node(node).cycleTime.record(sentToRepaired);
    }

    /**
     * After a config reload: registers every series of nodes that are new and removes every series of nodes
     * that are gone, so a removed node does not linger as a stale series.
     */
    @Override
    public synchronized void nodesChanged(List<String> nodeNames) {
        Set<String> wanted = new LinkedHashSet<>(nodeNames);
        for (String gone : new ArrayList<>(nodes.keySet())) {
            if (!wanted.contains(gone)) {
                nodes.remove(gone).removeFrom(prometheus);
            }
        }
        for (String node : wanted) {
            if (!nodes.containsKey(node)) {
                addNode(node);
            }
        }
    }

    /**
     * {@code farmvet_state_bytes}: the size of the state database file ({@code StateStore.file}), one stat call
     * per scrape, so that an alert sees it grow before the disk fills (issue 11); 0 while it does not exist.
     */
    public synchronized void stateFile(java.nio.file.Path file) {
        Gauge.builder("farmvet.state", file, f -> {
                    try {
                        return java.nio.file.Files.size(f);
                    } catch (java.io.IOException e) {
                        return 0;
                    }
                })
                .description("Size of the state database file (repair ledger and run history) under state.dir")
                .baseUnit("bytes")
                .register(prometheus);
    }

    /**
     * The cluster's gauges (issue 14, with {@code state.database}): {@code farmvet_cluster_instances}, {@code
     * farmvet_cluster_vet_lock_held} and {@code farmvet_cluster_clock_offset_seconds}. Each reads a value the
     * daemon keeps (refreshed in the background), so a scrape never waits on the database; NaN while unknown.
     */
    public synchronized void cluster(
            java.util.function.DoubleSupplier instances,
            java.util.function.BooleanSupplier holdsVetLock,
            java.util.function.DoubleSupplier clockOffsetSeconds) {
        Gauge.builder("farmvet.cluster.instances", instances, java.util.function.DoubleSupplier::getAsDouble)
                .description("farmvet instances that checked in with the cluster's scheduler lately")
                .strongReference(true) // the suppliers are lambdas nothing else holds
                .register(prometheus);
        Gauge.builder("farmvet.cluster.vet.lock.held", holdsVetLock, h -> h.getAsBoolean() ? 1 : 0)
                .description("1 while this instance holds the cluster's vet lock (runs the cluster's one vet)")
                .strongReference(true) // the suppliers are lambdas nothing else holds
                .register(prometheus);
        Gauge.builder(
                        "farmvet.cluster.clock.offset",
                        clockOffsetSeconds,
                        java.util.function.DoubleSupplier::getAsDouble)
                .description("The state database's clock minus this host's; Quartz's clustering needs under 1 s")
                .baseUnit("seconds")
                .strongReference(true) // the suppliers are lambdas nothing else holds
                .register(prometheus);
    }

    /** The Prometheus text exposition format 0.0.4 of every series; formatting only. */
    @Override
    public synchronized String scrape() {
        return prometheus.scrape();
    }

    /** {@value #VET_TIMER_JMX_NAME}, whether or not this instance owns it. */
    public ObjectName vetTimerObjectName() {
        return vetTimerObjectName;
    }

    /** Whether this instance registered the JMX timer (see the class comment on ownership). */
    synchronized boolean ownsJmx() {
        return jmx != null;
    }

    /** Unregisters the JMX beans this instance owns and stops both registries. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        synchronized (JMX_OWNERSHIP) {
            if (jmx != null) {
                jmx.close();
                jmx = null;
            }
        }
        gcMetrics.close();
        prometheus.close();
    }

    private JmxMeterRegistry newJmxRegistry(BitbucketJmxNames names) {
        MetricRegistry dropwizard = new MetricRegistry();
        JmxReporter reporter = JmxReporter.forRegistry(dropwizard)
                .registerWith(mbeanServer)
                .inDomain(BitbucketJmxNames.DOMAIN)
                .createsObjectNamesWith(names)
                // Bitbucket's timers: durations in milliseconds, rates per second (Dropwizard's defaults,
                // stated so that a change of defaults cannot move them).
                .convertDurationsTo(TimeUnit.MILLISECONDS)
                .convertRatesTo(TimeUnit.SECONDS)
                .build();
        JmxMeterRegistry registry = new JmxMeterRegistry(
                JmxConfig.DEFAULT, io.micrometer.core.instrument.Clock.SYSTEM, names, dropwizard, reporter);
        // The JMX registry's default convention camel-cases names (mirrorFarmVetTimer); Bitbucket's names are
        // the dotted parts as they are.
        registry.config().namingConvention(NamingConvention.identity);
        return registry;
    }

    private void registerFarmSeries() {
        for (VetReport.Status status : VetReport.Status.values()) {
            String outcome = status.wireName();
            vetTimers.put(
                    outcome,
                    Timer.builder("farmvet.vet.duration")
                            .description("Total time to detect and fix all inconsistent repositories in one farm"
                                    + " vet, by the vet's outcome")
                            .tag("outcome", outcome)
                            .serviceLevelObjectives(VET_BUCKETS.toArray(Duration[]::new))
                            .distributionStatisticExpiry(MAX_SLOT)
                            .distributionStatisticBufferLength(MAX_WINDOW_SLOTS)
                            .register(prometheus));
            Cell cell = new Cell(0);
            lastOutcome.put(outcome, cell);
            gauge(
                    "farmvet.vet.last.outcome",
                    "1 for the outcome of the last vet, 0 for the others",
                    cell,
                    Tags.of("outcome", outcome),
                    null);
        }
        gauge(
                "farmvet.build.info",
                "Always 1; the version label is the running farmvet's",
                new Cell(1),
                Tags.of("version", version()),
                null);
        gauge("farmvet.vet.running", "1 while a vet runs, else 0", running, Tags.empty(), null);
        gauge(
                "farmvet.vet.last.start.timestamp",
                "When the last vet started, in seconds since the epoch; 0 before the first",
                lastStartSeconds,
                Tags.empty(),
                "seconds");
        gauge(
                "farmvet.vet.last.end.timestamp",
                "When the last vet ended, in seconds since the epoch; 0 before the first",
                lastEndSeconds,
                Tags.empty(),
                "seconds");
        gauge(
                "farmvet.vet.last.success.timestamp",
                "When the last vet that vetted the primary and every node it tried ended (outcome consistent or"
                        + " inconsistent), in seconds since the epoch; 0 before the first",
                lastSuccessSeconds,
                Tags.empty(),
                "seconds");
        gauge(
                "farmvet.nodes.failed",
                "Nodes whose listing did not arrive whole in the last vet; NaN before the first",
                nodesFailed,
                Tags.empty(),
                null);
        gauge(
                "farmvet.config.last.reload.successful",
                "1 if the last config reload succeeded (or none was tried), 0 if it failed and the old config is"
                        + " still in force",
                reloadSuccessful,
                Tags.empty(),
                null);
        gauge(
                "farmvet.config.last.reload.success.timestamp",
                "When the config in force was loaded, in seconds since the epoch",
                lastReloadSuccessSeconds,
                Tags.empty(),
                "seconds");
        for (String result : List.of(RELOAD_SUCCESS, RELOAD_FAILURE)) {
            reloads.put(
                    result,
                    Counter.builder("farmvet.config.reloads")
                            .description("Config reloads (SIGHUP or POST /-/reload), by result")
                            .tag("result", result)
                            .register(prometheus));
        }
    }

    private NodeSeries node(String name) {
        NodeSeries node = nodes.get(Objects.requireNonNull(name, "node"));
        return node != null ? node : addNode(name);
    }

    private NodeSeries addNode(String name) {
        requireName(name, "node name");
        if (name.equals(FarmvetConfig.PRIMARY_NAME)) {
            throw new IllegalArgumentException(
                    "node name '" + name + "' is taken by the primary's series (node=\"primary\")");
        }
        NodeSeries node = new NodeSeries(name);
        nodes.put(name, node);
        return node;
    }

    private Gauge gauge(String name, String description, Cell cell, Tags tags, String baseUnit) {
        return Gauge.builder(name, cell, c -> c.value)
                .description(description)
                .tags(tags)
                .baseUnit(baseUnit)
                .strongReference(true)
                .register(prometheus);
    }

    private double nowSeconds() {
        return clock.millis() / 1000.0;
    }

    private static String requireName(String name, String what) {
        Objects.requireNonNull(name, what);
        if (name.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
        return name;
    }

    static String version() {
        String version = FarmMetrics.class.getPackage().getImplementationVersion();
        return version == null ? DEVELOPMENT_VERSION : version;
    }

    /** The registry's clock: the timers' maxima rotate on its wall time, which tests move. */
    private static io.micrometer.core.instrument.Clock micrometerClock(Clock clock) {
        return new io.micrometer.core.instrument.Clock() {
            @Override
            public long wallTime() {
                return clock.millis();
            }

            @Override
            public long monotonicTime() {
                return io.micrometer.core.instrument.Clock.SYSTEM.monotonicTime();
            }
        };
    }

    private static List<String> repairOutcomes() {
        Set<String> names = new LinkedHashSet<>();
        for (RepairOutcome outcome : RepairOutcome.values()) {
            names.add(outcome.wireName());
        }
        for (VerificationOutcome outcome : VerificationOutcome.values()) {
            names.add(outcome.wireName());
        }
        return List.copyOf(names);
    }

    /** One number behind a gauge: written under the instance's lock, read by scrapes without it. */
    private static final class Cell {
        volatile double value;

        Cell(double value) {
            this.value = value;
        }
    }

    /** The listing series of one server, the primary or a node, as of the last vet that fetched from it. */
    private class ServerSeries {
        final String name;
        final List<Meter> meters = new ArrayList<>();
        private final Cell success = new Cell(Double.NaN);
        private final Cell fetchMs = new Cell(Double.NaN);
        private final Cell bytes = new Cell(Double.NaN);
        private final Cell repositories = new Cell(Double.NaN);
        private final Cell clockSkewSeconds = new Cell(Double.NaN);

        ServerSeries(String name) {
            this.name = name;
            Tags tags = Tags.of("node", name);
            meters.add(gauge(
                    "farmvet.listing.success",
                    "1 if the server's repo-hashes listing arrived whole in the last vet, 0 if not, NaN before"
                            + " the first; node=\"primary\" is the primary",
                    success,
                    tags,
                    null));
            meters.add(TimeGauge.builder("farmvet.listing.fetch.duration", fetchMs, TimeUnit.MILLISECONDS, c -> c.value)
                    .description("How long fetching the server's listing took in the last vet, until it ended"
                            + " or failed")
                    .tags(tags)
                    .strongReference(true)
                    .register(prometheus));
            meters.add(gauge(
                    "farmvet.listing.size",
                    "Bytes of the server's listing received in the last vet",
                    bytes,
                    tags,
                    "bytes"));
            meters.add(gauge(
                    "farmvet.listing.repositories",
                    "Repositories in the server's listing in the last vet; NaN when it did not arrive whole",
                    repositories,
                    tags,
                    null));
            meters.add(gauge(
                    "farmvet.clock.skew",
                    "The server's clock minus farmvet's in the last vet, from the Date header of its listing answer"
                            + " (1 s resolution; positive: ahead); NaN when it sent no readable Date. Bitbucket's"
                            + " primary and mirrors stop syncing beyond 30 s",
                    clockSkewSeconds,
                    tags,
                    "seconds"));
        }

        final void clockSkew(Long skewMs) {
            clockSkewSeconds.value = skewMs == null ? Double.NaN : skewMs / 1000.0;
        }

        final void update(boolean ok, long durationMs, long receivedBytes, Long repositoryCount) {
            success.value = ok ? 1 : 0;
            fetchMs.value = durationMs;
            bytes.value = receivedBytes;
            repositories.value = repositoryCount == null ? Double.NaN : repositoryCount;
        }

        final void removeFrom(MeterRegistry registry) {
            meters.forEach(registry::remove);
        }
    }

    /** A node's series: its listing, drift, state, repairs and repair cycle time. */
    private final class NodeSeries extends ServerSeries {
        private final Cell inconsistentRepositories = new Cell(Double.NaN);
        private final Cell refChangesQueue = new Cell(Double.NaN);
        private final Map<Kind, Cell> kinds = new EnumMap<>(Kind.class);
        final Map<String, Cell> states = new LinkedHashMap<>();
        final Map<String, Counter> repairs = new LinkedHashMap<>();
        final Timer cycleTime;

        NodeSeries(String name) {
            super(name);
            Tags tags = Tags.of("node", name);
            meters.add(gauge(
                    "farmvet.node.inconsistent.repositories",
                    "Repositories that differ from the primary on the node in the last vet, whatever the kinds;"
                            + " NaN before the first and when its listing did not arrive whole",
                    inconsistentRepositories,
                    tags,
                    null));
            for (Kind kind : Kind.values()) {
                Cell cell = new Cell(Double.NaN);
                kinds.put(kind, cell);
                meters.add(gauge(
                        "farmvet.node.inconsistencies",
                        "Repositories on the node with this kind of drift in the last vet (one repository may"
                                + " count under several kinds); NaN before the first and when its listing did not"
                                + " arrive whole",
                        cell,
                        tags.and("kind", kind.wireName()),
                        null));
            }
            for (String state : NODE_STATES) {
                Cell cell = new Cell(0);
                states.put(state, cell);
                meters.add(gauge(
                        "farmvet.node.state",
                        "1 for the node's last polled /status state, 0 for the other known states; all 0"
                                + " before the first poll",
                        cell,
                        tags.and("state", state),
                        null));
            }
            for (String outcome : REPAIR_OUTCOMES) {
                Counter counter = Counter.builder("farmvet.repairs")
                        .description("Repair entries of the node by outcome: what a vet did (sent, dry-run,"
                                + " failed, skipped, refused) and how earlier repairs ended (repaired,"
                                + " still-divergent)")
                        .tags(tags.and("outcome", outcome))
                        .register(prometheus);
                repairs.put(outcome, counter);
                meters.add(counter);
            }
            meters.add(gauge(
                    "farmvet.ref.changes.queue",
                    "The farm's pending sync requests as the node's supportInfo/refChangesQueue/count said in the"
                            + " last vet (issue 12); NaN when not read (no ADMIN, an older version, no answer)",
                    refChangesQueue,
                    tags,
                    null));
            cycleTime = Timer.builder("farmvet.repair.cycle.duration")
                    .description(
                            "Time from sending a repair request to the vet that found the repository" + " repaired")
                    .tags(tags)
                    .serviceLevelObjectives(REPAIR_CYCLE_BUCKETS.toArray(Duration[]::new))
                    .distributionStatisticExpiry(MAX_SLOT)
                    .distributionStatisticBufferLength(MAX_WINDOW_SLOTS)
                    .register(prometheus);
            meters.add(cycleTime);
        }

        void refChangesQueue(Long count) {
            refChangesQueue.value = count == null ? Double.NaN : count;
        }

        void updateDrift(VetReport.NodeResult result) {
            if (result.failed()) {
                // Nothing is concluded from a partial listing: unknown, not zero, so a failing node does not
                // look healed to the drift alerts.
                inconsistentRepositories.value = Double.NaN;
                kinds.values().forEach(c -> c.value = Double.NaN);
                return;
            }
            inconsistentRepositories.value = result.inconsistencies().size();
            Map<Kind, Integer> counts = new EnumMap<>(Kind.class);
            for (Inconsistency inconsistency : result.inconsistencies()) {
                for (Kind kind : inconsistency.kinds()) {
                    counts.merge(kind, 1, Integer::sum);
                }
            }
            kinds.forEach((kind, cell) -> cell.value = counts.getOrDefault(kind, 0));
        }
    }
}
