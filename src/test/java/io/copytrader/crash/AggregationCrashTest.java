package io.copytrader.crash;

import io.copytrader.domain.TradeOutcome;
import io.copytrader.paper.FaultKind;
import io.copytrader.paper.FaultSpec;
import io.copytrader.paper.FillModelSettings;
import io.copytrader.paper.PaperVenue;
import io.copytrader.paper.PaperVenueAdmin;
import io.copytrader.paper.PaperVenueConfig;
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
 * kill -9 of the engine while the one order it made of a target order's 20 fills is at the venue and unanswered:
 * after the restart the 20 fills are copied by that one order, never a second (docs/aggregation.md).
 */
@Timeout(180)
class AggregationCrashTest {
    private static final String TRADER = "alice";

    @TempDir
    Path dir;

    @Test
    void shouldPlaceExactlyOneOrderForAnAggregateWhoseEngineWasKilledWhileItsOrderWasUnanswered() throws Exception {
        PaperVenueConfig config = PaperVenueConfig.builder().port(0).seed(5).traders(Map.of(TRADER, 0.0))
                .startingCash(new BigDecimal("1000000")).fillModel(FillModelSettings.alwaysImmediate()).build();
        String storeUrl = "jdbc:sqlite:" + dir.resolve("copytrader.db");
        Map<String, String> env = Map.of("EXCHANGE_RESPONSE_TIMEOUT_MS", "60000", "UNKNOWN_ORDER_GRACE_MS", "10000");
        try (PaperVenue venue = PaperVenue.start(config);
             TradeStore store = StoreFactory.open(StoreSettings.of(storeUrl), Clock.systemUTC())) {
            PaperVenueAdmin admin = new PaperVenueAdmin(venue.baseUrl());
            // 1. the venue takes the next order but never answers it
            admin.injectFault(FaultSpec.burst(FaultKind.TIMEOUT_AFTER_ACCEPT, 1));
            Process engine = EngineCrashTest.startEngine(venue.baseUrl(), storeUrl, "aggregation-crash-1", env);
            try {
                // 2. alice's one buy of 100 tok-A is filled in 20 pieces (read at the engine's first poll)
                admin.emitPattern(TRADER, Map.of("pattern", "SPLIT_ORDER", "instrument", "tok-A", "side", "BUY",
                        "quantity", new BigDecimal("100"), "price", new BigDecimal("0.40"), "pieces", 20,
                        "orderId", "alice-sweep"));
                // 3. the engine sent one order for the 20 and waits for its answer: kill -9 it now
                await().atMost(Duration.ofSeconds(60)).until(() -> admin.stats().ordersAccepted() == 1
                        && store.ordersIn(EnumSet.of(OrderRecordState.SUBMITTING)).size() == 1);
            } finally {
                engine.destroyForcibly();
            }
            EngineCrashTest.assertKilled(engine);
            assertThat(store.inFlightCount()).as("the 20 fills, none ended").isEqualTo(20);

            // 4. the engine starts again and finishes what it left: the order is looked up, not sent again
            EngineCrashTest.restartUntilNothingInFlight(admin, venue.baseUrl(), storeUrl, "aggregation-crash-2", env, store);

            // 5. one order at the venue, for the summed quantity; the 20 source trades COPIED
            assertThat(admin.stats().ordersAccepted()).isEqualTo(1);
            assertThat(admin.stats().duplicateOrdersRejected()).isZero();
            List<OrderRecord> orders = store.ordersIn(EnumSet.allOf(OrderRecordState.class));
            assertThat(orders).singleElement().satisfies(o -> {
                assertThat(o.intent().quantity()).isEqualByComparingTo("100");
                assertThat(o.tradeKey()).isEqualTo(TRADER + ":" + TRADER + "-1");
            });
            assertThat(store.outcomeCounts().get(TradeOutcome.COPIED)).isEqualTo(20);
            assertThat(store.detectedCount()).isEqualTo(20);
        }
    }
}
