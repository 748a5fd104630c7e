package io.copytrader.paper;

import io.copytrader.domain.Side;
import io.copytrader.venue.OrderState;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Exact book-keeping of the paper account: reserve, fill, cancel release, sells. */
class PaperExchangeTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final Queue<FillPlan> plans = new ArrayDeque<>();
    private final PaperExchange exchange = new PaperExchange(new BigDecimal("100"),
            () -> plans.isEmpty() ? FillPlan.immediate() : plans.poll(), clock);

    private static OrderRequest order(String id, Side side, String price, String quantity) {
        return new OrderRequest(id, "tok-1", side, new BigDecimal(price), new BigDecimal(quantity));
    }

    private OrderView accepted(OrderRequest request) {
        PlaceOutcome outcome = exchange.place(request);
        assertThat(outcome).isInstanceOf(PlaceOutcome.Accepted.class);
        return ((PlaceOutcome.Accepted) outcome).order();
    }

    private void assertBalance(String cash, String reserved, String available) {
        BalanceView balance = exchange.balance();
        assertThat(balance.cash()).as("cash").isEqualByComparingTo(cash);
        assertThat(balance.reserved()).as("reserved").isEqualByComparingTo(reserved);
        assertThat(balance.available()).as("available").isEqualByComparingTo(available);
    }

    @Test
    void shouldReserveABuyAtPlacementAndSpendItExactlyAsItFills() {
        plans.add(new FillPlan(FillPlan.Kind.PARTIAL_THEN_REST, new BigDecimal("0.25"), Duration.ofSeconds(1)));

        // 1. buy 30 at 0.333: 9.99 reserved, a quarter (7.5) fills now
        OrderView order = accepted(order("b-1", Side.BUY, "0.333", "30"));
        assertThat(order.state()).isEqualTo(OrderState.PARTIALLY_FILLED);
        assertThat(order.filledQuantity()).isEqualByComparingTo("7.5");
        assertBalance("97.5025", "7.4925", "90.01");

        // 2. the rest fills when the clock says so
        clock.advance(Duration.ofSeconds(1));
        assertThat(exchange.advance()).isEqualTo(1);
        assertBalance("90.01", "0", "90.01");
        assertThat(exchange.positions()).containsExactly(new PositionView("tok-1", new BigDecimal("30.00"), new BigDecimal("0.333000")));
    }

    @Test
    void shouldReleaseTheReserveOfWhatIsLeftOnCancel() {
        plans.add(new FillPlan(FillPlan.Kind.PARTIAL_THEN_REST, new BigDecimal("0.40"), Duration.ofSeconds(10)));
        accepted(order("b-2", Side.BUY, "0.5", "10"));

        OrderView canceled = exchange.cancel("b-2").orElseThrow();

        assertThat(canceled.state()).isEqualTo(OrderState.CANCELED);
        assertThat(canceled.filledQuantity()).isEqualByComparingTo("4");
        assertThat(exchange.balance().cash()).isEqualByComparingTo("98");
        assertThat(exchange.balance().reserved()).isEqualByComparingTo("0");
        clock.advance(Duration.ofSeconds(10));
        assertThat(exchange.advance()).isZero();
        assertThat(exchange.openOrders()).isEmpty();
    }

    @Test
    void shouldSellOnlyWhatIsHeldAndNotAlreadyBeingSold() {
        accepted(order("b-3", Side.BUY, "0.2", "50"));
        plans.add(FillPlan.never());
        accepted(order("s-1", Side.SELL, "0.3", "30"));

        // 1. 50 held, 30 reserved by the resting sell: 25 more is too many, 20 is fine
        assertThat(exchange.place(order("s-2", Side.SELL, "0.3", "25")))
                .isInstanceOfSatisfying(PlaceOutcome.Rejected.class, r -> assertThat(r.error()).isEqualTo("INVALID_ORDER"));
        accepted(order("s-3", Side.SELL, "0.4", "20"));

        // 2. the sell filled at its limit: 90 + 8 = 98 cash, 30 held at the buy price
        assertThat(exchange.balance().cash()).isEqualByComparingTo("98");
        assertThat(exchange.positions()).singleElement().satisfies(p -> {
            assertThat(p.quantity()).isEqualByComparingTo("30");
            assertThat(p.avgPrice()).isEqualByComparingTo("0.2");
        });

        // 3. cancelling the resting sell frees its quantity again
        exchange.cancel("s-1");
        accepted(order("s-4", Side.SELL, "0.1", "30"));
        assertThat(exchange.positions()).isEmpty();
        assertThat(exchange.balance().cash()).isEqualByComparingTo("101");
    }

    @Test
    void shouldRefuseABuyAboveAvailableCashAndADuplicateId() {
        assertThat(exchange.place(order("b-4", Side.BUY, "0.5", "200.01")))
                .isInstanceOfSatisfying(PlaceOutcome.Rejected.class, r -> assertThat(r.error()).isEqualTo("INSUFFICIENT_BALANCE"));
        accepted(order("b-5", Side.BUY, "0.5", "200"));
        assertThat(exchange.place(order("b-5", Side.BUY, "0.5", "1")))
                .isInstanceOfSatisfying(PlaceOutcome.Rejected.class, r -> assertThat(r.error()).isEqualTo("DUPLICATE_CLIENT_ORDER_ID"));

        assertThat(exchange.counts()).isEqualTo(new PaperExchange.Counts(1, 1, 1, 1, 0));
    }

    @Test
    void shouldAverageThePositionPriceOverBuys() {
        accepted(order("b-6", Side.BUY, "0.1", "10"));
        accepted(order("b-7", Side.BUY, "0.4", "20"));

        assertThat(exchange.positions()).isEqualTo(List.of(new PositionView("tok-1", new BigDecimal("30"), new BigDecimal("0.300000"))));
    }

    @Test
    void shouldSetFreeCashKeepingReserves() {
        plans.add(FillPlan.never());
        accepted(order("b-8", Side.BUY, "0.5", "20"));

        exchange.setAvailableCash(new BigDecimal("5"));

        assertBalance("15", "10", "5");
    }

    @Test
    void shouldForgetAnEndedOrderOnceItsRetentionPassedButNeverAnOpenOne() {
        PaperExchange venue = new PaperExchange(new BigDecimal("100"),
                () -> plans.isEmpty() ? FillPlan.immediate() : plans.poll(), clock, Duration.ofMinutes(10), 1000);
        plans.add(FillPlan.never());
        venue.place(order("rest", Side.BUY, "0.5", "2"));           // open until canceled
        venue.place(order("filled", Side.BUY, "0.5", "2"));         // ends now
        clock.advance(Duration.ofMinutes(5));
        plans.add(FillPlan.never());
        venue.place(order("canceled", Side.BUY, "0.5", "2"));
        assertThat(venue.cancel("canceled")).map(OrderView::state).contains(OrderState.CANCELED);  // ends at 5 min
        assertThat(venue.endedKnown()).isEqualTo(2);

        // 10 minutes after it filled, the filled order is still known: the retention is not yet past
        clock.advance(Duration.ofMinutes(5));
        assertThat(venue.find("filled")).map(OrderView::state).contains(OrderState.FILLED);
        assertThat(venue.place(order("filled", Side.BUY, "0.5", "1")))
                .isInstanceOfSatisfying(PlaceOutcome.Rejected.class, r -> assertThat(r.error()).isEqualTo("DUPLICATE_CLIENT_ORDER_ID"));

        // a moment later it is forgotten: unknown to look-ups and cancels, its id new again; the canceled one is kept
        clock.advance(Duration.ofMillis(1));
        assertThat(venue.find("filled")).isEmpty();
        assertThat(venue.cancel("filled")).isEmpty();
        assertThat(venue.endedKnown()).isEqualTo(1);
        assertThat(venue.find("canceled")).map(OrderView::state).contains(OrderState.CANCELED);

        // the resting order, older than any retention, stays; the canceled one goes at its own time
        clock.advance(Duration.ofHours(2));
        assertThat(venue.find("rest")).map(OrderView::state).contains(OrderState.OPEN);
        assertThat(venue.find("canceled")).isEmpty();
        assertThat(venue.endedKnown()).isZero();
        assertThat(venue.openOrders()).extracting(OrderView::clientOrderId).containsExactly("rest");

        // forgetting an order changes no money: 1 (filled) + 1 (reserved for the resting one) of the 100
        BalanceView balance = venue.balance();
        assertThat(balance.cash()).isEqualByComparingTo("99");
        assertThat(balance.reserved()).isEqualByComparingTo("1");
        assertThat(venue.place(order("filled", Side.BUY, "0.5", "2"))).isInstanceOf(PlaceOutcome.Accepted.class);
    }

    @Test
    void shouldForgetTheOldestEndedOrdersOnceMoreThanTheLimitEndedWithinTheRetention() {
        PaperExchange venue = new PaperExchange(new BigDecimal("100"),
                () -> plans.isEmpty() ? FillPlan.immediate() : plans.poll(), clock, Duration.ofHours(1), 2);
        plans.add(FillPlan.never());
        venue.place(order("rest", Side.BUY, "0.5", "2"));      // open: never forgotten, never counted
        venue.place(order("first", Side.BUY, "0.5", "1"));
        venue.place(order("second", Side.BUY, "0.5", "1"));
        assertThat(venue.endedKnown()).isEqualTo(2);
        assertThat(venue.place(order("first", Side.BUY, "0.5", "1")))
                .isInstanceOfSatisfying(PlaceOutcome.Rejected.class, r -> assertThat(r.error()).isEqualTo("DUPLICATE_CLIENT_ORDER_ID"));

        // a third ended order, a second later: the first is forgotten though its hour has not passed
        clock.advance(Duration.ofSeconds(1));
        plans.add(FillPlan.never());
        venue.place(order("third", Side.BUY, "0.5", "1"));
        assertThat(venue.endedKnown()).as("the third rests: it has not ended").isEqualTo(2);
        assertThat(venue.cancel("third")).map(OrderView::state).contains(OrderState.CANCELED);
        assertThat(venue.endedKnown()).isEqualTo(2);
        assertThat(venue.find("first")).isEmpty();
        assertThat(venue.find("second")).map(OrderView::state).contains(OrderState.FILLED);
        assertThat(venue.find("third")).map(OrderView::state).contains(OrderState.CANCELED);
        assertThat(venue.find("rest")).map(OrderView::state).contains(OrderState.OPEN);
        assertThat(venue.openOrders()).extracting(OrderView::clientOrderId).containsExactly("rest");

        // forgetting changes no money: two filled at 0.5, one resting for 1 of the 100
        assertThat(venue.balance().cash()).isEqualByComparingTo("99");
        assertThat(venue.balance().reserved()).isEqualByComparingTo("1");
        assertThat(venue.place(order("first", Side.BUY, "0.5", "1"))).isInstanceOf(PlaceOutcome.Accepted.class);
    }

    @Test
    void shouldRefuseALimitBelowOne() {
        assertThatThrownBy(() -> new PaperExchange(BigDecimal.ONE, FillPlan::immediate, clock, Duration.ofHours(1), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("endedLimit must be >= 1");
        assertThatThrownBy(() -> PaperVenueConfig.builder().endedOrderLimit(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("endedOrderLimit must be >= 1");
        assertThat(PaperVenueConfig.defaults().endedOrderLimit()).isEqualTo(100_000);
    }

    @Test
    void shouldRefuseARetentionThatIsNotPositive() {
        assertThatThrownBy(() -> new PaperExchange(BigDecimal.ONE, FillPlan::immediate, clock, Duration.ZERO, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("endedRetention must be positive");
        assertThatThrownBy(() -> PaperVenueConfig.builder().endedOrderRetention(Duration.ofSeconds(-1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("endedOrderRetention must be positive");
        assertThat(PaperVenueConfig.defaults().endedOrderRetention()).isEqualTo(Duration.ofHours(1));
    }
}
