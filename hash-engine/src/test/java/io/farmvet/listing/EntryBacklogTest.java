package io.farmvet.listing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.Test;

class EntryBacklogTest {
    private final ListingEntry entry = new ListingEntry();

    @Test
    void replaysEveryEntryAsAddedAcrossChunks() throws Exception {
        Semaphore budget = new Semaphore(1 << 20);
        EntryBacklog backlog = new EntryBacklog(budget);
        SplittableRandom random = new SplittableRandom(7);
        List<String> added = new ArrayList<>();
        // Enough for several chunks (64 KiB, 128 KiB, ...), with every shape of hash: absent, odd, longest, zero.
        for (int i = 0; i < 20_000; i++) {
            String content = i % 7 == 0 ? null : hex(random, 1 + random.nextInt(HashValue.MAX_HEX_LENGTH));
            String metadata = i % 11 == 0 ? null : i % 13 == 0 ? "0".repeat(40) : hex(random, 64);
            entry.set(random.nextLong(1_000), random.nextLong(Long.MAX_VALUE), content, metadata)
                    .slug("dropped");
            assertThat(backlog.add(entry)).isTrue();
            added.add(entry.toString());
        }
        assertThat(backlog.addProject(3, true, "KEY")).isTrue();
        assertThat(backlog.addProject(9, false, null)).isTrue();
        assertThat(backlog.size()).isEqualTo(20_000);
        assertThat(budget.availablePermits()).isLessThan(1 << 20);

        List<String> replayed = new ArrayList<>();
        List<String> projects = new ArrayList<>();
        backlog.replay(new ListingHandler() {
            @Override
            public void repository(ListingEntry e) {
                assertThat(e.slug()).isNull();
                replayed.add(e.toString());
            }

            @Override
            public void project(long projectId, boolean isPublic, String key) {
                projects.add(projectId + " " + isPublic + " " + key);
            }
        });

        assertThat(replayed).isEqualTo(added);
        assertThat(projects).containsExactly("3 true KEY", "9 false null");
        assertThat(budget.availablePermits()).as("all given back").isEqualTo(1 << 20);
        assertThat(backlog.size()).isZero();
    }

    @Test
    void refusesOnceTheBudgetIsSpentAndGivesItBack() throws Exception {
        Semaphore budget = new Semaphore(EntryBacklog.FIRST_CHUNK_KIB + 100); // the first chunk, not the second
        EntryBacklog backlog = new EntryBacklog(budget);
        int held = 0;
        while (backlog.add(entry.set(1, held, "ab".repeat(32), "cd".repeat(32)))) {
            held++;
        }
        assertThat(held)
                .as("82 bytes each in the first chunk")
                .isBetween(790, (EntryBacklog.FIRST_CHUNK_KIB << 10) / 82);
        assertThat(budget.availablePermits()).isEqualTo(100);
        assertThat(backlog.add(entry)).as("still refused").isFalse();

        backlog.release();
        backlog.release();
        assertThat(budget.availablePermits()).isEqualTo(EntryBacklog.FIRST_CHUNK_KIB + 100);
        assertThat(backlog.size()).isZero();
    }

    @Test
    void projectsAreChargedToTheBudgetToo() {
        // A node may list nothing but empty projects, millions of them: they must not hold more than the budget.
        Semaphore budget = new Semaphore(4);
        EntryBacklog backlog = new EntryBacklog(budget);
        int held = 0;
        while (backlog.addProject(held, false, "K".repeat(200))) {
            held++;
        }
        assertThat(held).as("about 440 bytes each in 4 KiB").isBetween(8, 10);
        assertThat(budget.availablePermits()).isZero();

        backlog.release();
        assertThat(budget.availablePermits()).isEqualTo(4);
        int withoutKeys = 0;
        while (backlog.addProject(withoutKeys, true, null)) {
            withoutKeys++;
        }
        assertThat(withoutKeys).isEqualTo(4 * 1024 / 32);
    }

    @Test
    void givesTheBudgetBackWhenTheHandlerRejectsAnEntry() {
        Semaphore budget = new Semaphore(1024);
        EntryBacklog backlog = new EntryBacklog(budget);
        backlog.add(entry.set(1, 5, "aa", "bb"));
        backlog.add(entry.set(1, 6, "aa", "bb"));

        assertThatThrownBy(() -> backlog.replay(e -> {
                    throw new EntryRejectedException("no", e.repositoryId());
                }))
                .isInstanceOf(EntryRejectedException.class);
        assertThat(budget.availablePermits()).isEqualTo(1024);
    }

    private static String hex(SplittableRandom random, int length) {
        StringBuilder hex = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            hex.append("0123456789abcdefABCDEF".charAt(random.nextInt(22)));
        }
        return hex.toString();
    }
}
