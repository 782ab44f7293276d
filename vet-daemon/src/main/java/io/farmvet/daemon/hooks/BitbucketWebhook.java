package io.farmvet.daemon.hooks;

import io.farmvet.config.FarmvetConfig;
import io.farmvet.config.Secret;
import io.farmvet.daemon.VetRequest;
import io.farmvet.daemon.VetRunner;
import io.farmvet.repair.ledger.LedgerException;
import io.farmvet.repair.ledger.RepairLedger;
import io.farmvet.report.SyncEvent;
import io.farmvet.state.StateDatabase;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/v1/hooks/bitbucket}: Bitbucket's {@code mirror:repo_synchronized} webhook, taken in this order,
 * each step answering before the next one runs:
 *
 * <ol>
 *   <li>the signature ({@code X-Hub-Signature}) against {@code server.webhook-secret-file}, before the body is
 *       parsed: bad or missing is 401 and nothing is recorded;
 *   <li>a repeated {@code X-Request-Id} is 200 {@code duplicate}, and nothing is done twice;
 *   <li>another event key ({@code X-Event-Key}, else the body's {@code eventKey}) is 202 {@code ignored};
 *   <li>a body of the wrong shape is 400 naming the field, and nothing is recorded;
 *   <li>an event of another mirror than the farm's ({@link FarmvetConfig.Farm#isMirror}) is 202 {@code
 *       other-mirror}, and nothing is recorded: a primary with several farms sends every farm's events to each
 *       hook, and another farm's sync says nothing of this one;
 *   <li>the event is taken: 202 {@code accepted}, and a {@link Debounce} of {@code vet.webhook-debounce} is armed.
 * </ol>
 *
 * When the debounce fires, the burst's events are written to the state store in one transaction
 * ({@link SyncEventStore}), and if any node has a pending repair of one of their repositories, a vet starts
 * through the single flight: one vet for a burst. If a vet is already running, the webhook's vet is <b>skipped
 * and re-armed</b> (the running vet may have read its listings before the sync, so it cannot stand in for it) and
 * tried again one debounce later. Nothing is written per delivery: a flood of signed deliveries costs memory
 * bounded by {@value #MAX_BUFFERED} events, then 503 (Bitbucket retries).
 *
 * Bodies beyond {@link #MAX_BODY_BYTES} are 413 ({@link #tooLarge}). Bitbucket sends no bearer token, so the
 * signature is this endpoint's only gate. Every answer is counted by outcome. Thread-safe.
 */
public final class BitbucketWebhook implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BitbucketWebhook.class);

    public static final String PATH = "/api/v1/hooks/bitbucket";
    public static final String EVENT = "mirror:repo_synchronized";
    /**
     * A synchronized event lists its ref changes, and Bitbucket empties the list beyond its ref limit
     * ({@code refLimitExceeded}); 1 MiB holds thousands of changes.
     */
    public static final int MAX_BODY_BYTES = 1 << 20;
    /** Events held between two firings of the debounce; one per (mirror, repository), so a burst of one push fits. */
    static final int MAX_BUFFERED = SyncEventStore.MAX_EVENTS;
    /** The request of a vet a webhook starts: every node, repairs as configured. */
    static final VetRequest DEBOUNCED_VET = new VetRequest(VetRequest.Trigger.WEBHOOK, false, List.of());
    /** Request ids longer than this are not Bitbucket's (it sends UUIDs) and are not remembered as given. */
    static final int MAX_REQUEST_ID = 200;

    /** How a delivery ended, as the metric's {@code outcome} label. */
    public enum Outcome {
        ACCEPTED,
        DUPLICATE,
        IGNORED,
        OTHER_MIRROR,
        BAD_SIGNATURE,
        BAD_REQUEST;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /**
     * One delivery.
     *
     * @param eventKey the {@code X-Event-Key} header, or null
     * @param requestId the {@code X-Request-Id} header, or null
     * @param signature the {@code X-Hub-Signature} header, or null
     */
    public record Delivery(String eventKey, String requestId, String signature, byte[] body) {}

    /**
     * The answer: {@code status} and, for 4xx and 5xx, the error {@code message}; for the others a short detail.
     *
     * @param outcome what the metric counts; null for a failure of farmvet's own (503)
     */
    public record Answer(int status, Outcome outcome, String message) {}

    private final Supplier<FarmvetConfig> config;
    private final SyncEventStore events;
    private final StateDatabase database;
    private final Clock clock;
    private final Consumer<Outcome> counter;
    private final RepeatedDeliveries repeated = new RepeatedDeliveries();
    private final Function<VetRequest, VetRunner.Start> start;
    private final Debounce debounce;
    private final Map<List<Object>, SyncEvent> buffered = new LinkedHashMap<>(); // guarded by this
    /** Mirrors whose ignored events were logged once, so a misnamed farm is visible without a line per event. */
    private final Set<String> otherMirrorsLogged = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private boolean vetOwed; // guarded by this: a vet that could not start while another ran

    /**
     * @param config the config in force, read at each delivery
     * @param start the single flight's door ({@link VetRunner#start})
     * @param counter counts each answer's outcome; must not throw
     */
    public BitbucketWebhook(
            Supplier<FarmvetConfig> config,
            StateDatabase database,
            Function<VetRequest, VetRunner.Start> start,
            Consumer<Outcome> counter,
            Clock clock) {
        this.config = config;
        this.database = database;
        this.events = new SyncEventStore(database);
        this.clock = clock;
        this.counter = counter;
        this.start = start;
        this.debounce = new Debounce(() -> config.get().vet().webhookDebounce(), this::fire);
    }

    /** The store of the sync events this endpoint records, for the report. */
    public SyncEventStore events() {
        return events;
    }

    /** The answer to a body larger than {@link #MAX_BODY_BYTES}, counted as a bad request. */
    public Answer tooLarge() {
        return counted(new Answer(413, Outcome.BAD_REQUEST, "the body is larger than " + MAX_BODY_BYTES + " bytes"));
    }

    /** Takes {@code delivery} under {@code secret} (the config's {@code server.webhook-secret-file}). */
    public Answer receive(Secret secret, Delivery delivery) {
        if (!HubSignature.matches(secret, delivery.body(), delivery.signature())) {
            return counted(new Answer(
                    401,
                    Outcome.BAD_SIGNATURE,
                    "the X-Hub-Signature header is missing or does not match the body; give the webhook on"
                            + " Bitbucket the secret in server.webhook-secret-file"));
        }
        String requestId = delivery.requestId();
        if (requestId != null && (requestId.length() > MAX_REQUEST_ID || requestId.isBlank())) {
            return counted(new Answer(
                    400, Outcome.BAD_REQUEST, "X-Request-Id must be 1 to " + MAX_REQUEST_ID + " characters"));
        }
        if (requestId != null && !repeated.claim(requestId)) {
            return counted(new Answer(200, Outcome.DUPLICATE, "delivery " + requestId + " was taken before"));
        }
        Answer answer = take(delivery, requestId);
        if (requestId != null
                && answer.outcome() != Outcome.ACCEPTED
                && answer.outcome() != Outcome.IGNORED
                && answer.outcome() != Outcome.OTHER_MIRROR) {
            repeated.release(requestId); // not taken: Bitbucket's retry must be
        }
        return counted(answer);
    }

    private Answer take(Delivery delivery, String requestId) {
        String headerKey = delivery.eventKey();
        if (headerKey != null && !headerKey.equals(EVENT)) {
            return ignored(headerKey);
        }
        SyncedPayload payload;
        try {
            payload = SyncedPayload.parse(delivery.body());
        } catch (SyncedPayload.BadShape e) {
            return new Answer(400, Outcome.BAD_REQUEST, e.getMessage());
        }
        if (headerKey == null
                && payload.eventKey() != null
                && !payload.eventKey().equals(EVENT)) {
            return ignored(payload.eventKey());
        }
        if (headerKey != null
                && payload.eventKey() != null
                && !payload.eventKey().equals(headerKey)) {
            return new Answer(
                    400,
                    Outcome.BAD_REQUEST,
                    "X-Event-Key says " + EVENT + " but the body's eventKey"
                            + " does not; send one event per delivery");
        }
        FarmvetConfig.Farm farm = config.get().farm();
        if (!farm.isMirror(payload.mirrorId(), payload.mirror())) {
            Answer answer = otherMirror(payload, farm);
            if (otherMirrorsLogged.size() < 100 && otherMirrorsLogged.add(String.valueOf(payload.mirrorId()))) {
                log.warn("webhook: {}", answer.message());
            }
            return answer;
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        SyncEvent event = new SyncEvent(payload.mirror(), payload.repositoryId(), payload.syncType(), requestId, now);
        List<Object> key = List.of(payload.mirror(), payload.repositoryId());
        synchronized (this) {
            if (buffered.size() >= MAX_BUFFERED && !buffered.containsKey(key)) {
                return new Answer(
                        503,
                        null,
                        "farmvet holds " + MAX_BUFFERED + " sync events not yet written; try" + " again in "
                                + debounce.window().toSeconds() + " s");
            }
            buffered.remove(key); // re-inserted last: the order is the order received
            buffered.put(key, event);
        }
        debounce.arm();
        return new Answer(
                202,
                Outcome.ACCEPTED,
                "taken; a vet follows within " + debounce.window().toMillis() + " ms if a repair of repository "
                        + payload.repositoryId() + " is pending");
    }

    /** The debounce fired: write the burst's events, then start one vet if one of them has a pending repair. */
    private void fire() {
        List<SyncEvent> burst;
        boolean owed;
        synchronized (this) {
            burst = new ArrayList<>(buffered.values());
            buffered.clear();
            owed = vetOwed;
            vetOwed = false;
        }
        try {
            events.record(burst);
        } catch (SQLException | RuntimeException e) {
            // Diagnostics only: the vet below still runs, and the report goes without these events.
            log.error(
                    "{} sync event(s) from Bitbucket webhooks cannot be written to {}: {}",
                    burst.size(),
                    database,
                    e.getMessage());
        }
        Set<Long> synced = new HashSet<>();
        burst.forEach(e -> synced.add(e.repositoryId()));
        if (!owed && !pendingRepair(synced)) {
            return;
        }
        VetRunner.Start started = start.apply(DEBOUNCED_VET);
        if (started.flight() == null || started.started()) {
            return; // stopping, or no vet can start now (the next scheduled one verifies the repairs)
        }
        log.info(
                "the webhooks' vet is skipped while vet {} runs, and tried again in {} ms",
                started.flight().id(),
                debounce.window().toMillis());
        synchronized (this) {
            vetOwed = true;
        }
        debounce.arm();
    }

    /**
     * Whether any node of the farm has a pending repair of one of {@code repositoryIds}. The webhook names the
     * mirror farm, the ledger the farm's nodes (each repaired on its own), so any of them counts. A ledger that
     * cannot be read starts nothing: the next scheduled vet verifies the repairs as it always does.
     */
    private boolean pendingRepair(Set<Long> repositoryIds) {
        if (repositoryIds.isEmpty()) {
            return false;
        }
        try (RepairLedger ledger = RepairLedger.open(database)) {
            for (FarmvetConfig.Server node : config.get().nodes()) {
                Map<Long, ?> pending = ledger.pending(node.name());
                for (long id : repositoryIds) {
                    if (pending.containsKey(id)) {
                        log.info("repository {} synced and has a pending repair on {}: vetting now", id, node.name());
                        return true;
                    }
                }
            }
            return false;
        } catch (LedgerException e) {
            log.warn("cannot read the repair ledger for the webhooks; no vet starts: {}", e.getMessage());
            return false;
        }
    }

    private static Answer ignored(String eventKey) {
        String shown = eventKey.length() > 64 ? eventKey.substring(0, 64) + "..." : eventKey;
        return new Answer(
                202,
                Outcome.IGNORED,
                "event " + shown.replaceAll("\\p{Cntrl}", "?") + " is not " + EVENT + "; ignored");
    }

    private static Answer otherMirror(SyncedPayload payload, FarmvetConfig.Farm farm) {
        String ours = farm.mirrorServerId() != null
                ? "farm.mirror-server-id is " + farm.mirrorServerId()
                : "farm.mirror-server-id is not set and farm.name is " + farm.name();
        return new Answer(
                202,
                Outcome.OTHER_MIRROR,
                "mirror " + payload.mirror() + " (id " + payload.mirrorId() + ") is not this farm's (" + ours
                        + "); ignored. If it is, set farm.mirror-server-id to its id (farmvet discover lists the"
                        + " primary's mirror servers)");
    }

    private Answer counted(Answer answer) {
        if (answer.outcome() != null) {
            try {
                counter.accept(answer.outcome());
            } catch (RuntimeException e) {
                log.error("the metrics observer failed", e);
            }
        }
        return answer;
    }

    @Override
    public void close() {
        debounce.close();
    }
}
