package io.copytrader.engine;

import io.copytrader.domain.CopyIntent;
import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.Reason;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.domain.VenueOrderId;
import io.copytrader.store.InMemoryTradeStore;
import io.copytrader.store.OrderRecordState;
import io.copytrader.store.TradeStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A trade's one outcome through the ledger: written once, counted once, told once, fills of its aggregate with it. */
class TradeLedgerTest {
    private final InMemoryTradeStore store = new InMemoryTradeStore(Clock.systemUTC());
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final TradeLedger ledger = new TradeLedger(store, new PipelineMetrics(registry));
    private final List<String> told = new ArrayList<>();

    @BeforeEach
    void listen() {
        ledger.outcomeListener((trade, outcome, reason) -> told.add(trade.key() + " " + outcome));
    }

    private double copiedCount() {
        return registry.get(PipelineMetrics.TRADES_PROCESSED).counter().count();
    }

    private double targetCount(String outcome) {
        return registry.find(PipelineMetrics.TARGET_TRADES).tag(PipelineMetrics.OUTCOME_TAG, outcome).counters()
                .stream().mapToDouble(c -> c.count()).sum();
    }

    /** The trade admitted, and its order's intent in the outbox. */
    private CopyIntent admittedAndSent(DetectedTrade trade) {
        ledger.admit(trade);
        CopyIntent intent = new CopyIntent(trade.clientOrderId(), trade, trade.instrument(), trade.side(), trade.price(),
                trade.quantity(), trade.notional());
        store.recordIntent(trade.key(), intent);
        return intent;
    }

    @Test
    void shouldCountAndTellOnlyTheFirstOutcome() {
        DetectedTrade t = Trades.buy("t-1", "0.50", "10");
        ledger.admit(t);

        assertThat(ledger.finish(t, TradeOutcome.SKIPPED, Reason.FILTER_STALE, "old")).isTrue();
        assertThat(ledger.finish(t, TradeOutcome.SKIPPED, Reason.FILTER_STALE, "again")).isFalse();

        assertThat(told).containsExactly(t.key() + " SKIPPED");
        assertThat(targetCount("SKIPPED")).isEqualTo(1.0);
        assertThat(store.outcome(t.key())).contains(TradeOutcome.SKIPPED);
    }

    @Test
    void shouldWriteTheOrderAndTheCopyTogetherThenCountItOnce() {
        DetectedTrade t = Trades.buy("t-2", "0.50", "10");
        CopyIntent intent = admittedAndSent(t);

        TradeStore.MovedAndFinished written = ledger.recordCopied(t, intent.clientOrderId(), OrderRecordState.FILLED,
                new VenueOrderId("v-2"), BigDecimal.TEN, new BigDecimal("0.50"));
        assertThat(written).isEqualTo(new TradeStore.MovedAndFinished(true, true));
        assertThat(told).as("nothing told before the caller says the write is done").isEmpty();
        assertThat(ledger.copiedRecorded(t, written.finished())).isTrue();

        assertThat(store.order(intent.clientOrderId()).orElseThrow().state()).isEqualTo(OrderRecordState.FILLED);
        assertThat(store.outcome(t.key())).contains(TradeOutcome.COPIED);
        assertThat(told).containsExactly(t.key() + " COPIED");
        assertThat(copiedCount()).isEqualTo(1.0);
        assertThat(targetCount("COPIED")).isEqualTo(1.0);
    }

    @Test
    void shouldCorrectATradeAnotherInstanceSkippedWhenItsOrderWasAccepted() {
        DetectedTrade t = Trades.buy("t-3", "0.50", "10");
        CopyIntent intent = admittedAndSent(t);
        store.finish(t.key(), TradeOutcome.DROPPED, Reason.QUEUE_OVERFLOW, "elsewhere");

        TradeStore.MovedAndFinished written = ledger.recordCopied(t, intent.clientOrderId(), OrderRecordState.FILLED,
                null, BigDecimal.TEN, new BigDecimal("0.50"));
        assertThat(written.finished()).isFalse();
        assertThat(ledger.copiedRecorded(t, written.finished())).as("corrected to COPIED").isTrue();

        assertThat(store.outcome(t.key())).contains(TradeOutcome.COPIED);
        assertThat(told).containsExactly(t.key() + " COPIED");
        assertThat(copiedCount()).isEqualTo(1.0);
    }

    @Test
    void shouldGiveTheFillsOfAnAggregateTheCopysOutcome() {
        DetectedTrade leader = Trades.buy("t-4", "0.50", "10");
        DetectedTrade follower = Trades.buy("t-5", "0.50", "5");
        ledger.admit(follower);
        CopyIntent intent = admittedAndSent(leader);
        ledger.aggregate(leader, List.of(follower));

        TradeStore.MovedAndFinished written = ledger.recordCopied(leader, intent.clientOrderId(),
                OrderRecordState.FILLED, null, BigDecimal.TEN, new BigDecimal("0.50"));
        assertThat(ledger.copiedRecorded(leader, written.finished())).isTrue();

        assertThat(store.outcome(follower.key())).contains(TradeOutcome.COPIED);
        assertThat(ledger.isFollower(follower.key())).isFalse();
        assertThat(told).containsExactly(leader.key() + " COPIED", follower.key() + " COPIED");
        assertThat(copiedCount()).as("each source trade counted").isEqualTo(2.0);
    }

    @Test
    void shouldLookUpAggregatesMadeElsewhereWhenTheStoreIsShared() {
        DetectedTrade leader = Trades.buy("t-6", "0.50", "10");
        DetectedTrade follower = Trades.buy("t-7", "0.50", "5");
        ledger.admit(leader);
        ledger.admit(follower);
        store.linkAggregate(leader.key(), List.of(follower.key())); // linked by another instance
        ledger.aggregatesInStore(true);

        assertThat(ledger.finish(leader, TradeOutcome.COPIED, null, null)).isTrue();

        assertThat(store.outcome(follower.key())).contains(TradeOutcome.COPIED);
        assertThat(told).containsExactly(leader.key() + " COPIED", follower.key() + " COPIED");
    }
}
