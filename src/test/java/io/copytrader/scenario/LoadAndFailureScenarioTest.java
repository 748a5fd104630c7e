package io.copytrader.scenario;

import io.copytrader.domain.Reason;
import io.copytrader.engine.Cooldown;
import io.copytrader.domain.Side;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.paper.FaultKind;
import io.copytrader.paper.FaultSpec;
import io.copytrader.store.OrderRecord;
import io.copytrader.store.OrderRecordState;
import io.copytrader.store.TradeStore;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.apache.camel.processor.aggregate.AggregateProcessor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The seed's failure scenarios under load: overflow, shutdown, the breaker, the cooldown. */
@Timeout(90)
class LoadAndFailureScenarioTest {

    private static String key(int seq) {
        return EngineHarness.TRADER + ":" + EngineHarness.TRADER + "-" + seq;
    }

    @Test
    void shouldDropTheOldestTradesWhenAThousandArriveAtOnceAgainstASlowExchange() throws Exception {
        try (EngineHarness h = EngineHarness.builder().set("copytrader.feed.page-size", 1000).start()) {
            // 1. the exchange takes 20 ms per order
            h.admin().injectFault(FaultSpec.withProbability(FaultKind.LATENCY, 1.0).withLatency(20, 20));
            AtomicInteger maxQueue = new AtomicInteger();
            AtomicBoolean sampling = new AtomicBoolean(true);
            Thread sampler = new Thread(() -> {
                while (sampling.get()) {
                    maxQueue.accumulateAndGet((int) h.gauge("copytrader.queue.length"), Math::max);
                    Thread.onSpinWait();
                }
            });
            sampler.start();
            // 2. alice trades 1,000 times at once
            h.emit(1000);
            h.awaitSettled(1000, Duration.ofSeconds(60));
            sampling.set(false);
            sampler.join();
            // 3. the queue never held more than its 100 (a sampler can miss the peak, never exceed it), and it filled
            // up: it drops only when full, and it dropped; each overflow was counted and recorded
            assertThat(maxQueue.get()).isLessThanOrEqualTo(100);
            long dropped = h.outcomes(TradeOutcome.DROPPED);
            assertThat(dropped).isGreaterThan(0);
            assertThat((long) h.counter("copytrader.queue.overflows")).isEqualTo(dropped);
            // 4. the dropped ones are the oldest: none of the newest 100 was dropped
            for (int seq = 901; seq <= 1000; seq++) {
                assertThat(h.store().outcome(key(seq))).as("trade %d", seq).isPresent()
                        .get().isNotEqualTo(TradeOutcome.DROPPED);
            }
            h.assertAccountingIdentity();
            // 5. a dropped trade's exchange has ended: the aggregator that completed it counts nothing in progress,
            // so a graceful shutdown does not wait for it (it used to wait out its whole timeout after an overflow)
            AggregateProcessor aggregator = h.context().getProcessor("aggregate-fills-by-order", AggregateProcessor.class);
            await().atMost(Duration.ofSeconds(10)).until(() -> aggregator.getInProgressCompleteExchanges() == 0);
            Instant stopAsked = Instant.now();
            h.stopEngine();
            assertThat(Duration.between(stopAsked, Instant.now())).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void shouldDrainTheQueueOnShutdown() {
        try (EngineHarness h = EngineHarness.builder().start()) {
            TradeStore store = h.store();
            h.admin().injectFault(FaultSpec.withProbability(FaultKind.LATENCY, 1.0).withLatency(10, 10));
            // 1. fifty trades are detected and queued
            h.emit(50);
            await().atMost(Duration.ofSeconds(10)).until(() -> store.detectedCount() == 50);
            // 2. the engine is asked to stop
            h.stopEngine();
            // 3. everything queued and in flight finished first; nothing abandoned
            assertThat(store.inFlightCount()).isZero();
            assertThat(store.outcomeCounts().get(TradeOutcome.ABANDONED)).isZero();
            assertThat(store.outcomeCounts().get(TradeOutcome.COPIED) + store.outcomeCounts().get(TradeOutcome.SKIPPED))
                    .isEqualTo(50);
        }
    }

    @Test
    void shouldRecordWhatIsLeftUnsentAsAbandonedWhenTheDrainTimesOut() {
        // five orders out at a time, fewer than the 30 trades: some are still unsent when the drain times out
        try (EngineHarness h = EngineHarness.builder().set("copytrader.shutdown.timeout-seconds", 1)
                .set("copytrader.exchange.max-in-flight-orders", 5).start()) {
            TradeStore store = h.store();
            // 1. a very slow exchange: 2 s per order
            h.admin().injectFault(FaultSpec.withProbability(FaultKind.LATENCY, 1.0).withLatency(2000, 2000));
            h.emit(30);
            await().atMost(Duration.ofSeconds(10)).until(() -> store.detectedCount() == 30);
            // 2. stop with a 1 s drain timeout
            Instant stopAsked = Instant.now();
            h.stopEngine();
            // 3. it stopped within the timeout (plus slack); every trade whose order never left is ABANDONED by id,
            // and only the ones whose order may be at the venue stay in flight (RestartScenarioTest finishes them)
            assertThat(Duration.between(stopAsked, Instant.now())).isLessThan(Duration.ofSeconds(8));
            long abandoned = store.outcomeCounts().get(TradeOutcome.ABANDONED);
            assertThat(abandoned).isGreaterThan(0);
            long maybeAtVenue = store.ordersIn(EnumSet.of(OrderRecordState.SUBMITTING, OrderRecordState.UNKNOWN)).size();
            assertThat(store.inFlightCount()).isEqualTo(maybeAtVenue).isLessThanOrEqualTo(5);
            h.assertAccountingIdentity();
        }
    }

    @Test
    void shouldLeaveEveryOrderAlreadyAtTheVenueInFlightWhenTheDrainTimesOut() {
        // the shipped MAX_IN_FLIGHT_ORDERS (200): more orders out at once than the 5 copy consumers
        try (EngineHarness h = EngineHarness.builder().set("copytrader.shutdown.timeout-seconds", 1).start()) {
            TradeStore store = h.store();
            EnumSet<OrderRecordState> maybeAtVenueStates = EnumSet.of(OrderRecordState.SUBMITTING, OrderRecordState.UNKNOWN);
            // 1. a very slow exchange: 2 s per order; 30 trades over the paper venue's 20 instruments
            h.admin().injectFault(FaultSpec.withProbability(FaultKind.LATENCY, 1.0).withLatency(2000, 2000));
            h.emit(30);
            // 2. more than five orders await the venue's answer at once, and no sell among them went out while an order
            // of its instrument sent before it was out (docs/ordering.md: no answer is in, so no share is settled, and
            // a sell goes while orders of its instrument are out only when settled shares cover it)
            await().atMost(Duration.ofSeconds(10)).until(() -> store.ordersIn(maybeAtVenueStates).size() > 5);
            List<OrderRecord> out = store.ordersIn(maybeAtVenueStates);
            for (OrderRecord sell : out.stream().filter(o -> o.intent().side() == Side.SELL).toList()) {
                assertThat(out).filteredOn(o -> o != sell && o.intent().instrument().equals(sell.intent().instrument()))
                        .as("orders out with the sell " + sell.tradeKey())
                        .allSatisfy(o -> assertThat(o.createdAt()).isAfterOrEqualTo(sell.createdAt()));
            }
            // 3. stop with a 1 s drain timeout, before any answer (2 s) is in
            Instant stopAsked = Instant.now();
            h.stopEngine();
            // 4. it stopped within the timeout (plus slack); each trade whose order may be at the venue stays in flight
            // for the next start to look up (none abandoned), every other one has its outcome
            assertThat(Duration.between(stopAsked, Instant.now())).isLessThan(Duration.ofSeconds(8));
            List<OrderRecord> left = store.ordersIn(maybeAtVenueStates);
            assertThat(left.size()).isGreaterThan(5);
            assertThat(store.inFlightCount()).isEqualTo(left.size());
            for (OrderRecord o : left) {
                assertThat(store.outcome(o.tradeKey())).as(o.tradeKey()).isEmpty();
            }
            h.assertAccountingIdentity();
        }
    }

    @Test
    void shouldOpenTheBreakerAfterExactlyMaxConsecutiveFailuresAndCloseAfterTheCooldown() {
        try (EngineHarness h = EngineHarness.builder()
                .set("copytrader.breaker.max-consecutive-failures", 3)
                .set("copytrader.breaker.cooldown-minutes", "0.01") // 600 ms
                .set("copytrader.exchange.max-retries", 0)
                .set("copytrader.queue.concurrent-trades", 1)
                .set("copytrader.exchange.max-in-flight-orders", 1) // one order at the venue at a time: an exact count
                .start()) {
            CircuitBreaker breaker = h.breaker();
            // 1. every order gets a 503
            h.admin().injectFault(FaultSpec.withProbability(FaultKind.HTTP_5XX, 1.0));
            h.emit(12);
            h.awaitSettled(12, Duration.ofSeconds(20));
            // 2. exactly three critical failures, then the breaker opened and the rest went to dead letters unsent
            assertThat(h.counter("copytrader.trades.failed", "reason", Reason.EXCHANGE_RETRIES_EXHAUSTED.name())).isEqualTo(3);
            double shortCircuited = h.counter("copytrader.trades.failed", "reason", Reason.EXCHANGE_CIRCUIT_OPEN.name());
            assertThat(shortCircuited).isGreaterThan(0);
            assertThat(h.admin().stats().faults(FaultKind.HTTP_5XX)).as("requests that reached the venue").isEqualTo(3);
            assertThat(h.store().deadLetters()).filteredOn(d -> d.reason() == Reason.EXCHANGE_CIRCUIT_OPEN)
                    .hasSize((int) shortCircuited);
            // 3. the exchange recovers; after the cooldown the breaker half-opens, and a success closes it
            h.admin().clearFaults();
            await().atMost(Duration.ofSeconds(5)).until(() -> breaker.getState() == CircuitBreaker.State.HALF_OPEN);
            long copiedBefore = h.outcomes(TradeOutcome.COPIED);
            h.emit(10);
            h.awaitSettled(22, Duration.ofSeconds(20));
            assertThat(h.outcomes(TradeOutcome.COPIED)).isGreaterThan(copiedBefore);
            assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
            h.assertAccountingIdentity();
        }
    }

    @Test
    void shouldSpaceOrderSubmissionsByTheCooldownAcrossAllConsumers() {
        Burst burst = submissionBurst(10, 60);
        assertThat(burst.spread()).as("60 submissions at 10 ms apart: at most 100/s")
                .isGreaterThanOrEqualTo(Duration.ofMillis(590 - 10));
        assertThat(burst.cooldownHeld()).as("the cooldown held consumers back").isPositive();
    }

    @Test
    void shouldSubmitUnthrottledWithAZeroCooldown() {
        // Not a wall-clock claim (a loaded machine can be slower than 100/s on its own): with a zero cooldown the
        // cooldown step never holds a consumer, and every buy is still submitted.
        Burst burst = submissionBurst(0, 60);
        assertThat(burst.cooldownHeld()).as("time the cooldown held consumers").isZero();
    }

    /** Time between the first and the last order submission of a burst, and the time the cooldown held. */
    private record Burst(Duration spread, long cooldownHeld) {
    }

    private static Burst submissionBurst(int cooldownMs, int buys) {
        try (EngineHarness h = EngineHarness.builder().set("copytrader.copy.cooldown-ms", cooldownMs)
                .set("copytrader.feed.page-size", 1000).start()) {
            h.emit(buys * 2);
            h.awaitSettled(buys * 2, Duration.ofSeconds(30));
            List<OrderRecord> orders = h.store().ordersIn(EnumSet.allOf(OrderRecordState.class));
            assertThat(orders.size()).isGreaterThanOrEqualTo(buys);
            List<OrderRecord> first = orders.subList(0, buys);
            return new Burst(Duration.between(first.get(0).createdAt(), first.get(buys - 1).createdAt()),
                    h.bean("cooldown", Cooldown.class).heldNanos());
        }
    }
}
