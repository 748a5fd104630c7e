package io.copytrader.scenario;

import io.copytrader.CopyTraderCli;
import io.copytrader.domain.Reason;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.paper.FaultKind;
import io.copytrader.paper.FaultSpec;
import io.copytrader.store.DeadLetter;
import io.copytrader.store.StoreFactory;
import io.copytrader.store.TradeStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Durability across restarts, on the default store (a SQLite file). */
@Timeout(90)
class RestartScenarioTest {

    @TempDir
    Path dir;

    private String storeUrl() {
        return "jdbc:sqlite:" + dir.resolve("copytrader.db");
    }

    @Test
    void shouldKeepDeadLettersAcrossARestartAndReplayEachAtMostOnce() {
        try (EngineHarness h = EngineHarness.builder().set("copytrader.store.url", storeUrl()).start()) {
            // 1. the account is short of money: every buy fails to the dead letters
            h.admin().injectFault(FaultSpec.withProbability(FaultKind.INSUFFICIENT_BALANCE, 1.0));
            h.emit(20);
            h.awaitSettled(20, Duration.ofSeconds(20));
            long failed = h.outcomes(TradeOutcome.FAILED);
            assertThat(failed).isGreaterThan(5);
            // 2. the engine restarts; the letters are still there
            h.restartEngine();
            List<DeadLetter> letters = h.store().deadLetters();
            assertThat(letters).hasSize((int) failed).allMatch(d -> d.reason() == Reason.EXCHANGE_INSUFFICIENT_BALANCE);
            // 3. the account is topped up; a person replays every letter with the CLI while the engine runs
            h.admin().clearFaults();
            long acceptedBefore = h.admin().stats().ordersAccepted();
            assertThat(CopyTraderCli.run("dead-letters", "--store", storeUrl(), "replay", "--all")).isZero();
            // 4. each replayed trade is copied: one order each
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(h.store().inFlightCount()).isZero();
                assertThat(h.store().outcomeCounts().get(TradeOutcome.COPIED)).isEqualTo(failed);
            });
            assertThat(h.admin().stats().ordersAccepted() - acceptedBefore).isEqualTo(failed);
            // 5. replaying the same letters again places nothing more
            assertThat(CopyTraderCli.run("dead-letters", "--store", storeUrl(), "replay", String.valueOf(letters.get(0).id()))).isZero();
            assertThat(CopyTraderCli.run("dead-letters", "--store", storeUrl(), "replay", "--all")).isZero();
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3)).untilAsserted(() ->
                    assertThat(h.admin().stats().ordersAccepted() - acceptedBefore).isEqualTo(failed));
            assertThat(h.store().deadLetters()).allMatch(d -> d.replayedAt() != null);
            h.assertEveryAcceptedOrderHasACopiedTrade();
        }
    }

    @Test
    void shouldNeverSendASecondOrderWhenRestartedMidBurstUnderTimeoutAfterAccept() {
        try (EngineHarness h = EngineHarness.builder()
                .set("copytrader.store.url", storeUrl())
                .set("copytrader.exchange.response-timeout-ms", 300)
                .set("copytrader.shutdown.timeout-seconds", 1)
                .start()) {
            // 1. half the orders are accepted but their answer never comes back
            h.admin().injectFault(FaultSpec.withProbability(FaultKind.TIMEOUT_AFTER_ACCEPT, 0.5));
            h.emit(60);
            await().atMost(Duration.ofSeconds(10)).until(() -> h.admin().stats().faults(FaultKind.TIMEOUT_AFTER_ACCEPT) >= 5);
            // 2. the engine restarts in the middle of it; the venue recovers
            h.restartEngine();
            h.admin().clearFaults();
            // 3. everything settles; no order was sent twice (the venue would have refused it as a duplicate)
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(h.store().detectedCount()).isEqualTo(60);
                assertThat(h.store().inFlightCount()).isZero();
            });
            assertThat(h.admin().stats().duplicateOrdersRejected()).isZero();
            // 4. every order the venue accepted has a COPIED trade (none abandoned with its order at the venue)
            h.assertEveryAcceptedOrderHasACopiedTrade();
            h.assertAccountingIdentity();
        }
    }

    @Test
    void shouldNeverAbandonATradeWhoseOrderMayBeAtTheVenueWhenTheDrainTimesOut() {
        try (EngineHarness h = EngineHarness.builder()
                .set("copytrader.store.url", storeUrl())
                .set("copytrader.shutdown.timeout-seconds", 1)
                .set("copytrader.monitor.unknown-grace-ms", 500)
                .start()) {
            // 1. a very slow exchange: 2 s per order; 30 trades arrive
            h.admin().injectFault(FaultSpec.withProbability(FaultKind.LATENCY, 1.0).withLatency(2000, 2000));
            h.emit(30);
            await().atMost(Duration.ofSeconds(10)).until(() -> h.store().detectedCount() == 30);
            // 2. stop with a 1 s drain timeout: the orders being sent may be at the venue, so their trades stay in
            // flight; the queued ones never left and are abandoned
            h.stopEngine();
            long abandoned;
            try (TradeStore stopped = StoreFactory.open(storeUrl(), Clock.systemUTC())) {
                abandoned = stopped.outcomeCounts().get(TradeOutcome.ABANDONED);
                assertThat(abandoned).isGreaterThan(0);
                assertThat(stopped.inFlightCount()).as("orders that may be at the venue").isGreaterThan(0);
                assertThat(stopped.deadLetters()).isEmpty();
            }
            // 3. the venue answers the orders it got, quickly now; the engine starts again and finishes them from
            // the venue's answers
            h.admin().clearFaults();
            h.restartEngine();
            h.awaitSettled(30, Duration.ofSeconds(30));
            assertThat(h.store().outcomeCounts().get(TradeOutcome.ABANDONED)).isEqualTo(abandoned);
            h.assertEveryAcceptedOrderHasACopiedTrade();
            assertThat(h.admin().stats().duplicateOrdersRejected()).isZero();
        }
    }
}
