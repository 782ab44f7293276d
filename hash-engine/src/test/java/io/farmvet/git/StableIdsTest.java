package io.farmvet.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class StableIdsTest {
    @Test
    void pinnedExamplesMatchTheDocumentedDerivation() {
        // printf 'farmvet-project-id 1\nPROJ' | sha256sum -> 9f0115ded867f2e1...; & (2^53-1) = 305521834324705
        assertThat(StableIds.projectId("PROJ")).isEqualTo(305_521_834_324_705L);
        // printf 'farmvet-repository-id 1\nPROJ/repo' | sha256sum -> 92b97456ad294433...
        assertThat(StableIds.repositoryId("PROJ", "repo")).isEqualTo(7_164_790_038_938_675L);
        // Keys are not case-folded: another directory, another project.
        assertThat(StableIds.projectId("proj")).isEqualTo(4_095_442_554_887_490L);
    }

    @Test
    void sameNamesGiveTheSameIdsAndIdsFitInAJavaScriptNumber() {
        SplittableRandom random = new SplittableRandom(20261122L);
        Set<Long> ids = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String key = "P" + random.nextInt(1_000_000);
            String slug = "repo-" + i;
            long id = StableIds.repositoryId(key, slug);
            assertThat(id).isEqualTo(StableIds.repositoryId(key, slug)).isBetween(1L, StableIds.MAX_ID);
            assertThat(StableIds.projectId(key)).isBetween(1L, (1L << 53) - 1);
            ids.add(id);
        }
        assertThat(ids).hasSize(10_000);
    }

    @Test
    void theSeparatorKeepsKeyAndSlugApart() {
        assertThat(StableIds.repositoryId("AB", "C")).isNotEqualTo(StableIds.repositoryId("A", "BC"));
        assertThatThrownBy(() -> StableIds.repositoryId("A/B", "C")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StableIds.projectId("")).isInstanceOf(IllegalArgumentException.class);
    }
}
