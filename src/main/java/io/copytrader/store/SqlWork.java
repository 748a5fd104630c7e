package io.copytrader.store;

import java.sql.Connection;
import java.sql.SQLException;

/** One unit of work on a connection: a few statements and their result. Must be safe to run again after a rollback. */
@FunctionalInterface
interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
}
