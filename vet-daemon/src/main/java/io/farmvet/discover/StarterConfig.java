package io.farmvet.discover;

import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The starter config {@code farmvet discover --farm} prints: the farm, its mirror server id, the primary and one
 * node per farm member, with the credentials {@code discover} was given, ready for {@code farmvet check-config}.
 * Everything that came from Bitbucket (names, ids, URLs) is written as a YAML double-quoted scalar with every
 * character YAML could read otherwise escaped, or reduced to farmvet's name charset where the config demands it
 * (farm and node names); comments hold only farmvet's own words. Immutable once built.
 */
public final class StarterConfig {
    /** farmvet's rule for farm and node names (config's {@code NAME}); other characters become '-'. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    /** farmvet's rule for {@code farm.mirror-server-id}. */
    private static final Pattern MIRROR_SERVER_ID = Pattern.compile("[\\x21-\\x7e]{1,200}");

    /** How farmvet authenticates: the files as given on the command line, made absolute. */
    public sealed interface Credentials {
        record None() implements Credentials {}

        record Token(Path file) implements Credentials {}

        record Basic(String username, Path passwordFile) implements Credentials {}
    }

    /** One node to write: {@code member} is its name in {@code farmNodes}, {@code url} from {@code --node-url}. */
    public record Node(String member, URI url) {}

    /** A member left out, and why (a comment in the config, in farmvet's words only). */
    public record Skipped(String member, String why) {}

    private final String farmName;
    private final String mirrorServerId;
    private final URI primary;
    private final Credentials credentials;
    private final Path caFile;
    private final List<Node> nodes;
    private final List<Skipped> skipped;
    private final Instant written;

    public StarterConfig(
            String farmName,
            String mirrorServerId,
            URI primary,
            Credentials credentials,
            Path caFile,
            List<Node> nodes,
            List<Skipped> skipped,
            Instant written) {
        this.farmName = farmName;
        this.mirrorServerId = mirrorServerId;
        this.primary = primary;
        this.credentials = credentials;
        this.caFile = caFile;
        this.nodes = List.copyOf(nodes);
        this.skipped = List.copyOf(skipped);
        this.written = written;
    }

    /** The YAML text. */
    public String yaml() {
        StringBuilder y = new StringBuilder();
        y.append("# Starter config written by farmvet discover from ")
                .append(quoted(primary.toString()))
                .append(" at ")
                .append(written)
                .append(
                        ".\n# Check it with 'farmvet check-config FILE'; every key is in deploy/farmvet.example.yaml.\n");
        y.append("farm:\n  name: ").append(name(farmName, "farm")).append('\n');
        if (mirrorServerId != null && MIRROR_SERVER_ID.matcher(mirrorServerId).matches()) {
            y.append("  # The farm's mirror server on the primary: only its webhooks count for this farm.\n");
            y.append("  mirror-server-id: ").append(quoted(mirrorServerId)).append('\n');
        } else {
            y.append("  # The primary gave this farm no usable mirror server id; webhooks are matched by farm.name.\n");
        }
        y.append("primary:\n  url: ").append(quoted(primary.toString())).append('\n');
        auth(y, "  ");
        y.append("nodes:\n");
        Set<String> taken = new HashSet<>(Set.of("primary"));
        for (Node node : nodes) {
            String name = unique(name(node.member(), "node"), taken);
            y.append("  - name: ").append(name).append('\n');
            y.append("    member: ").append(quoted(node.member())).append('\n');
            y.append("    url: ").append(quoted(node.url().toString())).append('\n');
            auth(y, "    ");
        }
        for (Skipped s : skipped) {
            y.append("  # A member was left out: ").append(comment(s.why())).append('\n');
        }
        if (caFile != null) {
            y.append("http:\n  ca-file: ").append(quoted(caFile.toString())).append('\n');
        }
        return y.toString();
    }

    private void auth(StringBuilder y, String indent) {
        if (credentials instanceof Credentials.Token token) {
            y.append(indent)
                    .append("auth:\n")
                    .append(indent)
                    .append("  bearer-token-file: ")
                    .append(quoted(token.file().toString()))
                    .append('\n');
        } else if (credentials instanceof Credentials.Basic basic) {
            y.append(indent)
                    .append("auth:\n")
                    .append(indent)
                    .append("  basic:\n")
                    .append(indent)
                    .append("    username: ")
                    .append(quoted(basic.username()))
                    .append('\n')
                    .append(indent)
                    .append("    password-file: ")
                    .append(quoted(basic.passwordFile().toString()))
                    .append('\n');
        }
    }

    /**
     * {@code text} in farmvet's name charset: each run of other characters (or of '-') becomes one '-', cut to 64; {@code
     * fallback} when nothing is left.
     */
    static String name(String text, String fallback) {
        String name = text == null
                ? ""
                : text.replaceAll("[^A-Za-z0-9._-]+", "-")
                        .replaceAll("-{2,}", "-")
                        .replaceAll("^-+|-+$", "");
        if (name.length() > 64) {
            name = name.substring(0, 64).replaceAll("-+$", "");
        }
        return NAME.matcher(name).matches() ? name : fallback;
    }

    /** {@code name}, or {@code name-2}, {@code name-3}... when another node (or the primary) has it, ignoring case. */
    private static String unique(String name, Set<String> taken) {
        String candidate = name;
        for (int i = 2; !taken.add(candidate.toLowerCase(Locale.ROOT)); i++) {
            String suffix = "-" + i;
            candidate = name.substring(0, Math.min(name.length(), 64 - suffix.length())) + suffix;
        }
        return candidate;
    }

    /**
     * A YAML double-quoted scalar of {@code text}: backslash and quote escaped, and every character YAML reads as a
     * line break or cannot hold raw (C0 and C1 controls, DEL, U+2028/U+2029, a BOM) as an escape.
     */
    static String quoted(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        text.codePoints().forEach(c -> {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                default -> {
                    if (c < 0x20
                            || (c >= 0x7f && c <= 0x9f)
                            || c == 0x2028
                            || c == 0x2029
                            || c == 0xfeff
                            || (c >= 0xd800 && c <= 0xdfff)) {
                        out.append(String.format("\\u%04x", c));
                    } else {
                        out.appendCodePoint(c);
                    }
                }
            }
        });
        return out.append('"').toString();
    }

    /** One line of comment: farmvet's text, line breaks and controls removed. */
    private static String comment(String text) {
        return ServerText.shown(text);
    }

    /** The nodes written, in order, for the summary. */
    public List<String> nodeNames() {
        List<String> names = new ArrayList<>();
        Set<String> taken = new HashSet<>(Set.of("primary"));
        for (Node node : nodes) {
            names.add(unique(name(node.member(), "node"), taken));
        }
        return names;
    }
}
