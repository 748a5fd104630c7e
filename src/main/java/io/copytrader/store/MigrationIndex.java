package io.copytrader.store;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The list of the migrations this build ships ({@value #RESOURCE}), as Flyway records them once applied. A store
 * whose schema history holds exactly these, each applied successfully, needs nothing from Flyway, so it is opened
 * without loading it: Flyway's start (its plugins, a scan of the class path for migrations, validation) was about a
 * quarter of a second of every start of the engine. Anything else (a new store, a migration cut short, a migration
 * not yet applied, a changed checksum, a history written by a newer build) goes through Flyway as before, which
 * applies, finishes or refuses it. {@code MigrationIndexTest} keeps the list equal to what Flyway resolves.
 */
final class MigrationIndex {
    static final String RESOURCE = "db/migration.index";

    /** One applied migration: Flyway's version, checksum and script name. */
    record Entry(String version, int checksum, String script) {
    }

    private MigrationIndex() {
    }

    /** The migrations this build ships. */
    static Set<Entry> shipped() {
        Set<Entry> entries = new LinkedHashSet<>();
        try (InputStream in = MigrationIndex.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the class path");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = reader.readLine()) != null; ) {
                line = line.strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.split("\\s+");
                if (parts.length != 3) {
                    throw new IllegalStateException(RESOURCE + " has a malformed line: " + line);
                }
                entries.add(new Entry(parts[0], Integer.parseInt(parts[1]), parts[2]));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return entries;
    }

    /**
     * True when the connection's schema history records exactly the shipped migrations, each a success; false when it
     * does not, or cannot be read (no history yet). Reads, never writes.
     */
    static boolean isCurrent(Connection connection) {
        Set<Entry> recorded = new HashSet<>();
        int rows = 0;
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SELECT version, checksum, script, type, success FROM "
                     + historyTable(connection))) {
            while (rs.next()) {
                int checksum = rs.getInt(2);
                boolean noChecksum = rs.wasNull();
                if (noChecksum || !"SQL".equals(rs.getString(4)) || !rs.getBoolean(5)) {
                    return false; // a failed migration, a baseline, a schema marker: Flyway's to judge
                }
                recorded.add(new Entry(rs.getString(1), checksum, rs.getString(3)));
                rows++;
            }
        } catch (SQLException e) {
            return false;
        }
        Set<Entry> shipped = shipped();
        return rows == shipped.size() && recorded.equals(shipped);
    }

    /**
     * The history in the connection's current schema, where Flyway keeps it (PostgreSQL); an unqualified name where
     * the database has no schemas (SQLite). Qualified, a history in another schema of the search path is never read.
     */
    private static String historyTable(Connection connection) throws SQLException {
        String schema = connection.getSchema();
        return schema == null ? "flyway_schema_history"
                : "\"" + schema.replace("\"", "\"\"") + "\".flyway_schema_history";
    }
}
