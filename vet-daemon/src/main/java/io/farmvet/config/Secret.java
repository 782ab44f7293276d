package io.farmvet.config;

import java.nio.file.Path;

/**
 * A token or password read from a file. Its {@code toString} names the file, never the value, so a secret
 * cannot leak through a log line, a report or an exception message by accident.
 */
public final class Secret {
    private final String value;
    private final Path file;

    public Secret(String value, Path file) {
        this.value = value;
        this.file = file;
    }

    /** The secret itself: only for building a request header. */
    public String reveal() {
        return value;
    }

    public Path file() {
        return file;
    }

    @Override
    public String toString() {
        return "secret from " + file;
    }
}
