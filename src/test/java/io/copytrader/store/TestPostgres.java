package io.copytrader.store;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * The PostgreSQL database the tests use, named by the environment ({@code .ci/setup.d/10-postgresql.sh} starts one and
 * exports these):
 * {@code COPYTRADER_TEST_POSTGRES_URL} (e.g. {@code jdbc:postgresql://127.0.0.1:5432/copytrader}), and
 * {@code COPYTRADER_TEST_POSTGRES_USER} / {@code COPYTRADER_TEST_POSTGRES_PASSWORD} unless the URL carries them.
 * Each test works in a schema of its own, dropped afterwards.
 *
 * <p>Without the URL a test is skipped on a developer's machine, but <b>fails</b> under CI ({@code CI=true}): CI
 * must run the store on the production database, not silently pass without it.
 */
public final class TestPostgres {

    public static final String URL_VARIABLE = "COPYTRADER_TEST_POSTGRES_URL";
    public static final String USER_VARIABLE = "COPYTRADER_TEST_POSTGRES_USER";
    public static final String PASSWORD_VARIABLE = "COPYTRADER_TEST_POSTGRES_PASSWORD";

    private TestPostgres() {
    }

    /** The base URL; skips the calling test when it is not set, or fails it under CI. */
    public static String requireUrl() {
        String url = System.getenv(URL_VARIABLE);
        if (url == null || url.isBlank()) {
            String why = URL_VARIABLE + " is not set: no PostgreSQL to run on (.ci/setup.d/10-postgresql.sh starts one)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail(why);
            }
            Assumptions.abort(why);
        }
        return url.trim();
    }

    public static String user() {
        return System.getenv(USER_VARIABLE);
    }

    public static String password() {
        return System.getenv(PASSWORD_VARIABLE);
    }

    /** A new, empty schema's name; create it with {@link #createSchema}. */
    public static String newSchemaName() {
        return "ct_test_" + UUID.randomUUID().toString().replace("-", "");
    }

    /** The URL of a schema: what the store, and the engine's {@code STORE_URL}, are given. */
    public static String schemaUrl(String schema) {
        String url = requireUrl();
        return url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    /** Store settings for a schema, with the test credentials. */
    public static StoreSettings settings(String schema) {
        return StoreSettings.of(schemaUrl(schema)).withCredentials(user(), password());
    }

    public static String createSchema() {
        String schema = newSchemaName();
        execute("CREATE SCHEMA " + schema);
        return schema;
    }

    public static void dropSchema(String schema) {
        execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }

    /** A connection to the test database, search path set to the schema. */
    public static Connection connect(String schema) throws SQLException {
        return DriverManager.getConnection(schemaUrl(schema), user(), password());
    }

    private static void execute(String sql) {
        try (Connection c = DriverManager.getConnection(requireUrl(), user(), password());
             Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("could not run '" + sql + "' on the test database: " + e.getMessage(), e);
        }
    }

    /**
     * Ends the database sessions holding this schema's engine lock, as a server restart or a failover ends them.
     *
     * @return how many it ended
     */
    public static int endLockSessions(String schema) throws java.sql.SQLException {
        try (java.sql.Connection c = connect(schema);
             java.sql.PreparedStatement ps = c.prepareStatement("SELECT count(pg_terminate_backend(pid)) FROM pg_locks "
                     + "WHERE locktype = 'advisory' AND classid::bigint = ? AND objid::bigint = (hashtext(?)::bigint "
                     + "& 4294967295) AND objsubid = 2")) {
            ps.setLong(1, EngineLock.POSTGRES_KEY);
            ps.setString(2, schema);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
