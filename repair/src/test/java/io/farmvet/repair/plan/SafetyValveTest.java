package io.farmvet.repair.plan;

import static io.farmvet.repair.testing.Tables.primary;
import static io.farmvet.repair.testing.Tables.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.farmvet.compare.PrimaryTable;
import org.junit.jupiter.api.Test;

class SafetyValveTest {
    private final SafetyValve defaults = new SafetyValve(0.05, 100);

    @Test
    void fivePercentOfTheInScopeRepositories() {
        assertThat(defaults.limit(1000)).isEqualTo(50);
        assertThat(defaults.allows(50, 1000)).isTrue();
        assertThat(defaults.allows(51, 1000)).isFalse();
        assertThat(defaults.limit(100)).isEqualTo(5);
        assertThat(defaults.limit(119)).isEqualTo(5);
    }

    @Test
    void maxPerRunCapsLargeFarms() {
        assertThat(defaults.limit(100_000)).isEqualTo(100);
        assertThat(defaults.allows(101, 100_000)).isFalse();
    }

    @Test
    void aSmallFarmCanStillHaveOneRepositoryRepaired() {
        assertThat(defaults.limit(19)).isEqualTo(1);
        assertThat(defaults.limit(0)).isEqualTo(1);
        assertThat(defaults.allows(1, 3)).isTrue();
        assertThat(defaults.allows(2, 3)).isFalse();
    }

    @Test
    void refusalSaysHowManyOfHowMany() {
        assertThat(SafetyValve.refusal(600, 1000)).isEqualTo("mass divergence (600 of 1000)");
    }

    @Test
    void inScopeCountsOnlyTheScopesProjects() {
        PrimaryTable table = primary(row(1, 1, "a", "b"), row(1, 2, "a", "b"), row(2, 3, "a", "b"));

        assertThat(SafetyValve.inScopeRepositories(table, p -> p == 1)).isEqualTo(2);
        assertThat(SafetyValve.inScopeRepositories(table, p -> true)).isEqualTo(3);
    }

    @Test
    void limitsAreValidatedWithTheirKeys() {
        assertThatThrownBy(() -> new SafetyValve(0, 100)).hasMessageStartingWith("repair.max-fraction:");
        assertThatThrownBy(() -> new SafetyValve(0.05, 0)).hasMessageStartingWith("repair.max-per-run:");
    }
}
