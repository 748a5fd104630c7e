package io.copytrader.engine;

import io.copytrader.domain.ClientOrderId;
import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.VenueOrderId;
import io.copytrader.paper.MutableClock;
import io.copytrader.store.InMemoryTradeStore;
import io.copytrader.store.OrderRecordState;
import io.copytrader.venue.HttpReply;
import io.copytrader.venue.OrderState;
import io.copytrader.venue.OrderStatus;
import io.copytrader.venue.PositionSnapshot;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.math.BigDecimal;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A placing that follows an order placed before instead of sending its own (a replay whose earlier order the venue
 * has, a trade whose order is in the outbox already), the monitor that ends that order, and the book's refreshes, in
 * each order they can come: the placer, the monitor and the book together over one store, the venue scripted. Whatever
 * the order, the book takes each reservation off once. Before, the placing released its reservation as if the book
 * counted the order on its own since a refresh, and the order's end took the same off again whenever no refresh had
 * counted it: after the replay had reopened it, or since its failure (a reservation of 5.10 USD came back twice).
 */
class FollowedOrderReservationTest {
    static final SizingRules RULES = SizingTest.rules("1", "10", "0.8", "0.02", "1");
    static final BigDecimal CASH = new BigDecimal("1000");
    /** The venue's cash while the order rests: its 10 shares at 0.51 held aside. */
    static final BigDecimal CASH_ASIDE = new BigDecimal("994.90");
    static CamelContext camel;
    final MutableClock clock = new MutableClock(Trades.T0);
    final InMemoryTradeStore store = new InMemoryTradeStore(clock);
    final TradeLedger ledger = new TradeLedger(store, new PipelineMetrics(new SimpleMeterRegistry()))
            .resolvingLostAdmissions(true); // one engine on its store
    final Portfolio book = new Portfolio();
    final ScriptedExchange venue = new ScriptedExchange();
    final DetectedTrade trade = Trades.buy("t-1", "0.50", "10");
    final ClientOrderId id = trade.clientOrderId();
    OrderPlacer placer;
    OrderMonitor monitor;

    @BeforeAll
    static void camel() {
        camel = new DefaultCamelContext();
    }

    @AfterAll
    static void stop() throws Exception {
        camel.close();
    }

    @BeforeEach
    void engine() {
        placer = new OrderPlacer(venue, store, ledger, book, new CopyReporter(), clock,
                new RetryPolicy(2, 100, 1000, 5000), new OrderBreaker(CircuitBreaker.ofDefaults("orders")));
        monitor = new OrderMonitor(venue, call -> new HttpReply(200, Map.of(), "{}"), store, ledger, book,
                new DeadLetterRecorder(ledger), clock, Duration.ofSeconds(10), Duration.ofSeconds(30), placer::isInHand,
                Duration.ofHours(1), Duration.ofHours(1));
        ledger.admit(trade);
        monitor.refreshBook(); // the first refresh: the venue's cash, nothing held
    }

    /** The trade sized and reserved, on an exchange as copy-trade hands it to place-order. */
    Exchange sized() {
        Exchange e = new DefaultExchange(camel);
        e.setProperty(ExchangeProps.INTENT, Trades.intent(trade, book.planAndReserve(trade, RULES)));
        return e;
    }

    OrderStatus status(OrderState state, String filled) {
        return new OrderStatus(id, new VenueOrderId("0xhash-1"), state, new BigDecimal(filled),
                filled.equals("0") ? null : new BigDecimal("0.50"));
    }

    OrderRecordState state() {
        return store.order(id).orElseThrow().state();
    }

    /** A refresh from the venue, which lists the order resting unfilled: its cost held aside from the cash. */
    void refreshWhileTheOrderRests() {
        venue.balance = CASH_ASIDE;
        venue.lookupStatus = status(OrderState.OPEN, "0");
        monitor.refreshBook();
        assertThat(book.cash()).as("the refresh replaced the book").isEqualByComparingTo(CASH_ASIDE);
    }

    /**
     * The order went out and no answer came; the venue did not list it within the grace period, so the monitor failed
     * it (the book released) and dead-lettered its trade; a person replays the trade.
     */
    void sentUnansweredFailedAndReplayed() {
        Exchange first = sized();
        placer.prepare(first);
        placer.sign(first);
        placer.request(first);
        first.setProperty(Exchange.EXCEPTION_CAUGHT, new SocketTimeoutException("Read timed out"));
        org.assertj.core.api.Assertions.catchThrowableOfType(() -> placer.onSendFailed(first), OrderFailedException.class);
        assertThat(state()).isEqualTo(OrderRecordState.UNKNOWN);
        venue.lookupStatus = OrderStatus.notFound(id);
        clock.set(Trades.T0.plusSeconds(11));
        monitor.run();
        assertThat(state()).isEqualTo(OrderRecordState.FAILED);
        assertThat(book.cash()).as("released by the monitor").isEqualByComparingTo(CASH);
        assertThat(store.reopen(trade.key())).as("replayed from the dead letters").isTrue();
    }

    /** Where a refresh of the book comes in the replay's course, if one does. */
    enum Refresh { NONE, BEFORE_THE_REPLAY_IS_SIZED, AFTER_THE_REPLAY_REOPENED_ITS_ORDER, AFTER_THE_REPLAY_FOLLOWED_IT }

    @ParameterizedTest
    @EnumSource(Refresh.class)
    void shouldTakeAReplaysReservationOffOnceWhenItFollowsItsEarlierOrderWhereverARefreshComes(Refresh refresh) {
        sentUnansweredFailedAndReplayed();
        if (refresh == Refresh.BEFORE_THE_REPLAY_IS_SIZED) {
            monitor.refreshBook(); // the venue does not list the order yet (a delayed order)
        }
        Exchange replay = sized();
        placer.prepare(replay);
        assertThat(replay.getProperty(ExchangeProps.EARLIER_ORDER)).as("its earlier order was signed").isNotNull();
        if (refresh == Refresh.AFTER_THE_REPLAY_REOPENED_ITS_ORDER) {
            refreshWhileTheOrderRests();
        }
        venue.earlier = Optional.of(status(OrderState.OPEN, "0"));
        placer.sign(replay);
        assertThat(replay.getProperty(ExchangeProps.ALREADY_PLACED, Boolean.class)).as("followed, not sent").isTrue();
        assertThat(state()).isEqualTo(OrderRecordState.UNKNOWN);
        if (refresh == Refresh.AFTER_THE_REPLAY_FOLLOWED_IT) {
            refreshWhileTheOrderRests();
        }

        // the monitor looks the order up: the venue canceled it, nothing filled
        venue.balance = CASH;
        venue.lookupStatus = status(OrderState.CANCELED, "0");
        monitor.run();

        assertThat(state()).isEqualTo(OrderRecordState.CANCELED);
        // before: 1005.10 unless a refresh came between the replay and the monitor: taken off twice
        assertThat(book.cash()).as("nothing filled: the venue's cash, each reservation taken off once")
                .isEqualByComparingTo(CASH);
        assertThat(book.exposure()).isZero();
        assertThat(book.holdings()).isEmpty();
        assertThat(book.outstanding()).isEmpty();
        assertThat(book.reconcileIfUnchanged(book.version(), CASH, List.of(), List.of(), Map.of()))
                .as("the book's refresh is not held back").isTrue();
    }

    @Test
    void shouldSettleTheFillOfAnOrderARefreshFoundOpenWhileTheReplayReopenedItOnceWithWhatItFilled() {
        sentUnansweredFailedAndReplayed();
        Exchange replay = sized();
        placer.prepare(replay);
        refreshWhileTheOrderRests(); // the book counts the order itself now
        venue.earlier = Optional.of(status(OrderState.OPEN, "0"));
        placer.sign(replay);
        assertThat(book.holding(trade.instrument()).pendingBuy()).as("the order's, kept for its end")
                .isEqualByComparingTo("10");

        // it fills whole at 0.50: 5.00 USD of the 5.10 held aside spent, 10 shares held
        venue.lookupStatus = status(OrderState.FILLED, "10");
        monitor.run();

        assertThat(state()).isEqualTo(OrderRecordState.FILLED);
        // before: the replay released the order's reservation, and the fill then came off a book without it: 1000.10
        // USD and no shares
        assertThat(book.cash()).as("the venue's cash once it filled").isEqualByComparingTo("995.00");
        Portfolio.Holding held = book.holding(trade.instrument());
        assertThat(held.sellable()).isEqualByComparingTo("10");
        assertThat(held.cost()).isEqualByComparingTo("5.00");
        assertThat(book.exposure()).isEqualByComparingTo("5.00");
        assertThat(book.outstanding()).isEmpty();
    }

    @Test
    void shouldTakeNothingOffForAnOrderPlacedBeforeThatTheBookDoesNotCountAndCountItAtTheNextRefresh() {
        // another placing of the trade wrote and signed its order after the book's last refresh (with several
        // instances on one store, another one's, before this one took the same trade from the queue again)
        store.recordIntent(trade.key(), new io.copytrader.domain.CopyIntent(id, trade, trade.instrument(), trade.side(),
                new BigDecimal("0.51"), BigDecimal.TEN, new BigDecimal("5.10")));
        store.recordSigned(id, new VenueOrderId("0xhash-1"), "{}");
        Exchange again = sized();
        placer.prepare(again);
        assertThat(again.getProperty(ExchangeProps.ALREADY_PLACED, Boolean.class)).as("followed, not sent").isTrue();
        assertThat(state()).isEqualTo(OrderRecordState.UNKNOWN);
        assertThat(book.cash()).as("the placing's reservation given back").isEqualByComparingTo(CASH);

        venue.lookupStatus = status(OrderState.FILLED, "10");
        venue.balance = new BigDecimal("995.00");
        venue.positions = List.of(new PositionSnapshot(trade.instrument(), BigDecimal.TEN, new BigDecimal("0.50")));
        monitor.run();

        assertThat(state()).isEqualTo(OrderRecordState.FILLED);
        // before: 1000.10 USD, the reservation's cost taken off a second time and the fill's added
        assertThat(book.cash()).as("nothing of the order was in the book: nothing taken off").isEqualByComparingTo(CASH);
        assertThat(book.outstanding()).isEmpty();
        monitor.refreshBook();
        assertThat(book.cash()).as("the next refresh counts it").isEqualByComparingTo("995.00");
        assertThat(book.holding(trade.instrument()).sellable()).isEqualByComparingTo("10");
    }
}
