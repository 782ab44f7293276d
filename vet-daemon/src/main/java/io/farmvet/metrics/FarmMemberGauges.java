package io.farmvet.metrics;

import io.farmvet.vet.FarmMembership;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code farmvet_farm_member_mismatches{kind}}: farm members farmvet does not vet ({@code unvetted-member}) and
 * vetted nodes their farm does not list ({@code unlisted-node}), as of the last vet; NaN before the first and
 * when no node gave its member list. Thread-safe.
 */
final class FarmMemberGauges {
    static final String UNVETTED_MEMBER = "unvetted-member";
    static final String UNLISTED_NODE = "unlisted-node";

    private final AtomicReference<FarmMembership> last = new AtomicReference<>(FarmMembership.NOT_CHECKED);

    FarmMemberGauges(MeterRegistry registry) {
        register(registry, UNVETTED_MEMBER, m -> m.unvettedMembers().size());
        register(registry, UNLISTED_NODE, m -> m.unlistedNodes().size());
    }

    void update(FarmMembership members) {
        last.set(members);
    }

    private void register(MeterRegistry registry, String kind, java.util.function.ToIntFunction<FarmMembership> count) {
        Gauge.builder("farmvet.farm.member.mismatches", last, ref -> {
                    FarmMembership members = ref.get();
                    return members.checked() ? count.applyAsInt(members) : Double.NaN;
                })
                .description("Farm members (GET rest/mirroring/latest/farmNodes of each node) that farmvet does not"
                        + " vet (kind unvetted-member) and vetted nodes that no member list names (unlisted-node)"
                        + " in the last vet; NaN before the first and when no node gave its list")
                .tag("kind", kind)
                .strongReference(true)
                .register(registry);
    }
}
