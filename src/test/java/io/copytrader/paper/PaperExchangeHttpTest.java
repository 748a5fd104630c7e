package io.copytrader.paper;

import io.copytrader.domain.CopyIntent;
import io.copytrader.domain.Reason;
import io.copytrader.venue.HttpReply;
import io.copytrader.venue.JdkVenueHttpClient;
import io.copytrader.venue.OrderState;
import io.copytrader.venue.OrderStatus;
import io.copytrader.venue.PlaceResult;
import io.copytrader.venue.PositionSnapshot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The exchange side of the contract over real HTTP, through {@link PaperExchangeAdapter}. */
@Timeout(30)
class PaperExchangeHttpTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final JdkVenueHttpClient http = new JdkVenueHttpClient(Duration.ofSeconds(2), Duration.ofSeconds(5));
    private PaperVenue venue;
    private PaperExchangeAdapter exchange;
    private PaperVenueAdmin admin;

    @BeforeEach
    void startVenue() {
        venue = PaperVenue.start(PaperVenueConfig.builder().traders(Map.of()).clock(clock)
                .startingCash(new BigDecimal("1000")).fillModel(FillModelSettings.alwaysImmediate()).build());
        exchange = new PaperExchangeAdapter(venue.baseUrl());
        admin = new PaperVenueAdmin(venue.baseUrl(), http);
    }

    @AfterEach
    void stopVenue() {
        venue.close();
    }

    private PlaceResult place(CopyIntent intent) throws Exception {
        return exchange.onPlaceReply(intent, http.execute(exchange.prepareOrder(intent).call()));
    }

    @Test
    void shouldFillABuyAtItsLimitAndMoveCashIntoThePosition() throws Exception {
        // 1. buy 100 tok-7 at 0.55
        CopyIntent buy = Intents.buy("t-1", "0.55", "100");
        PlaceResult result = place(buy);

        // 2. it filled at the limit; cash and position are exact
        assertThat(result).isInstanceOfSatisfying(PlaceResult.Accepted.class, accepted -> {
            assertThat(accepted.status().state()).isEqualTo(OrderState.FILLED);
            assertThat(accepted.status().avgFillPrice()).isEqualByComparingTo("0.55");
            assertThat(accepted.status().clientOrderId()).isEqualTo(buy.clientOrderId());
        });
        assertThat(exchange.onBalanceReply(http.execute(exchange.balance()))).isEqualByComparingTo("945");
        List<PositionSnapshot> positions = exchange.onPositionsReply(http.execute(exchange.positions()));
        assertThat(positions).singleElement().satisfies(p -> {
            assertThat(p.instrument().value()).isEqualTo("tok-7");
            assertThat(p.quantity()).isEqualByComparingTo("100");
            assertThat(p.avgPrice()).isEqualByComparingTo("0.55");
        });

        // 3. a lookup by client order id finds it
        OrderStatus status = exchange.onLookupReply(buy, http.execute(exchange.lookupOrder(buy, null)));
        assertThat(status.state()).isEqualTo(OrderState.FILLED);
        assertThat(status.filledQuantity()).isEqualByComparingTo("100");
    }

    @Test
    void shouldRejectADuplicateClientOrderIdAndCountIt() throws Exception {
        CopyIntent buy = Intents.buy("t-2", "0.40", "10");
        assertThat(place(buy)).isInstanceOf(PlaceResult.Accepted.class);

        PlaceResult again = place(buy);

        assertThat(again).isInstanceOfSatisfying(PlaceResult.Rejected.class,
                r -> assertThat(r.reason()).isEqualTo(Reason.EXCHANGE_DUPLICATE_ORDER));
        VenueStats stats = admin.stats();
        assertThat(stats.duplicateOrdersRejected()).isEqualTo(1);
        assertThat(stats.ordersAccepted()).isEqualTo(1);
        assertThat(exchange.onBalanceReply(http.execute(exchange.balance()))).isEqualByComparingTo("996");
    }

    @Test
    void shouldRejectABuyAboveFreeCashAndASellOfMoreThanHeld() throws Exception {
        PlaceResult tooBig = place(Intents.buy("t-3", "0.50", "2000.02"));
        PlaceResult nothingHeld = place(Intents.sell("t-4", "0.50", "1"));

        assertThat(tooBig).isInstanceOfSatisfying(PlaceResult.Rejected.class,
                r -> assertThat(r.reason()).isEqualTo(Reason.EXCHANGE_INSUFFICIENT_BALANCE));
        assertThat(nothingHeld).isInstanceOfSatisfying(PlaceResult.Rejected.class, r -> {
            assertThat(r.reason()).isEqualTo(Reason.EXCHANGE_INVALID_ORDER);
            assertThat(r.message()).contains("exceeds the 0 held");
        });
        assertThat(admin.stats().ordersRejected()).isEqualTo(2);
    }

    @Test
    void shouldFillARestingOrderOnceTheClockPassesItsDelayAndCancelAnother() throws Exception {
        venue.close();
        venue = PaperVenue.start(PaperVenueConfig.builder().traders(Map.of()).clock(clock)
                .startingCash(new BigDecimal("1000"))
                .fillModel(new FillModelSettings(0, 0, 1, 0, Duration.ofSeconds(5), Duration.ofSeconds(5))).build());
        exchange = new PaperExchangeAdapter(venue.baseUrl());
        CopyIntent resting = Intents.buy("t-5", "0.25", "40");
        CopyIntent canceled = Intents.buy("t-6", "0.50", "10");

        // 1. both rest; their cost is reserved
        assertThat(place(resting)).isInstanceOfSatisfying(PlaceResult.Accepted.class,
                a -> assertThat(a.status().state()).isEqualTo(OrderState.OPEN));
        assertThat(place(canceled)).isInstanceOf(PlaceResult.Accepted.class);
        assertThat(exchange.onBalanceReply(http.execute(exchange.balance()))).isEqualByComparingTo("985");

        // 2. cancel one: its reserve is released
        assertThat(exchange.onCancelReply(http.execute(exchange.cancelOrder(canceled, null)))).isTrue();
        assertThat(exchange.onBalanceReply(http.execute(exchange.balance()))).isEqualByComparingTo("990");

        // 3. time passes: the other fills
        clock.advance(Duration.ofSeconds(5));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(exchange.onLookupReply(resting, http.execute(exchange.lookupOrder(resting, null))).state())
                        .isEqualTo(OrderState.FILLED));
        assertThat(exchange.onBalanceReply(http.execute(exchange.balance()))).isEqualByComparingTo("990");
        HttpReply open = http.execute(io.copytrader.venue.HttpCall.get(venue.baseUrl() + "/exchange/orders?state=open"));
        assertThat(PaperJson.tree(open.body(), "open orders").get("orders")).isEmpty();
    }

    @Test
    void shouldKeepTheBooksExactUnderFiveConcurrentClients() throws Exception {
        // 1. five clients each buy 40 different orders of 1.1 at 0.11 (cost 0.121 each)
        ExecutorService pool = Executors.newFixedThreadPool(5);
        List<Future<PlaceResult>> results = new ArrayList<>();
        for (int c = 0; c < 5; c++) {
            int client = c;
            for (int i = 0; i < 40; i++) {
                int n = i;
                results.add(pool.submit(() -> place(Intents.buy("c" + client + "-" + n, "0.11", "1.1"))));
            }
        }
        for (Future<PlaceResult> f : results) {
            assertThat(f.get()).isInstanceOf(PlaceResult.Accepted.class);
        }
        pool.shutdown();

        // 2. 200 * 0.121 = 24.2 spent, 220 held
        assertThat(exchange.onBalanceReply(http.execute(exchange.balance()))).isEqualByComparingTo("975.8");
        assertThat(exchange.onPositionsReply(http.execute(exchange.positions())).get(0).quantity()).isEqualByComparingTo("220");
        assertThat(admin.stats().ordersFilled()).isEqualTo(200);
    }
}
