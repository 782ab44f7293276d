package io.farmvet.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The options of one command: flags, options with a value ({@code --x v} or {@code --x=v}), positionals. */
final class Options {
    private final Set<String> flags = new HashSet<>();
    private final Map<String, String> values = new HashMap<>();
    private final List<String> positionals = new ArrayList<>();

    static Options parse(List<String> args, List<String> knownFlags, List<String> knownValued) throws UsageException {
        Options options = new Options();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--")) {
                options.positionals.add(arg);
                continue;
            }
            int eq = arg.indexOf('=');
            String name = eq < 0 ? arg : arg.substring(0, eq);
            if (knownFlags.contains(name) && eq < 0) {
                options.flags.add(name);
            } else if (knownValued.contains(name)) {
                String value;
                if (eq >= 0) {
                    value = arg.substring(eq + 1);
                } else if (i + 1 < args.size()) {
                    value = args.get(++i);
                } else {
                    throw new UsageException(name + " needs a value");
                }
                if (options.values.put(name, value) != null) {
                    throw new UsageException(name + " given twice");
                }
            } else {
                List<String> known = new ArrayList<>(knownFlags);
                known.addAll(knownValued);
                throw new UsageException("unknown option '" + name + "'"
                        + (known.isEmpty() ? "" : " (known: " + String.join(", ", known) + ")"));
            }
        }
        return options;
    }

    boolean has(String flag) {
        return flags.contains(flag);
    }

    String value(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    String required(String name) throws UsageException {
        String value = values.get(name);
        if (value == null) {
            throw new UsageException(name + " is required");
        }
        return value;
    }

    List<String> positionals() {
        return positionals;
    }

    void noPositionals() throws UsageException {
        if (!positionals.isEmpty()) {
            throw new UsageException("unexpected argument '" + positionals.get(0) + "'");
        }
    }
}
