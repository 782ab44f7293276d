package io.farmvet.vet;

import io.farmvet.config.FarmvetConfig.Server;
import io.farmvet.fetch.FarmNodesProbe;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Who is in the farm against who is vetted, from each node's {@code farmNodes} list (issue 12). A member is
 * matched to a configured node by {@link Server#memberName} ({@code nodes[i].member}, else its {@code name}),
 * ignoring case. Immutable.
 *
 * @param checked whether any node gave a member list; when not, the two lists are empty and say nothing
 * @param unvettedMembers members some node lists that no configured node matches, sorted by name
 * @param unlistedNodes nodes of this vet (by {@code name}) that no member list names, although some node gave
 *     one; a node that has no farmNodes endpoint itself (a farmvet agent) is not expected in any list
 * @param notes one per node whose farmNodes call failed or answered something odd
 */
public record FarmMembership(
        boolean checked, List<UnvettedMember> unvettedMembers, List<String> unlistedNodes, List<String> notes) {

    public static final FarmMembership NOT_CHECKED = new FarmMembership(false, List.of(), List.of(), List.of());

    public FarmMembership {
        unvettedMembers = List.copyOf(unvettedMembers);
        unlistedNodes = List.copyOf(unlistedNodes);
        notes = List.copyOf(notes);
    }

    /**
     * A farm member farmvet does not vet.
     *
     * @param address its cluster address ({@code host:port}), null when not given
     * @param listedBy the configured nodes whose list names it
     */
    public record UnvettedMember(String name, String address, List<String> listedBy) {
        public UnvettedMember {
            listedBy = List.copyOf(listedBy);
        }
    }

    /** How many mismatches there are, unvetted members and unlisted nodes together. */
    public int mismatches() {
        return unvettedMembers.size() + unlistedNodes.size();
    }

    /**
     * @param answers each asked node's answer, in the order of {@code nodes}; a node not asked (a vet of chosen
     *     nodes) is absent, and a late answer is a note
     */
    static FarmMembership of(Map<Server, FarmNodesProbe.Answer> answers, List<Server> configured) {
        Map<String, Server> byMember = new LinkedHashMap<>();
        for (Server node : configured) {
            byMember.put(key(node.memberName()), node);
        }
        Map<String, FarmNodesProbe.Member> unmatched = new LinkedHashMap<>();
        Map<String, TreeSet<String>> listedBy = new LinkedHashMap<>();
        java.util.Set<String> listed = new java.util.HashSet<>();
        List<String> notes = new ArrayList<>();
        boolean checked = false;
        for (Map.Entry<Server, FarmNodesProbe.Answer> entry : answers.entrySet()) {
            FarmNodesProbe.Answer answer = entry.getValue();
            if (answer.note() != null) {
                notes.add(answer.note());
            }
            if (answer.members() == null) {
                continue;
            }
            checked = true;
            for (FarmNodesProbe.Member member : answer.members()) {
                String key = key(member.name());
                listed.add(key);
                if (!byMember.containsKey(key)) {
                    unmatched.putIfAbsent(key, member);
                    listedBy.computeIfAbsent(key, k -> new TreeSet<>())
                            .add(entry.getKey().name());
                }
            }
        }
        if (!checked) {
            return new FarmMembership(false, List.of(), List.of(), notes);
        }
        List<UnvettedMember> unvetted = new ArrayList<>();
        unmatched.forEach((key, member) ->
                unvetted.add(new UnvettedMember(member.name(), member.address(), List.copyOf(listedBy.get(key)))));
        unvetted.sort(java.util.Comparator.comparing(m -> key(m.name())));
        List<String> unlisted = new ArrayList<>();
        for (Server node : configured) {
            FarmNodesProbe.Answer own = answers.get(node);
            if (own == null) {
                continue; // not asked in this vet (a vet of chosen nodes)
            }
            boolean noEndpoint = own.members() == null && own.note() == null;
            if (!noEndpoint && !listed.contains(key(node.memberName()))) {
                unlisted.add(node.name());
            }
        }
        return new FarmMembership(true, unvetted, unlisted, notes);
    }

    private static String key(String name) {
        return name.strip().toLowerCase(Locale.ROOT);
    }
}
