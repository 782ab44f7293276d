package io.farmvet.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real H2 files in a temporary state.dir, migrated by the real Flyway migrations. */
class StateStoreTest {
    @TempDir
    Path stateDir;

    @Test
    void aNewDatabaseGetsEveryTableAndTheLatestVersion() throws Exception {
        try (StateStore store = StateStore.open(stateDir)) {
            assertThat(store.schemaVersion()).isEqualTo("4");
            assertThat(tables(store.connection())).contains("REPAIRS", "VET_RUNS", "flyway_schema_history");
            // ${large_binary}: a report stays out of its row, so listing the history does not read it.
            try (Statement statement = store.connection().createStatement();
                    ResultSet type = statement.executeQuery("SELECT DATA_TYPE FROM INFORMATION_SCHEMA.COLUMNS"
                            + " WHERE TABLE_NAME = 'VET_RUNS' AND COLUMN_NAME = 'REPORT'")) {
                type.next();
                assertThat(type.getString(1)).isEqualTo("BINARY LARGE OBJECT");
            }
        }
        assertThat(StateStore.file(stateDir)).exists().isEqualTo(stateDir.resolve("farmvet.mv.db"));
    }

    @Test
    void reopeningMigratesNothingAgain() throws Exception {
        StateStore.open(stateDir).close();
        try (StateStore store = StateStore.open(stateDir);
                Statement statement = store.connection().createStatement();
                ResultSet rows = statement.executeQuery(
                        "SELECT COUNT(*) FROM \"flyway_schema_history\" WHERE \"version\" IS NOT NULL")) {
            rows.next();
            assertThat(rows.getInt(1)).isEqualTo(4);
        }
    }

    @Test
    void farmvet01IsToldThisDatabaseIsNewerThanIt() throws Exception {
        // farmvet 0.1 refuses a component version above the one it knows (1) with "written by a newer farmvet".
        try (StateStore store = StateStore.open(stateDir);
                Statement statement = store.connection().createStatement();
                ResultSet rows =
                        statement.executeQuery("SELECT component, version FROM schema_version ORDER BY component")) {
            List<String> versions = new ArrayList<>();
            while (rows.next()) {
                versions.add(rows.getString(1) + "=" + rows.getInt(2));
            }
            assertThat(versions).containsExactly("history=2", "repair=2");
        }
    }

    @Test
    void aDatabaseFromANewerFarmvetIsRefusedSayingWhatToDo() throws Exception {
        StateStore.open(stateDir).close();
        try (Connection connection = DriverManager.getConnection(StateStore.jdbcUrl(stateDir), "sa", "");
                Statement statement = connection.createStatement()) {
            statement.execute("INSERT INTO \"flyway_schema_history\" (\"installed_rank\", \"version\","
                    + " \"description\", \"type\", \"script\", \"checksum\", \"installed_by\", \"execution_time\","
                    + " \"success\") VALUES (5, '5', 'from the future', 'SQL', 'V5__from_the_future.sql', 0, 'sa',"
                    + " 1, TRUE)");
        }

        assertThatThrownBy(() -> StateStore.open(stateDir))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("holds state schema version 5, written by a newer farmvet; this one knows up"
                        + " to 4: run the newer farmvet, or point state.dir at another folder");
    }

    @Test
    void aFarmvet01DatabaseWithAVersionItNeverWroteIsRefused() throws Exception {
        try (Connection connection = DriverManager.getConnection(StateStore.jdbcUrl(stateDir), "sa", "");
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE schema_version (component VARCHAR(64) PRIMARY KEY,"
                    + " version INT NOT NULL, applied_at TIMESTAMP(6) WITH TIME ZONE NOT NULL)");
            statement.execute("INSERT INTO schema_version VALUES ('repair', 99, CURRENT_TIMESTAMP)");
        }

        assertThatThrownBy(() -> StateStore.open(stateDir))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("holds repair schema version 99, written by a newer farmvet; this one knows up"
                        + " to 1: run the newer farmvet");
    }

    private static List<String> tables(Connection connection) throws SQLException {
        List<String> names = new ArrayList<>();
        try (ResultSet rows = connection.getMetaData().getTables(null, "PUBLIC", "%", new String[] {"TABLE"})) {
            while (rows.next()) {
                names.add(rows.getString("TABLE_NAME"));
            }
        }
        return names;
    }
}
