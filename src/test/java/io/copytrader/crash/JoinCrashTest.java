package io.copytrader.crash;

import io.copytrader.domain.TradeOutcome;
import io.copytrader.paper.FaultKind;
import io.copytrader.paper.FaultSpec;
import io.copytrader.paper.FaultTarget;
import io.copytrader.paper.FillModelSettings;
import io.copytrader.paper.PaperVenue;
import io.copytrader.paper.PaperVenueAdmin;
import io.copytrader.paper.PaperVenueConfig;
import io.copytrader.paper.ScriptedFill;
import io.copytrader.store.OrderRecord;
import io.copytrader.store.OrderRecordState;
import io.copytrader.store.StoreFactory;
import io.copytrader.store.StoreSettings;
import io.copytrader.store.TradeStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * kill -9 of the engine (shipped settings: trades waiting behind their instrument's order join the next) while the one
 * order it made of three waiting trades is at the venue and unanswered: after the restart the three are copied by that
 * order, never a second (docs/ordering.md, "Joining").
 */
@Timeout(180)
class JoinCrashTest {
    private static final String TRADER = "alice";

    @TempDir
    Path dir;

    @Test
    void shouldPlaceExactlyOneOrderForJoinedTradesWhoseEngineWasKilledWhileItsOrderWasUnanswered() throws Exception {
        PaperVenueConfig config = PaperVenueConfig.builder().port(0).seed(5).traders(Map.of(TRADER, 0.0))
                .startingCash(new BigDecimal("1000000")).fillModel(FillModelSettings.alwaysImmediate()).build();
        String storeUrl = "jdbc:sqlite:" + dir.resolve("copytrader.db");
        // one order per instrument, so that the buys wait behind the first (by default only sells wait)
        Map<String, String> env = Map.of("EXCHANGE_RESPONSE_TIMEOUT_MS", "60000", "UNKNOWN_ORDER_GRACE_MS", "10000",
                "ONE_ORDER_PER_INSTRUMENT", "true");
        try (PaperVenue venue = PaperVenue.start(config);
             TradeStore store = StoreFactory.open(StoreSettings.of(storeUrl), Clock.systemUTC())) {
            PaperVenueAdmin admin = new PaperVenueAdmin(venue.baseUrl());
            // 1. the venue holds our first order for 5 s
            admin.injectFault(FaultSpec.burst(FaultKind.LATENCY, 1).withLatency(5000, 5000).onTarget(FaultTarget.ORDERS));
            Process engine = EngineCrashTest.startEngine(venue.baseUrl(), storeUrl, "join-crash-1", env);
            try {
                admin.emitFills(TRADER, List.of(ScriptedFill.buy("tok-A", "0.40", "10").ofOrder("o1")));
                await().atMost(Duration.ofSeconds(60)).until(() -> admin.stats().faults(FaultKind.LATENCY) == 1);
                // 2. while it is held, alice buys tok-A three more times; the next order is taken but never answered
                admin.injectFault(FaultSpec.burst(FaultKind.TIMEOUT_AFTER_ACCEPT, 1).onTarget(FaultTarget.ORDERS));
                admin.emitFills(TRADER, List.of(ScriptedFill.buy("tok-A", "0.50", "10").ofOrder("o2"),
                        ScriptedFill.buy("tok-A", "0.60", "10").ofOrder("o3"),
                        ScriptedFill.buy("tok-A", "0.70", "10").ofOrder("o4")));
                // 3. the first is answered, the three that waited go out as one order, unanswered: kill -9 now
                await().atMost(Duration.ofSeconds(60)).until(() -> admin.stats().ordersAccepted() == 2
                        && store.ordersIn(EnumSet.of(OrderRecordState.SUBMITTING)).size() == 1);
            } finally {
                engine.destroyForcibly();
            }
            EngineCrashTest.assertKilled(engine);
            assertThat(store.inFlightCount()).as("the three joined trades, none ended").isEqualTo(3);

            // 4. the engine starts again and finishes what it left: the order is looked up, not sent again
            EngineCrashTest.restartUntilNothingInFlight(admin, venue.baseUrl(), storeUrl, "join-crash-2", env, store);

            // 5. two orders at the venue: the first trade's, and one for the three that waited; all four COPIED
            assertThat(admin.stats().ordersAccepted()).isEqualTo(2);
            assertThat(admin.stats().duplicateOrdersRejected()).isZero();
            List<OrderRecord> orders = store.ordersIn(EnumSet.allOf(OrderRecordState.class));
            assertThat(orders).extracting(o -> o.tradeKey() + " " + o.intent().quantity().stripTrailingZeros()
                    .toPlainString()).containsExactlyInAnyOrder(TRADER + ":" + TRADER + "-1 10",
                    TRADER + ":" + TRADER + "-2 30");
            assertThat(store.outcomeCounts().get(TradeOutcome.COPIED)).isEqualTo(4);
            assertThat(store.detectedCount()).isEqualTo(4);
        }
    }
}
