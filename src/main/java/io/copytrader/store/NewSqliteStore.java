package io.copytrader.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The schema of a new SQLite store in one transaction, without Flyway: the statements a store migrated by Flyway
 * holds ({@value #RESOURCE}, taken from such a store), and Flyway's history rows for the shipped migrations. Flyway
 * then finds the store current, as if it had migrated it. Starting Flyway was about 0.35 s of the first launch of the
 * engine (its plugins, its configuration copied through Jackson, a scan of the class path), on the path to the first
 * copy; running the statements takes a few milliseconds.
 *
 * <p>Used only where it cannot differ from Flyway's result: a database with nothing in it, and a schema file made
 * from exactly the migrations this build ships ({@link MigrationIndex}); anything else, or any error on the way (the
 * transaction is rolled back), is Flyway's as before. {@code NewSqliteStoreTest} keeps the file equal to what
 * Flyway makes, and checks that Flyway validates a store made here.
 */
final class NewSqliteStore {
    static final String RESOURCE = "db/new-store.sqlite.sql";
    /** The marker of a history line in the schema file: version, checksum, script, description. */
    static final String HISTORY = "-- history: ";
    /** The line that ends each statement in the schema file. */
    static final String END = ";";

    /** One migration as Flyway records it: version, checksum, script and description. */
    record Applied(String version, int checksum, String script, String description) {
        MigrationIndex.Entry entry() {
            return new MigrationIndex.Entry(version, checksum, script);
        }
    }

    /** The schema file: the history it stands for and its statements, in order. */
    record Schema(List<Applied> history, List<String> statements) {
        static Schema parse(String text) {
            List<Applied> history = new ArrayList<>();
            List<String> statements = new ArrayList<>();
            StringBuilder statement = new StringBuilder();
            for (String line : text.split("\n", -1)) {
                boolean between = statement.isEmpty();
                if (between && line.startsWith(HISTORY)) {
                    String[] parts = line.substring(HISTORY.length()).split(" ", 4);
                    if (parts.length != 4) {
                        throw new IllegalStateException(RESOURCE + " has a malformed history line: " + line);
                    }
                    history.add(new Applied(parts[0], Integer.parseInt(parts[1]), parts[2], parts[3]));
                } else if (!between && line.equals(END)) {
                    statements.add(statement.toString());
                    statement.setLength(0);
                } else if (!between || !line.isBlank() && !line.startsWith("--")) {
                    statement.append(statement.isEmpty() ? "" : "\n").append(line);
                }
            }
            if (!statement.toString().isBlank()) {
                throw new IllegalStateException(RESOURCE + " ends inside a statement");
            }
            return new Schema(List.copyOf(history), List.copyOf(statements));
        }

        /** Whether the file was made from exactly these migrations. */
        boolean standsFor(Set<MigrationIndex.Entry> shipped) {
            Set<MigrationIndex.Entry> recorded = new LinkedHashSet<>();
            for (Applied a : history) {
                recorded.add(a.entry());
            }
            return recorded.size() == history.size() && recorded.equals(shipped);
        }
    }

    private NewSqliteStore() {
    }

    /** The schema file this build ships. */
    static Schema shippedSchema() {
        try (InputStream in = NewSqliteStore.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the class path");
            }
            return Schema.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Creates the shipped schema and its history on an empty SQLite database, in one transaction.
     *
     * @return true when it did; false when it left the database as it was (not SQLite, not empty, a schema file that
     * does not stand for the shipped migrations, or an error, rolled back): Flyway's to migrate
     */
    static boolean create(Connection connection) {
        return create(connection, shippedSchema(), MigrationIndex.shipped());
    }

    static boolean create(Connection connection, Schema schema, Set<MigrationIndex.Entry> shipped) {
        try {
            if (!connection.getMetaData().getURL().startsWith("jdbc:sqlite:") || !schema.standsFor(shipped)) {
                return false;
            }
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try {
                if (!empty(connection)) {
                    connection.rollback();
                    return false;
                }
                try (Statement s = connection.createStatement()) {
                    for (String statement : schema.statements()) {
                        s.executeUpdate(statement);
                    }
                }
                try (PreparedStatement insert = connection.prepareStatement("INSERT INTO flyway_schema_history "
                        + "(installed_rank, version, description, type, script, checksum, installed_by, "
                        + "execution_time, success) VALUES (?, ?, ?, 'SQL', ?, ?, '', 0, 1)")) {
                    int rank = 0;
                    for (Applied a : schema.history()) {
                        insert.setInt(1, ++rank);
                        insert.setString(2, a.version());
                        insert.setString(3, a.description());
                        insert.setString(4, a.script());
                        insert.setInt(5, a.checksum());
                        insert.addBatch();
                    }
                    insert.executeBatch();
                }
                connection.commit();
                return true;
            } catch (SQLException | RuntimeException e) {
                try {
                    connection.rollback();
                } catch (SQLException gone) {
                    // a dead connection: nothing was committed
                }
                return false; // Flyway, next, migrates the database, or says why it cannot
            } finally {
                try {
                    connection.setAutoCommit(autoCommit);
                } catch (SQLException gone) {
                    // a dead connection: Flyway, next, gets its own answer from the data source
                }
            }
        } catch (SQLException e) {
            return false;
        }
    }

    /** Whether the database holds no table, index, view or trigger. */
    private static boolean empty(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM sqlite_master")) {
            return rs.next() && rs.getInt(1) == 0;
        }
    }
}
