package io.copytrader.store;

import io.copytrader.domain.ClientOrderId;
import io.copytrader.domain.Reason;
import io.copytrader.domain.TradeOutcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The synthetic history the README's long-history figures were measured on ({@code store/long-history.sql}) stays
 * valid for the schema: written into a store the engine created, it reads back as the trades, orders and dead letters
 * it says, every trade ended.
 */
class LongHistoryTest {

    private static final int N = 2_000;

    @TempDir
    Path dir;

    @Test
    void shouldReadBackTheHistoryTheScriptWrites() throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("store.db");
        StoreFactory.open(url, Clock.systemUTC()).close(); // the engine's schema
        try (Connection c = DriverManager.getConnection(url)) {
            for (String sql : statements()) {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    if (sql.contains(":N")) {
                        ps.setInt(1, N);
                    }
                    ps.executeUpdate();
                }
            }
        }

        try (TradeStore store = StoreFactory.open(url, Clock.systemUTC())) {
            Map<Reason, Long> copied = new HashMap<>();
            copied.put(null, 1_600L);
            assertThat(store.outcomeCountsByReason()).containsOnly(
                    Map.entry(TradeOutcome.COPIED, copied),
                    Map.entry(TradeOutcome.SKIPPED, Map.of(Reason.SIZING_TOO_SMALL, 300L)),
                    Map.entry(TradeOutcome.FAILED, Map.of(Reason.EXCHANGE_INSUFFICIENT_BALANCE, 100L)));
            assertThat(store.detectedCount()).isEqualTo(N);
            assertThat(store.inFlight()).isEmpty();
            assertThat(store.replayedInFlight()).isEmpty();
            assertThat(store.deadLetterCounts()).isEqualTo(new TradeStore.DeadLetterCounts(50, 100));
            assertThat(store.deadLetters()).hasSize(100).allSatisfy(d -> assertThat(d.trade().key()).startsWith("hist:h-"));
            assertThat(store.order(new ClientOrderId("ct-h5")).orElseThrow().state()).isEqualTo(OrderRecordState.FILLED);
            assertThat(store.ended("hist:h-4").orElseThrow().outcome()).isEqualTo(TradeOutcome.COPIED);
        }
    }

    /** The script's statements, comments dropped. */
    private static List<String> statements() throws IOException {
        String script;
        try (InputStream in = LongHistoryTest.class.getResourceAsStream("/store/long-history.sql")) {
            assertThat(in).as("store/long-history.sql on the test class path").isNotNull();
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        StringBuilder code = new StringBuilder();
        script.lines().filter(line -> !line.startsWith("--")).forEach(line -> code.append(line).append('\n'));
        List<String> out = new ArrayList<>();
        for (String sql : code.toString().split(";")) {
            if (!sql.isBlank()) {
                out.add(sql.trim());
            }
        }
        return out;
    }
}
