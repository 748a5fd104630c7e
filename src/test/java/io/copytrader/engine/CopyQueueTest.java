package io.copytrader.engine;

import io.copytrader.domain.CopyIntent;
import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.Reason;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.domain.VenueOrderId;
import io.copytrader.store.InMemoryTradeStore;
import io.copytrader.store.OrderRecordState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;

import static io.copytrader.engine.Trades.T0;
import static io.copytrader.engine.Trades.sell;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The copy queue shared by several engines (a Kafka topic) delivers a record again when the engine that had it died
 * before committing its offset. Each test: a target's sell of 10 at 0.40, delivered again 5 s after the fill, with a
 * max trade age of 60 s; what the dead engine left in the store differs.
 */
class CopyQueueTest {
    final Clock clock = Clock.fixed(T0.plusSeconds(5), ZoneOffset.UTC);
    final InMemoryTradeStore store = new InMemoryTradeStore(clock);
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final TradeLedger ledger = new TradeLedger(store, new PipelineMetrics(registry));
    final CamelContext camel = new DefaultCamelContext();
    final DetectedTrade trade = sell("s1", "0.40", "10");
    final CopyIntent intent = new CopyIntent(trade.clientOrderId(), trade, trade.instrument(), trade.side(),
            new BigDecimal("0.40"), new BigDecimal("10"), new BigDecimal("4.00"));

    @AfterEach
    void closeCamel() throws Exception {
        camel.close();
    }

    /** How many times the offset of the record delivered again was committed. */
    final AtomicInteger commits = new AtomicInteger();

    Exchange deliveredAgain(CopyQueue queue, boolean replay) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.getMessage().setBody(trade);
        exchange.getMessage().setHeader(KafkaConstants.MANUAL_COMMIT, (KafkaManualCommit) commits::incrementAndGet);
        if (replay) {
            exchange.getMessage().setHeader(CopyQueue.REPLAY_HEADER, "true");
        }
        queue.take(exchange);
        return exchange;
    }

    CopyQueue shared() {
        return new CopyQueue(true, false, ledger, Duration.ofSeconds(60), clock);
    }

    /** The dead engine admitted the trade and wrote its order to the outbox, then left it in {@code state}. */
    void orderLeft(OrderRecordState state, VenueOrderId venueId) {
        assertThat(ledger.admit(trade)).isTrue();
        assertThat(store.recordIntent(trade.key(), intent)).isTrue();
        if (state != OrderRecordState.SUBMITTING) {
            assertThat(store.moveOrder(trade.clientOrderId(), state, venueId, null, null)).isTrue();
        }
    }

    @Test
    void shouldCopyATradeDeliveredAgainWhoseOrderTheVenueAccepted() {
        // the venue filled the sell, the engine died before recording the outcome: sizing it again would skip it
        // (nothing left to sell), so the trade follows its order
        orderLeft(OrderRecordState.FILLED, new VenueOrderId("v-1"));

        Exchange exchange = deliveredAgain(shared(), false);

        assertThat(exchange.isRouteStop()).as("not sized or sent again").isTrue();
        assertThat(store.outcome(trade.key())).contains(TradeOutcome.COPIED);
        assertThat(store.order(trade.clientOrderId()).orElseThrow().state()).isEqualTo(OrderRecordState.FILLED);
        assertThat(commits).as("its offset committed: not delivered a third time").hasValue(1);
    }

    @Test
    void shouldLeaveToTheMonitorATradeDeliveredAgainWhoseOrderMayHaveBeenSent() {
        // the engine died with the request out: only a lookup (the monitor) decides the trade
        orderLeft(OrderRecordState.SUBMITTING, null);

        Exchange exchange = deliveredAgain(shared(), false);

        assertThat(exchange.isRouteStop()).as("not sized or sent again").isTrue();
        assertThat(store.outcome(trade.key())).isEmpty();
        assertThat(store.order(trade.clientOrderId()).orElseThrow().state())
                .as("left for the monitor's lookup, untouched").isEqualTo(OrderRecordState.SUBMITTING);
    }

    @Test
    void shouldLeaveToTheMonitorATradeDeliveredAgainWhoseOrderGotNoAnswer() {
        // the request went out and no answer came (UNKNOWN): sizing the trade again could place a second order
        orderLeft(OrderRecordState.UNKNOWN, null);

        Exchange exchange = deliveredAgain(shared(), false);

        assertThat(exchange.isRouteStop()).as("not sized or sent again").isTrue();
        assertThat(store.outcome(trade.key())).isEmpty();
        assertThat(store.order(trade.clientOrderId()).orElseThrow().state()).isEqualTo(OrderRecordState.UNKNOWN);
        assertThat(commits).hasValue(1);
    }

    @Test
    void shouldSizeAgainATradeWhoseOrderWasCertainlyNeverSent() {
        // a venue whose order id is persisted before sending, and none was: nothing left, so the trade goes on
        orderLeft(OrderRecordState.SUBMITTING, null);
        CopyQueue queue = new CopyQueue(true, true, ledger, Duration.ofSeconds(60), clock);

        Exchange exchange = deliveredAgain(queue, false);

        assertThat(exchange.isRouteStop()).isFalse();
        assertThat(store.outcome(trade.key())).isEmpty();
    }

    @Test
    void shouldSizeATradeDeliveredAgainWithNoOrder() {
        assertThat(ledger.admit(trade)).isTrue();

        Exchange exchange = deliveredAgain(shared(), false);

        assertThat(exchange.isRouteStop()).isFalse();
        assertThat(store.outcome(trade.key())).isEmpty();
        assertThat(registry.get(PipelineMetrics.TRADES_QUEUED).counter().count()).as("counted off the queue").isEqualTo(1.0);
        assertThat(commits).as("committed when the route is done with it, not before").hasValue(0);
    }

    @Test
    void shouldLetAReplayOfAFailedOrderGoOn() {
        // a person replayed the trade from the dead letters: its failed order is prepared and sent again
        orderLeft(OrderRecordState.FAILED, null);

        Exchange exchange = deliveredAgain(shared(), true);

        assertThat(exchange.isRouteStop()).isFalse();
    }

    @Test
    void shouldSkipATradeDeliveredAgainThatAlreadyEnded() {
        orderLeft(OrderRecordState.FILLED, new VenueOrderId("v-1"));
        ledger.finish(trade, TradeOutcome.COPIED, null, null);

        Exchange exchange = deliveredAgain(shared(), false);

        assertThat(exchange.isRouteStop()).isTrue();
        assertThat(store.outcomeCounts()).containsEntry(TradeOutcome.COPIED, 1L);
        assertThat(commits).hasValue(1);
    }

    @Test
    void shouldRecordCopiedWhenTheOrderIsAcceptedAfterAnotherInstanceSkippedTheTrade() {
        // two instances had the record at once: the new owner sized the sell on its own book and skipped it, while
        // the old owner's order for it was out; the venue accepted that order, so the trade was copied
        orderLeft(OrderRecordState.FILLED, new VenueOrderId("v-1"));
        assertThat(ledger.finish(trade, TradeOutcome.SKIPPED, Reason.RISK_NOTHING_TO_SELL, "other instance")).isTrue();

        assertThat(ledger.finish(trade, TradeOutcome.COPIED, null, null)).isTrue();

        assertThat(store.outcome(trade.key())).contains(TradeOutcome.COPIED);
        assertThat(store.outcomeCounts()).containsEntry(TradeOutcome.COPIED, 1L).containsEntry(TradeOutcome.SKIPPED, 0L);
        // and never the other way round: a skip after the copy changes nothing
        assertThat(ledger.finish(trade, TradeOutcome.SKIPPED, Reason.RISK_NOTHING_TO_SELL, "late")).isFalse();
        assertThat(store.outcome(trade.key())).contains(TradeOutcome.COPIED);
    }

    @Test
    void shouldDropATradeThatWaitedPastTheMaxAge() {
        assertThat(ledger.admit(trade)).isTrue();
        CopyQueue queue = new CopyQueue(true, false, ledger, Duration.ofSeconds(4), clock);

        Exchange exchange = deliveredAgain(queue, false);

        assertThat(exchange.isRouteStop()).isTrue();
        assertThat(store.outcome(trade.key())).contains(TradeOutcome.DROPPED);
        assertThat(store.deadLetters()).isEmpty();
        assertThat(commits).hasValue(1);
    }

    @Test
    void shouldCommitTheOffsetWhenDoneAndTakeARefusedCommitForAMovedPartition() {
        CopyQueue queue = shared();
        Exchange exchange = new DefaultExchange(camel);
        exchange.getMessage().setBody(trade);
        exchange.getMessage().setHeader(KafkaConstants.MANUAL_COMMIT, (KafkaManualCommit) commits::incrementAndGet);

        queue.done(exchange);
        assertThat(commits).hasValue(1);

        exchange.getMessage().setHeader(KafkaConstants.MANUAL_COMMIT, (KafkaManualCommit) () -> {
            throw new org.apache.kafka.common.errors.RebalanceInProgressException("partition moved");
        });
        queue.done(exchange); // the new owner gets the record again and skips it: not a failure of the trade
        assertThat(exchange.getException()).isNull();
    }
}
