package io.farmvet.explain;

import io.farmvet.git.remote.AdvertisedRefs;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The refs that differ for one repository between the primary and one node, sorted by name: the first
 * {@link #MAX_LISTED} of them, and how many more there are. Immutable.
 *
 * @param omitted differing refs not listed, beyond {@link #MAX_LISTED}
 */
public record RepositoryRefs(long repositoryId, List<RefDiff> refs, int omitted) {
    /** A person reads a hundred refs; a repository that differs in thousands is better fetched than listed. */
    public static final int MAX_LISTED = 100;

    public RepositoryRefs {
        refs = List.copyOf(refs);
    }

    /** The refs of {@code primary} and {@code node} that are absent on one side or point elsewhere. */
    public static RepositoryRefs between(long repositoryId, AdvertisedRefs primary, AdvertisedRefs node) {
        List<RefDiff> listed = new ArrayList<>();
        int omitted = 0;
        // Both maps are sorted by name: one merge pass.
        Iterator<Map.Entry<String, String>> p = primary.refs().entrySet().iterator();
        Iterator<Map.Entry<String, String>> n = node.refs().entrySet().iterator();
        Map.Entry<String, String> a = next(p);
        Map.Entry<String, String> b = next(n);
        while (a != null || b != null) {
            int order = a == null ? 1 : b == null ? -1 : a.getKey().compareTo(b.getKey());
            RefDiff diff = null;
            if (order < 0) {
                diff = new RefDiff(a.getKey(), a.getValue(), null);
                a = next(p);
            } else if (order > 0) {
                diff = new RefDiff(b.getKey(), null, b.getValue());
                b = next(n);
            } else {
                if (!Objects.equals(a.getValue(), b.getValue())) {
                    diff = new RefDiff(a.getKey(), a.getValue(), b.getValue());
                }
                a = next(p);
                b = next(n);
            }
            if (diff != null) {
                if (listed.size() < MAX_LISTED) {
                    listed.add(diff);
                } else {
                    omitted++;
                }
            }
        }
        return new RepositoryRefs(repositoryId, listed, omitted);
    }

    private static Map.Entry<String, String> next(Iterator<Map.Entry<String, String>> it) {
        return it.hasNext() ? it.next() : null;
    }
}
