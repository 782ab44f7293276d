package io.farmvet.repair.plan;

import static io.farmvet.compare.Kind.CONTENT;
import static io.farmvet.compare.Kind.EXTRA;
import static io.farmvet.compare.Kind.METADATA;
import static io.farmvet.compare.Kind.MISSING;
import static io.farmvet.repair.testing.Tables.primary;
import static io.farmvet.repair.testing.Tables.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.farmvet.compare.Inconsistency;
import io.farmvet.compare.Kind;
import io.farmvet.compare.PrimaryTable;
import io.farmvet.repair.plan.Confirmation.InFlight;
import io.farmvet.repair.plan.Confirmation.InFlightReason;
import io.farmvet.repair.testing.Tables;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConfirmationTest {
    private static final String A = "a".repeat(64);
    private static final String B = "b".repeat(64);
    private static final String M1 = "1".repeat(64);
    private static final String M2 = "2".repeat(64);

    private static final PrimaryTable PRIMARY = primary(row(1, 10, A, M1), row(1, 11, A, M1), row(2, 20, A, M1));

    @Test
    void stillWrongWithAnUnchangedPrimaryIsConfirmed() {
        List<Inconsistency> first = List.of(i(10, 1, CONTENT), i(20, 2, MISSING));
        Confirmation c = Confirmation.of(first, PRIMARY, List.of(i(10, 1, CONTENT), i(20, 2, MISSING)), copy());

        assertThat(c.confirmed()).containsExactly(i(10, 1, CONTENT), i(20, 2, MISSING));
        assertThat(c.inFlight()).isEmpty();
        assertThat(c.healed()).isEmpty();
    }

    @Test
    void aSubsetOfTheKindsIsConfirmedWithTheSecondLooksKinds() {
        Confirmation c =
                Confirmation.of(List.of(i(10, 1, CONTENT, METADATA)), PRIMARY, List.of(i(10, 1, METADATA)), copy());

        assertThat(c.confirmed()).containsExactly(i(10, 1, METADATA));
    }

    @Test
    void newKindsOnTheSecondLookMeanTheNodeIsChanging() {
        Confirmation c =
                Confirmation.of(List.of(i(10, 1, CONTENT)), PRIMARY, List.of(i(10, 1, CONTENT, METADATA)), copy());

        assertThat(c.confirmed()).isEmpty();
        assertThat(c.inFlight()).containsExactly(new InFlight(i(10, 1, CONTENT), InFlightReason.NODE_CHANGED));
    }

    @Test
    void aMismatchGoneOnTheSecondLookHealed() {
        Confirmation c = Confirmation.of(
                List.of(i(10, 1, CONTENT), i(11, 1, METADATA)), PRIMARY, List.of(i(11, 1, METADATA)), copy());

        assertThat(c.healed()).containsExactly(i(10, 1, CONTENT));
        assertThat(c.confirmed()).containsExactly(i(11, 1, METADATA));
    }

    @Test
    void aPrimaryWhoseHashMovedMeansAWriteWasInFlight() {
        PrimaryTable contentMoved = primary(row(1, 10, B, M1), row(1, 11, A, M1), row(2, 20, A, M1));
        PrimaryTable metadataMoved = primary(row(1, 10, A, M2), row(1, 11, A, M1), row(2, 20, A, M1));
        PrimaryTable projectMoved = primary(row(3, 10, A, M1), row(1, 11, A, M1), row(2, 20, A, M1));
        PrimaryTable deleted = primary(row(1, 11, A, M1), row(2, 20, A, M1));
        List<Inconsistency> wrong = List.of(i(10, 1, CONTENT));

        for (PrimaryTable second : List.of(contentMoved, metadataMoved, projectMoved, deleted)) {
            Confirmation c = Confirmation.of(wrong, PRIMARY, wrong, second);
            assertThat(c.confirmed()).isEmpty();
            assertThat(c.inFlight()).containsExactly(new InFlight(i(10, 1, CONTENT), InFlightReason.PRIMARY_CHANGED));
        }
    }

    @Test
    void hashCaseDoesNotCountAsAMove() {
        PrimaryTable upper = primary(row(1, 10, A.toUpperCase(), M1), row(1, 11, A, M1), row(2, 20, A, M1));
        List<Inconsistency> wrong = List.of(i(10, 1, CONTENT));

        assertThat(Confirmation.of(wrong, PRIMARY, wrong, upper).confirmed()).containsExactly(i(10, 1, CONTENT));
    }

    @Test
    void anExtraRepositoryIsConfirmedOnlyWhileThePrimaryStillLacksIt() {
        List<Inconsistency> extra = List.of(i(99, 5, EXTRA));
        PrimaryTable created = primary(row(1, 10, A, M1), row(1, 11, A, M1), row(2, 20, A, M1), row(5, 99, A, M1));

        assertThat(Confirmation.of(extra, PRIMARY, extra, copy()).confirmed()).containsExactly(i(99, 5, EXTRA));
        assertThat(Confirmation.of(extra, PRIMARY, extra, created).inFlight())
                .extracting(InFlight::reason)
                .containsExactly(InFlightReason.PRIMARY_CHANGED);
    }

    @Test
    void whatOnlyTheSecondLookFoundWaitsForTheNextVet() {
        Confirmation c = Confirmation.of(List.of(), PRIMARY, List.of(i(11, 1, CONTENT)), copy());

        assertThat(c.confirmed()).isEmpty();
        assertThat(c.unconfirmed()).containsExactly(i(11, 1, CONTENT));
    }

    @Test
    void withoutSettleEverythingFoundOnceIsConfirmed() {
        List<Inconsistency> first = List.of(i(20, 2, MISSING), i(10, 1, CONTENT));

        Confirmation c = Confirmation.withoutSettle(first);

        assertThat(c.confirmed()).containsExactly(i(10, 1, CONTENT), i(20, 2, MISSING));
        assertThat(c.inFlight()).isEmpty();
        assertThat(c.healed()).isEmpty();
    }

    /** Seeded random looks: every first verdict lands in exactly one bucket and nothing unsafe is confirmed. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 2026})
    void everyFirstVerdictLandsInExactlyOneBucketAndOnlySafeOnesAreConfirmed(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int size = 200;
        List<Tables.Row> rows1 = new ArrayList<>();
        List<Tables.Row> rows2 = new ArrayList<>();
        for (int id = 1; id <= size; id++) {
            rows1.add(row(1, id, A, M1));
            if (random.nextInt(10) != 0) {
                rows2.add(random.nextInt(10) == 0 ? row(1, id, B, M1) : row(1, id, A, M1));
            }
        }
        PrimaryTable p1 = primary(rows1.toArray(Tables.Row[]::new));
        PrimaryTable p2 = primary(rows2.toArray(Tables.Row[]::new));
        List<Inconsistency> first = new ArrayList<>();
        List<Inconsistency> second = new ArrayList<>();
        for (int id = 1; id <= size; id++) {
            if (random.nextInt(3) == 0) {
                first.add(i(id, 1, randomKinds(random)));
            }
            if (random.nextInt(3) == 0) {
                second.add(i(id, 1, randomKinds(random)));
            }
        }

        Confirmation c = Confirmation.of(first, p1, second, p2);

        Set<Long> seen = new HashSet<>();
        c.confirmed().forEach(x -> assertThat(seen.add(x.repositoryId())).isTrue());
        c.inFlight().forEach(x -> assertThat(seen.add(x.first().repositoryId())).isTrue());
        c.healed().forEach(x -> assertThat(seen.add(x.repositoryId())).isTrue());
        assertThat(seen)
                .containsExactlyInAnyOrderElementsOf(
                        first.stream().map(Inconsistency::repositoryId).toList());
        for (Inconsistency confirmed : c.confirmed()) {
            Inconsistency was = first.stream()
                    .filter(x -> x.repositoryId() == confirmed.repositoryId())
                    .findFirst()
                    .orElseThrow();
            assertThat(second).contains(confirmed);
            assertThat(was.kinds()).containsAll(confirmed.kinds());
            assertThat(Confirmation.samePrimaryEntry(confirmed.repositoryId(), p1, p2))
                    .isTrue();
        }
    }

    private static Set<Kind> randomKinds(SplittableRandom random) {
        EnumSet<Kind> kinds = EnumSet.noneOf(Kind.class);
        if (random.nextBoolean()) {
            kinds.add(CONTENT);
        }
        if (random.nextBoolean() || kinds.isEmpty()) {
            kinds.add(METADATA);
        }
        return kinds;
    }

    private static PrimaryTable copy() {
        return primary(row(1, 10, A, M1), row(1, 11, A, M1), row(2, 20, A, M1));
    }

    private static Inconsistency i(long repo, long project, Kind... kinds) {
        return new Inconsistency(repo, project, EnumSet.of(kinds[0], kinds));
    }

    private static Inconsistency i(long repo, long project, Set<Kind> kinds) {
        return new Inconsistency(repo, project, kinds);
    }
}
