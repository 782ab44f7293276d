package io.farmvet.config;

import java.nio.file.Path;
import java.util.List;

/**
 * A configuration file that cannot be used, with every problem found in one pass so the operator can fix them
 * all before the next try. Each problem starts with the key path it concerns ({@code nodes[1].url: ...}) when
 * there is one. The message is ready to print:
 *
 * <pre>
 * /etc/farmvet/farmvet.yaml: 2 problems:
 *   - nodes[1].url: must be an http(s) URL (start with https:// or http://)
 *   - http.conect-timeout: unknown key (known here: connect-timeout, read-timeout, ca-file)
 * </pre>
 *
 * No problem text ever holds the value of a secret. Immutable.
 */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient Path source;
    private final List<String> problems;

    public ConfigException(Path source, List<String> problems) {
        this(source, problems, null);
    }

    public ConfigException(Path source, List<String> problems, Throwable cause) {
        super(message(source, problems), cause);
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one problem");
        }
        this.source = source;
        this.problems = List.copyOf(problems);
    }

    /** The file (or source name) the problems were found in. */
    public Path source() {
        return source;
    }

    /** One line per problem, in the order found: {@code key.path: what is wrong and what to do}. */
    public List<String> problems() {
        return problems;
    }

    private static String message(Path source, List<String> problems) {
        StringBuilder sb = new StringBuilder()
                .append(source)
                .append(": ")
                .append(problems.size())
                .append(problems.size() == 1 ? " problem:" : " problems:");
        for (String problem : problems) {
            sb.append("\n  - ").append(problem);
        }
        return sb.toString();
    }
}
