package io.farmvet.vet;

import static io.farmvet.testing.Listings.hash;
import static org.assertj.core.api.Assertions.assertThat;

import io.farmvet.compare.FarmComparison;
import io.farmvet.compare.Inconsistency;
import io.farmvet.compare.Kind;
import io.farmvet.compare.NodeComparison;
import io.farmvet.compare.PrimaryTable;
import io.farmvet.compare.Scope;
import io.farmvet.listing.ListingFormatException;
import io.farmvet.listing.ListingKind;
import io.farmvet.listing.ListingLimits;
import io.farmvet.listing.ListingReader;
import io.farmvet.testing.Listings;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A node's read against a primary table that is not ready yet: what is read early is held within the budget and
 * a slot, judged once the table comes, and gives both back whatever happens.
 */
class NodeReadAheadTest {
    private static final int BUDGET_KIB = 64; // the backlog's first chunk: some 800 entries, then it waits
    private final ListingReader reader = new ListingReader(ListingLimits.DEFAULTS);
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final Listings primaryListing = Listings.generated(3000, 7);
    private final Listings nodeListing = Listings.generated(3000, 7)
            .with(17, r -> new Listings.Repo(r.project(), r.id(), hash("x", 17), r.metadata()))
            .with(2900, r -> new Listings.Repo(r.project(), r.id(), r.content(), hash("y", 2900)))
            .add(1, 5000, hash("c", 5000), hash("m", 5000));
    private final Semaphore slots = new Semaphore(1);
    private final Semaphore budget = new Semaphore(BUDGET_KIB);
    private final CompletableFuture<PrimaryTable> primary = new CompletableFuture<>();

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    @Test
    void readsAheadWithinTheBudgetThenJudgesAsIfItHadWaited() throws Exception {
        NodeReadAhead reading = reading();
        Future<?> read = read(nodeListing.shuffledJson(3), reading);

        awaitBudgetSpent(reading);
        assertThat(read).isNotDone();
        assertThat(slots.availablePermits()).as("the slot is taken").isZero();
        primary.complete(table(primaryListing));
        read.get(30, TimeUnit.SECONDS);
        reading.release();

        assertThat(verdicts(reading.comparison())).isEqualTo(expectedVerdicts()).hasSize(3);
        assertThat(budget.availablePermits()).isEqualTo(BUDGET_KIB);
        assertThat(slots.availablePermits()).isEqualTo(1);
    }

    @Test
    void withoutASlotItWaitsForTheTableBeforeHoldingAnything() throws Exception {
        slots.acquire();
        NodeReadAhead reading = reading();
        Future<?> read = read(nodeListing.json(), reading);

        assertThat(reading.waitingForTable().get(30, TimeUnit.SECONDS))
                .as("entries given to the read when it stopped for the table")
                .isEqualTo(1);
        assertThat(budget.availablePermits()).as("nothing held").isEqualTo(BUDGET_KIB);
        assertThat(read).isNotDone();
        primary.complete(table(primaryListing));
        read.get(30, TimeUnit.SECONDS);

        assertThat(verdicts(reading.comparison())).isEqualTo(expectedVerdicts());
    }

    @Test
    void aTableReadyFirstIsUsedAtOnce() throws Exception {
        primary.complete(table(primaryListing));
        NodeReadAhead reading = reading();
        read(nodeListing.json(), reading).get(30, TimeUnit.SECONDS);

        assertThat(verdicts(reading.comparison())).isEqualTo(expectedVerdicts());
        assertThat(slots.availablePermits()).as("never taken").isEqualTo(1);
    }

    @Test
    void aPrimaryThatFailsStopsTheReadAndFreesTheBudget() throws Exception {
        NodeReadAhead reading = reading();
        Future<?> read = read(nodeListing.json(), reading);
        awaitBudgetSpent(reading);

        primary.completeExceptionally(new IllegalStateException("primary broke"));
        Throwable failure = catchFailure(read);
        reading.release();

        assertThat(failure).isInstanceOf(NodeReadAhead.PrimaryUnavailable.class);
        assertThat(((NodeReadAhead.PrimaryUnavailable) failure).interrupted()).isFalse();
        assertThat(budget.availablePermits()).isEqualTo(BUDGET_KIB);
        assertThat(slots.availablePermits()).isEqualTo(1);
    }

    @Test
    void aCancelledVetStopsTheWait() throws Exception {
        NodeReadAhead reading = reading();
        Future<?> read = read(nodeListing.json(), reading);
        awaitBudgetSpent(reading);

        read.cancel(true);
        // The reading thread sees the interrupt, frees what it held and ends.
        threads.shutdown();
        assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        reading.release();
        assertThat(budget.availablePermits()).isEqualTo(BUDGET_KIB);
        assertThat(slots.availablePermits()).isEqualTo(1);
    }

    @Test
    void emptyProjectsReadAheadStayWithinTheBudget() throws Exception {
        // A node that lists nothing but 20,000 empty projects: held only as far as the budget goes (some 2,000),
        // then the read waits for the table, as it would for repositories.
        StringBuilder json = new StringBuilder("{\"projects\":[");
        for (int p = 1; p <= 20_000; p++) {
            json.append(p == 1 ? "" : ",").append("{\"id\":").append(p).append(",\"repositories\":[]}");
        }
        String listing = json.append("]}").toString();
        NodeReadAhead reading = reading();
        Future<?> read = read(listing, reading);

        awaitBudgetSpent(reading);
        assertThat(read).isNotDone();
        primary.complete(table(primaryListing));
        read.get(30, TimeUnit.SECONDS);

        List<Inconsistency> verdicts = verdicts(reading.comparison());
        assertThat(verdicts).hasSize(3000).allSatisfy(i -> assertThat(i.kinds()).containsExactly(Kind.MISSING));
        assertThat(budget.availablePermits()).isEqualTo(BUDGET_KIB);
    }

    @Test
    void aRepositoryListedTwiceAmongTheEarlyOnesIsNamed() throws Exception {
        // Project 2 is listed first and holds repository 8 at its start: both listings of 8 are read early.
        String twice = nodeListing.add(2, 8, hash("c", 8), hash("m", 8)).json();
        NodeReadAhead reading = reading();
        Future<?> read = read(twice, reading);
        awaitBudgetSpent(reading);
        primary.complete(table(primaryListing));

        Throwable failure = catchFailure(read);

        assertThat(failure).isInstanceOf(ListingFormatException.class);
        ListingFormatException e = (ListingFormatException) failure;
        assertThat(e.problem()).isEqualTo("repository 8 is listed twice");
        assertThat(e.nearRepositoryId()).isEqualTo(8);
    }

    private NodeReadAhead reading() {
        return new NodeReadAhead(primary, new NodeReadAhead.ReadAhead(slots, budget));
    }

    private Future<?> read(String json, NodeReadAhead reading) {
        return threads.submit(() -> {
            reader.read(
                    new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)),
                    "mirror-1",
                    ListingKind.FULL,
                    reading);
            return null;
        });
    }

    /** Waits until the read stops for the table, the budget spent on what it holds. */
    private void awaitBudgetSpent(NodeReadAhead reading) throws Exception {
        assertThat(reading.waitingForTable().get(30, TimeUnit.SECONDS))
                .as("entries given to the read when it stopped for the table")
                .isGreaterThan(1);
        assertThat(budget.availablePermits()).as("the first chunk is held").isZero();
    }

    private static Throwable catchFailure(Future<?> read) throws Exception {
        try {
            read.get(30, TimeUnit.SECONDS);
            throw new AssertionError("the read should have failed");
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        }
    }

    private PrimaryTable table(Listings listings) throws Exception {
        PrimaryTable table = new PrimaryTable();
        reader.read(
                new ByteArrayInputStream(listings.json().getBytes(StandardCharsets.UTF_8)),
                "primary",
                ListingKind.FULL,
                table);
        return table;
    }

    /** What a node's read straight against the table finds. */
    private List<Inconsistency> expectedVerdicts() throws Exception {
        PrimaryTable table = table(primaryListing);
        NodeComparison direct = new NodeComparison(table);
        reader.read(
                new ByteArrayInputStream(nodeListing.json().getBytes(StandardCharsets.UTF_8)),
                "mirror-1",
                ListingKind.FULL,
                direct);
        return FarmComparison.verdicts(table, direct, FarmComparison.scope(Scope.ALL, List.of(direct)));
    }

    private List<Inconsistency> verdicts(NodeComparison node) throws Exception {
        PrimaryTable table = primary.get();
        return FarmComparison.verdicts(table, node, FarmComparison.scope(Scope.ALL, List.of(node)));
    }
}
