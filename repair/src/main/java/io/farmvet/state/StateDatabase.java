package io.farmvet.state;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where farmvet's state lives: the embedded H2 file under {@code state.dir} (the default, one farmvet process), or
 * a PostgreSQL database that several farmvet instances share ({@code state.database}, issue 14). Immutable; its
 * {@code toString} is the URL, never the password.
 */
public final class StateDatabase {
    /** The only scheme {@code state.database.url} takes. */
    public static final String POSTGRESQL_SCHEME = "jdbc:postgresql://";

    private final Path dir;
    private final String url;
    private final String username;
    private final String password;

    private StateDatabase(Path dir, String url, String username, String password) {
        this.dir = dir;
        this.url = url;
        this.username = username;
        this.password = password;
    }

    /** The H2 file under {@code stateDir}. */
    public static StateDatabase h2(Path stateDir) {
        return new StateDatabase(stateDir, StateStore.jdbcUrl(stateDir), "sa", "");
    }

    /**
     * A PostgreSQL database.
     *
     * @param url a {@value #POSTGRESQL_SCHEME} URL without credentials in it
     * @throws IllegalArgumentException the URL is not PostgreSQL's
     */
    public static StateDatabase postgresql(String url, String username, String password) {
        if (!url.startsWith(POSTGRESQL_SCHEME)) {
            throw new IllegalArgumentException("not a PostgreSQL URL: it must start with " + POSTGRESQL_SCHEME);
        }
        return new StateDatabase(null, url, Objects.requireNonNull(username), Objects.requireNonNull(password));
    }

    public boolean isPostgresql() {
        return dir == null;
    }

    /** The H2 database's folder; null on PostgreSQL. */
    public Path dir() {
        return dir;
    }

    public String url() {
        return url;
    }

    public String username() {
        return username;
    }

    /** Only for opening a connection. */
    String password() {
        return password;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StateDatabase other
                && url.equals(other.url)
                && username.equals(other.username)
                && password.equals(other.password);
    }

    @Override
    public int hashCode() {
        return Objects.hash(url, username);
    }

    @Override
    public String toString() {
        return isPostgresql() ? url + " as " + username : url;
    }
}
