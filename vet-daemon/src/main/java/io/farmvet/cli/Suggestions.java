package io.farmvet.cli;

import java.util.Collection;
import java.util.Optional;

/**
 * The known name nearest a mistyped one, by edit distance (insertions, deletions, substitutions and swaps of two
 * neighbours, each 1). A name is offered only when it is near: at most 2 edits, and fewer than half its own
 * letters (so {@code vett} finds {@code vet}, and {@code xyz} finds nothing rather than a guess).
 */
final class Suggestions {
    private static final int MAX_EDITS = 2;

    private Suggestions() {}

    static Optional<String> nearest(String typed, Collection<String> known) {
        String bestName = null;
        int best = Integer.MAX_VALUE;
        for (String name : known) {
            int d = distance(strip(typed), strip(name));
            if (d < best && d <= MAX_EDITS && 2 * d < strip(name).length()) {
                best = d;
                bestName = name;
            }
        }
        return Optional.ofNullable(bestName);
    }

    /** Options are compared without their dashes: {@code -json} is one edit from {@code --json}, not two. */
    private static String strip(String name) {
        int i = 0;
        while (i < name.length() && name.charAt(i) == '-') {
            i++;
        }
        return name.substring(i);
    }

    /** Optimal string alignment distance. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
