package io.copytrader.store;

import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.Reason;
import io.copytrader.domain.TradeOutcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

import static io.copytrader.store.TradeFixtures.ALICE;
import static io.copytrader.store.TradeFixtures.YES_TOKEN;
import static io.copytrader.store.TradeFixtures.intent;
import static io.copytrader.store.TradeFixtures.trade;
import static org.assertj.core.api.Assertions.assertThat;

/** The contract on SQLite in a temporary directory, plus what only a durable store can promise. */
class JdbcTradeStoreTest extends TradeStoreContractTest {

    @TempDir
    Path dir;

    private String url() {
        return "jdbc:sqlite:" + dir.resolve("store.db");
    }

    @Override
    protected TradeStore createStore(Clock clock) {
        return StoreFactory.open(url(), clock);
    }

    @Test
    void shouldKeepEverythingAcrossAReopen() {
        DetectedTrade copied = trade("copied");
        DetectedTrade open = trade("open");
        store.admit(copied);
        store.admit(open);
        store.finish(copied.key(), TradeOutcome.COPIED, null, null);
        store.recordIntent(copied.key(), intent(copied));
        store.saveCursor(ALICE, "c-9");
        store.savePosition(new StoredPosition(YES_TOKEN, new BigDecimal("5.00"), new BigDecimal("0.4284")));
        long letter = store.addDeadLetter(open, Reason.EXCHANGE_CIRCUIT_OPEN, "breaker open");
        store.close();

        store = createStore(clock);

        assertThat(store.trade(copied.key())).contains(copied);
        assertThat(store.inFlight()).containsExactly(open);
        assertThat(store.outcomeCounts()).containsEntry(TradeOutcome.COPIED, 1L);
        assertThat(store.order(copied.clientOrderId()).orElseThrow().intent()).isEqualTo(intent(copied));
        assertThat(store.cursor(ALICE)).contains("c-9");
        assertThat(store.positions().get(YES_TOKEN).quantity()).isEqualTo(new BigDecimal("5.00"));
        assertThat(store.deadLetters()).extracting(DeadLetter::id).containsExactly(letter);
        assertThat(store.admit(copied)).isFalse();
        assertThat(store.addDeadLetter(copied, Reason.UNEXPECTED_ERROR, null)).isGreaterThan(letter);
        assertThat(store.ordersIn(List.of(OrderRecordState.SUBMITTING))).hasSize(1);
    }
}
