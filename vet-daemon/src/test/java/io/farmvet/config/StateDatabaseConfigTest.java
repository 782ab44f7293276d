package io.farmvet.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.farmvet.testing.ConfigFileFixture;
import org.junit.jupiter.api.Test;

/** {@code state.database} (issue 14): PostgreSQL only, the password from a file, never shown. */
class StateDatabaseConfigTest extends ConfigFileFixture {
    private static final String PASSWORD = "correct-horse-battery-staple";

    private static String database(String body) {
        return MINIMAL + "state:\n  dir: state\n  database:\n" + body;
    }

    @Test
    void aPostgresqlDatabaseIsTheStateAndThePasswordComesFromItsFile() throws Exception {
        secretFile("db.password", PASSWORD + "\n");

        FarmvetConfig config = load(database("    url: jdbc:postgresql://db.example.com:5432/farmvet\n"
                + "    username: farmvet\n    password-file: db.password\n"));

        assertThat(config.state().clustered()).isTrue();
        assertThat(config.state().database().url()).isEqualTo("jdbc:postgresql://db.example.com:5432/farmvet");
        assertThat(config.state().database().username()).isEqualTo("farmvet");
        assertThat(config.state().dir()).isEqualTo(dir.resolve("state"));
        assertThat(config.state().toString()).doesNotContain(PASSWORD);
        assertThat(config.state().database().toString()).doesNotContain(PASSWORD);
    }

    @Test
    void withoutItTheStateIsTheEmbeddedH2UnderStateDir() throws Exception {
        FarmvetConfig config = load(MINIMAL + "state:\n  dir: state\n");

        assertThat(config.state().clustered()).isFalse();
        assertThat(config.state().database().url()).startsWith("jdbc:h2:file:" + dir.resolve("state"));
    }

    @Test
    void anotherSchemeIsRefusedByName() throws Exception {
        secretFile("db.password", PASSWORD + "\n");

        ConfigException e = loadFails(database("    url: jdbc:mysql://db.example.com/farmvet\n"
                + "    username: farmvet\n    password-file: db.password\n"));

        assertThat(e.problems())
                .singleElement()
                .asString()
                .startsWith("state.database.url: must be a PostgreSQL URL like jdbc:postgresql://")
                .contains("\"jdbc:mysql://\"");
    }

    @Test
    void aMissingPasswordFileIsNamedAndNoPasswordIsShown() throws Exception {
        ConfigException e = loadFails(database("    url: jdbc:postgresql://db.example.com/farmvet\n"
                + "    username: farmvet\n    password-file: missing.password\n"));

        assertThat(e.problems())
                .singleElement()
                .asString()
                .startsWith("state.database.password-file: ")
                .contains("missing.password");
    }

    @Test
    void credentialsInTheUrlAreRefusedWithoutEchoingThem() throws Exception {
        secretFile("db.password", PASSWORD + "\n");

        ConfigException e = loadFails(database("    url: jdbc:postgresql://db.example.com/farmvet?password=" + PASSWORD
                + "\n    username: farmvet\n    password-file: db.password\n"));

        assertThat(e.problems())
                .singleElement()
                .asString()
                .startsWith("state.database.url: carries credentials")
                .doesNotContain(PASSWORD);
        assertThat(e.getMessage()).doesNotContain(PASSWORD);
    }

    @Test
    void everyKeyIsRequiredAndUnknownOnesAreErrors() throws Exception {
        ConfigException e = loadFails(database("    host: db.example.com\n"));

        assertThat(e.problems())
                .anySatisfy(p -> assertThat(p).startsWith("state.database.host: unknown key"))
                .anySatisfy(p -> assertThat(p).isEqualTo("state.database.url: is required"))
                .anySatisfy(p -> assertThat(p).isEqualTo("state.database.username: is required"))
                .anySatisfy(p -> assertThat(p).isEqualTo("state.database.password-file: is required"));
    }
}
