package io.copytrader.store;

import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The claims on SQLite: two stores on one file, each with its writer, take turns at the file's lock. */
class SqliteClaimsTest extends StoreClaimsTest {
    @TempDir
    Path dir;

    @Override
    protected TradeStore openStore() {
        return StoreFactory.open("jdbc:sqlite:" + dir.resolve("claims.db"), clock);
    }
}
