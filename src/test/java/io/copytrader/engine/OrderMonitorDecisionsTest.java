package io.copytrader.engine;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.copytrader.domain.ClientOrderId;
import io.copytrader.domain.CopyIntent;
import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.Reason;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.domain.VenueOrderId;
import io.copytrader.paper.MutableClock;
import io.copytrader.store.InMemoryTradeStore;
import io.copytrader.store.OrderRecordState;
import io.copytrader.venue.HttpCall;
import io.copytrader.venue.HttpReply;
import io.copytrader.venue.OrderState;
import io.copytrader.venue.OrderStatus;
import io.copytrader.venue.PositionSnapshot;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The decisions of {@link OrderMonitor}, one pass at a time, without routes: given an order's recorded state, its
 * age and what the venue's lookup says, which state it moves to, whether the trade is copied or dead-lettered, whether
 * the book is settled, and what is cancelled.
 */
class OrderMonitorDecisionsTest {
    final MutableClock clock = new MutableClock(Trades.T0);
    final InMemoryTradeStore store = new InMemoryTradeStore(clock);
    final TradeLedger ledger = new TradeLedger(store, new PipelineMetrics(new SimpleMeterRegistry()));
    final Portfolio book = new Portfolio();
    final ScriptedExchange venue = new ScriptedExchange();
    final List<HttpCall> calls = new ArrayList<>();
    IOException venueDown;
    final Set<ClientOrderId> inHand = new HashSet<>();
    OrderMonitor monitor;
    /** What happens elsewhere while the venue answers a lookup of an order; and a read of its balance. */
    Runnable duringLookup = () -> { };
    Runnable duringBalance = () -> { };
    final DetectedTrade trade = Trades.buy("t-1", "0.50", "10");
    final CopyIntent intent = new CopyIntent(trade.clientOrderId(), trade, trade.instrument(), trade.side(),
            new BigDecimal("0.51"), BigDecimal.TEN, new BigDecimal("5.10"));
    final ClientOrderId id = intent.clientOrderId();

    @BeforeEach
    void monitor() {
        monitor = new OrderMonitor(venue, call -> {
            if (call.url().contains("/order")) {
                calls.add(call); // lookups and cancels; not the book's refresh
            }
            if (call.url().contains("/order/")) {
                duringLookup.run();
            } else if (call.url().endsWith("/balance")) {
                duringBalance.run();
            }
            if (venueDown != null) {
                throw venueDown;
            }
            return new HttpReply(200, Map.of(), "{}");
        }, store, ledger, book, new DeadLetterRecorder(ledger), clock, Duration.ofSeconds(10), Duration.ofSeconds(30),
                inHand::contains, Duration.ofSeconds(60), Duration.ofHours(1));
        ledger.admit(trade);
        store.recordIntent(trade.key(), intent);
        monitor.refreshBook(); // the first refresh, out of the way of the passes measured
    }

    void signedAndSent(OrderRecordState state) {
        store.recordSigned(id, new VenueOrderId("0xh"), "{}");
        if (state != OrderRecordState.SUBMITTING) {
            store.moveOrder(id, OrderRecordState.UNKNOWN, null, null, null);
            if (state != OrderRecordState.UNKNOWN) {
                store.moveOrder(id, state, null, null, null);
            }
        }
    }

    OrderStatus status(OrderState state, String filled) {
        return new OrderStatus(id, new VenueOrderId("0xh"), state, new BigDecimal(filled),
                filled.equals("0") ? null : new BigDecimal("0.50"));
    }

    OrderRecordState state() {
        return store.order(id).orElseThrow().state();
    }

    long settled(Runnable pass) {
        long before = book.version();
        pass.run();
        return book.version() - before;
    }

    @Test
    void shouldCopyAnUnknownOrderTheVenueFilledAndSettleItOnce() {
        signedAndSent(OrderRecordState.UNKNOWN);
        venue.lookupStatus = status(OrderState.FILLED, "10");
        assertThat(settled(monitor::run)).isEqualTo(1);
        assertThat(state()).isEqualTo(OrderRecordState.FILLED);
        assertThat(store.order(id).orElseThrow().filledQuantity()).isEqualByComparingTo("10");
        assertThat(store.outcome(trade.key())).contains(TradeOutcome.COPIED);
        assertThat(settled(monitor::run)).as("ended: not looked up or settled again").isZero();
        assertThat(calls).hasSize(1);
    }

    @Test
    void shouldWaitOutTheGraceThenFailAnUnknownOrderTheVenueConfirmsAbsent() {
        signedAndSent(OrderRecordState.UNKNOWN);
        venue.lookupStatus = OrderStatus.notFound(id);
        clock.set(Trades.T0.plusSeconds(10));
        assertThat(settled(monitor::run)).isZero();
        assertThat(state()).as("within the grace period").isEqualTo(OrderRecordState.UNKNOWN);
        assertThat(store.outcome(trade.key())).isEmpty();
        clock.set(Trades.T0.plusSeconds(11));
        assertThat(settled(monitor::run)).as("released").isEqualTo(1);
        assertThat(state()).isEqualTo(OrderRecordState.FAILED);
        assertThat(store.outcome(trade.key())).contains(TradeOutcome.FAILED);
        assertThat(store.deadLetters()).singleElement()
                .satisfies(d -> assertThat(d.reason()).isEqualTo(Reason.EXCHANGE_UNKNOWN_OUTCOME));
    }

    @Test
    void shouldDeadLetterAnUnknownOrderTheVenueRejected() {
        signedAndSent(OrderRecordState.UNKNOWN);
        venue.lookupStatus = status(OrderState.REJECTED, "0");
        assertThat(settled(monitor::run)).isEqualTo(1);
        assertThat(state()).isEqualTo(OrderRecordState.REJECTED);
        assertThat(store.deadLetters()).singleElement()
                .satisfies(d -> assertThat(d.reason()).isEqualTo(Reason.EXCHANGE_INVALID_ORDER));
    }

    /** The monitor over a store that can lose its answers; the book holds the trade's reservation, as sizing left it. */
    LosingAnswers reservedOverALosingStore() {
        LosingAnswers db = new LosingAnswers(store);
        monitor = new OrderMonitor(venue, call -> new HttpReply(200, Map.of(), "{}"), db.store,
                new TradeLedger(db.store, new PipelineMetrics(new SimpleMeterRegistry())), book,
                new DeadLetterRecorder(ledger), clock, Duration.ofSeconds(10), Duration.ofSeconds(30), inHand::contains,
                Duration.ofSeconds(60), Duration.ofHours(1));
        monitor.refreshBook(); // its first refresh, out of the way of the passes measured
        // the book as sizing left it: reserved on the book as it was before the order's intent was written (a book
        // that counts the order already, as the refresh that found it open does, reserves nothing more for it)
        book.reconcile(new BigDecimal("1000"), List.of(), List.of(), Map.of());
        assertThat(book.planAndReserve(trade, SizingTest.rules("1", "10", "0.8", "0.02", "1")).isSkip()).isFalse();
        assertThat(book.outstanding()).containsExactly(id);
        return db;
    }

    /** What the monitor logged while {@code run} ran. */
    private static List<ILoggingEvent> monitorLogOf(Runnable run) {
        return Logged.during(OrderMonitor.class, run);
    }

    @Test
    void shouldLogAPassTheStoreCannotServeInOneLineAPeriodAndNeverThrow() {
        LosingAnswers db = reservedOverALosingStore();
        signedAndSent(OrderRecordState.OPEN);
        venue.lookupStatus = status(OrderState.FILLED, "10");
        List<ILoggingEvent> logged = monitorLogOf(() -> {
            for (int pass = 0; pass < 20; pass++) { // a database gone: the list of orders to watch fails each pass
                db.unreadable.add(LosingAnswers.read("ordersIn", "*"));
                clock.advance(Duration.ofMillis(500));
                monitor.run(); // before: threw, and Camel logged an ERROR with its stack for each pass
            }
        });
        assertThat(logged).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN)).singleElement()
                .satisfies(e -> {
                    assertThat(e.getLevel()).isEqualTo(Level.WARN);
                    assertThat(e.getFormattedMessage()).contains("Monitoring passes the store failed");
                    assertThat(e.getThrowableProxy()).isNull();
                });
        // the store back: the next pass finds the fill
        assertThat(settled(monitor::run)).isEqualTo(1);
        assertThat(state()).isEqualTo(OrderRecordState.FILLED);
    }

    @Test
    void shouldLogAMoveTheStoreKeepsRefusingInOneLineAPeriodWithoutItsStack() {
        LosingAnswers db = reservedOverALosingStore();
        signedAndSent(OrderRecordState.OPEN);
        venue.lookupStatus = status(OrderState.FILLED, "10");
        List<ILoggingEvent> logged = monitorLogOf(() -> {
            for (int pass = 0; pass < 20; pass++) { // a full disk: the move refused at every pass
                db.refused.add(LosingAnswers.move(id, OrderRecordState.FILLED));
                clock.advance(Duration.ofMillis(500));
                monitor.run();
            }
        });

        assertThat(logged).as("before: an ERROR with its stack at every pass")
                .filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                .singleElement().satisfies(e -> {
                    assertThat(e.getLevel()).isEqualTo(Level.WARN);
                    assertThat(e.getFormattedMessage()).contains("the store could not take", id.value());
                    assertThat(e.getThrowableProxy()).as("no stack trace").isNull();
                });
        assertThat(state()).as("looked up again at every pass, never moved").isEqualTo(OrderRecordState.OPEN);
    }

    @Test
    void shouldSettleAnOrderItEndedEvenWhenItsTradesOutcomeCouldNotBeWritten() {
        LosingAnswers db = reservedOverALosingStore();
        signedAndSent(OrderRecordState.UNKNOWN);
        venue.lookupStatus = status(OrderState.FILLED, "10");
        db.refused.add(trade.key()); // the outcome's write: the connection dropped under it
        // before: the order was FILLED, then the failed write skipped its settlement; no later pass looks at a FILLED
        // order, so the reservation stayed outstanding and the book was never refreshed again until a restart
        assertThat(settled(monitor::run)).as("settled once").isEqualTo(1);
        assertThat(state()).isEqualTo(OrderRecordState.FILLED);
        assertThat(book.outstanding()).isEmpty();
        assertThat(settled(monitor::run)).as("ended: not settled again").isZero();
    }

    @Test
    void shouldReleaseAnOrderItFailedWhenTheFailureWasCommittedThoughItsAnswerWasLost() {
        LosingAnswers db = reservedOverALosingStore();
        signedAndSent(OrderRecordState.UNKNOWN);
        venue.lookupStatus = OrderStatus.notFound(id);
        clock.set(Trades.T0.plusSeconds(11));
        db.lostAnswers.add(LosingAnswers.move(id, OrderRecordState.FAILED));
        // before: the pass took the move as failed; the order was FAILED, so no later pass released it or
        // dead-lettered its trade
        assertThat(settled(monitor::run)).as("released once").isEqualTo(1);
        assertThat(state()).isEqualTo(OrderRecordState.FAILED);
        assertThat(book.outstanding()).isEmpty();
        assertThat(store.deadLetters()).singleElement()
                .satisfies(d -> assertThat(d.reason()).isEqualTo(Reason.EXCHANGE_UNKNOWN_OUTCOME));
        assertThat(settled(monitor::run)).as("ended: not released again").isZero();
    }

    @Test
    void shouldSettleOnceAnOrderItFilledWhenTheMoveWasCommittedAndItsReadBackFailedToo() {
        LosingAnswers db = reservedOverALosingStore();
        signedAndSent(OrderRecordState.UNKNOWN);
        venue.lookupStatus = status(OrderState.FILLED, "10");
        db.lostAnswers.add(LosingAnswers.move(id, OrderRecordState.FILLED));
        db.unreadable.add(LosingAnswers.read("order", id.value()));
        List<ILoggingEvent> logged = monitorLogOf(() -> assertThat(settled(monitor::run))
                .as("the store cannot say whether it moved: nothing settled").isZero());
        // its line names the store's error: before, the error was taken for the line's stack trace, and "({})" stayed
        assertThat(logged).filteredOn(e -> e.getLevel() == Level.ERROR).singleElement()
                .satisfies(e -> assertThat(e.getFormattedMessage()).contains(id.value(), "could not be read back")
                        .doesNotContain("{}").contains("An I/O error occurred"));
        assertThat(state()).isEqualTo(OrderRecordState.FILLED);
        // before: no later pass looked at the FILLED order: never settled, its trade in flight, the book never
        // refreshed again until a restart
        assertThat(settled(monitor::run)).as("read back at the next pass: settled once").isEqualTo(1);
        assertThat(store.outcome(trade.key())).contains(TradeOutcome.COPIED);
        assertThat(book.outstanding()).isEmpty();
        assertThat(book.cash()).isEqualByComparingTo("995.00");
        assertThat(settled(monitor::run)).as("not settled again").isZero();
    }

    @Test
    void shouldReleaseOnceAnOrderItFailedWhenTheMoveWasCommittedAndItsReadBackFailedToo() {
        LosingAnswers db = reservedOverALosingStore();
        signedAndSent(OrderRecordState.UNKNOWN);
        venue.lookupStatus = OrderStatus.notFound(id);
        clock.set(Trades.T0.plusSeconds(11));
        db.lostAnswers.add(LosingAnswers.move(id, OrderRecordState.FAILED));
        db.unreadable.add(LosingAnswers.read("order", id.value()));
        assertThat(settled(monitor::run)).isZero();
        assertThat(settled(monitor::run)).as("released once").isEqualTo(1);
        assertThat(book.outstanding()).isEmpty();
        assertThat(book.cash()).isEqualByComparingTo("1000");
        assertThat(store.deadLetters()).singleElement()
                .satisfies(d -> assertThat(d.reason()).isEqualTo(Reason.EXCHANGE_UNKNOWN_OUTCOME));
        assertThat(settled(monitor::run)).isZero();
    }

    @Test
    void shouldLookAnOrderUpAgainWhenItsMoveInDoubtWasNotWritten() {
        LosingAnswers db = reservedOverALosingStore();
        signedAndSent(OrderRecordState.UNKNOWN);
        venue.lookupStatus = status(OrderState.FILLED, "10");
        db.refused.add(LosingAnswers.move(id, OrderRecordState.FILLED)); // dropped before the commit
        db.unreadable.add(LosingAnswers.read("order", id.value()));
        assertThat(settled(monitor::run)).isZero();
        assertThat(state()).isEqualTo(OrderRecordState.UNKNOWN);
        assertThat(settled(monitor::run)).as("not written: looked up again, moved and settled once").isEqualTo(1);
        assertThat(state()).isEqualTo(OrderRecordState.FILLED);
        assertThat(book.outstanding()).isEmpty();
        assertThat(settled(monitor::run)).isZero();
    }

    // ---- a trade's outcome written after the monitor moved its order, when that write fails

    final List<String> told = new ArrayList<>();
    final DetectedTrade follower = Trades.buy("t-1b", "0.50", "10");
    SimpleMeterRegistry registry;
    DeadLetterRecorder letters;

    /**
     * As {@link #reservedOverALosingStore}, with the monitor's ledger holding the trade as its handler does (admitted
     * or recovered here) and leading an aggregate of two fills, and told of every outcome.
     */
    LosingAnswers handledOverALosingStore() {
        return handledOverALosingStore(true);
    }

    TradeLedger handler;

    /** {@link #handledOverALosingStore()} by an engine alone on its store, or one of several (the ledger's view). */
    LosingAnswers handledOverALosingStore(boolean alone) {
        LosingAnswers db = new LosingAnswers(store);
        registry = new SimpleMeterRegistry();
        handler = new TradeLedger(db.store, new PipelineMetrics(registry)).resolvingLostAdmissions(alone)
                .aggregatesInStore(!alone);
        letters = new DeadLetterRecorder(handler);
        monitor = new OrderMonitor(venue, call -> new HttpReply(200, Map.of(), "{}"), db.store, handler, book,
                letters, clock, Duration.ofSeconds(10), Duration.ofSeconds(30), inHand::contains,
                Duration.ofSeconds(60), Duration.ofHours(1));
        monitor.refreshBook();
        book.reconcile(new BigDecimal("1000"), List.of(), List.of(), Map.of());
        assertThat(book.planAndReserve(trade, SizingTest.rules("1", "10", "0.8", "0.02", "1")).isSkip()).isFalse();
        assertThat(handler.claim(trade)).isTrue();
        assertThat(handler.admit(follower)).isTrue();
        handler.aggregate(trade, List.of(follower));
        handler.outcomeListener((t, outcome, reason) -> told.add(t.key() + " " + outcome + (reason == null ? "" : " " + reason)));
        return db;
    }

    double counted(String metric) {
        return registry.find(metric).counters().stream().mapToDouble(c -> c.count()).sum();
    }

    @Test
    void shouldCopyOnceAtTheNextPassATradeFoundAtTheVenueWhoseOutcomeCouldNotBeWritten() {
        LosingAnswers db = handledOverALosingStore();
        signedAndSent(OrderRecordState.UNKNOWN);
        venue.lookupStatus = status(OrderState.OPEN, "0");
        db.refused.add(trade.key()); // the outcome's write: the connection dropped under it, nothing committed

        monitor.run();
        assertThat(state()).as("found open: moved").isEqualTo(OrderRecordState.OPEN);
        assertThat(store.outcome(trade.key())).isEmpty();
        assertThat(told).isEmpty();

        // before: the order was OPEN, so no later pass took it for unresolved; its trade stayed in flight, neither
        // counted nor told, until the next start's recovery
        monitor.run();
        assertThat(store.outcome(trade.key())).contains(TradeOutcome.COPIED);
        assertThat(store.outcome(follower.key())).as("the aggregate's fill with it").contains(TradeOutcome.COPIED);
        assertThat(told).containsExactlyInAnyOrder(trade.key() + " COPIED", follower.key() + " COPIED");
        assertThat(counted(PipelineMetrics.TRADES_PROCESSED)).isEqualTo(2);
        assertThat(book.outstanding()).as("open: still the order's").containsExactly(id);

        monitor.run();
        assertThat(told).as("written and counted once").hasSize(2);
        assertThat(counted(PipelineMetrics.TRADES_PROCESSED)).isEqualTo(2);
        assertThat(db.writes).filteredOn(w -> w.equals("finish " + trade.key())).hasSize(2);
    }

    @Test
    void shouldCountOnceAtTheNextPassAnOutcomeCommittedThoughItsAnswerWasLostAndItsReadBackFailed() {
        LosingAnswers db = handledOverALosingStore();
        signedAndSent(OrderRecordState.UNKNOWN);
        venue.lookupStatus = status(OrderState.FILLED, "10");
        db.lostAnswers.add(trade.key()); // COPIED committed, its answer lost
        db.unreadable.add(LosingAnswers.read("ended", trade.key())); // and the store down for the read-back

        assertThat(settled(monitor::run)).as("ended by this pass: settled").isEqualTo(1);
        assertThat(store.outcome(trade.key())).contains(TradeOutcome.COPIED);
        assertThat(told).as("the store could not say whose outcome it is").isEmpty();

        // before: the trade was COPIED in the store and never counted or told, nor its aggregate's fill finished
        assertThat(settled(monitor::run)).isZero();
        assertThat(told).containsExactlyInAnyOrder(trade.key() + " COPIED", follower.key() + " COPIED");
        assertThat(counted(PipelineMetrics.TRADES_PROCESSED)).isEqualTo(2);
        assertThat(db.writes).as("read back, not written again").filteredOn(w -> w.equals("finish " + trade.key()))
                .hasSize(1);
        monitor.run();
        assertThat(told).hasSize(2);
        assertThat(book.outstanding()).isEmpty();
        assertThat(book.cash()).isEqualByComparingTo("995.00");
    }

    @Test
    void shouldNotCountAgainAnOutcomeInDoubtThatThisProcessRecordedMeanwhile() {
        LosingAnswers db = handledOverALosingStore();
        signedAndSent(OrderRecordState.UNKNOWN);
        venue.lookupStatus = status(OrderState.FILLED, "10");
        db.refused.add(trade.key());
        monitor.run();
        assertThat(store.outcome(trade.key())).isEmpty();
        // meanwhile a consumer of this process took the trade again and found its order filled: counted there
        assertThat(handler.finish(trade, TradeOutcome.COPIED, null, "order already FILLED")).isTrue();
        assertThat(told).hasSize(2);

        monitor.run();
        assertThat(told).as("counted once").hasSize(2);
        assertThat(counted(PipelineMetrics.TRADES_PROCESSED)).isEqualTo(2);
    }

    @Test
    void shouldNotCountAnOutcomeInDoubtFoundWrittenWhenSeveralInstancesShareTheStore() {
        LosingAnswers db = handledOverALosingStore(false);
        monitor.sharedAs("engine-a", Duration.ofSeconds(30));
        signedAndSent(OrderRecordState.UNKNOWN);
        venue.lookupStatus = status(OrderState.FILLED, "10");
        db.refused.add(trade.key());
        monitor.run();
        assertThat(state()).isEqualTo(OrderRecordState.FILLED);
        assertThat(store.outcome(trade.key())).isEmpty();
        // meanwhile another instance's consumer took the trade again, found its order filled and counted it
        store.finish(trade.key(), TradeOutcome.COPIED, null, "order already FILLED");
        store.finish(follower.key(), TradeOutcome.COPIED, null, "with aggregate " + trade.key());

        monitor.run();
        assertThat(told).as("maybe another instance's write: not counted here too").isEmpty();
        assertThat(counted(PipelineMetrics.TRADES_PROCESSED)).isZero();
    }

    @Test
    void shouldDeadLetterOnceAtTheNextPassAnUnknownOrderTheVenueRejectedWhenItsLetterCouldNotBeWritten() {
        LosingAnswers db = handledOverALosingStore();
        signedAndSent(OrderRecordState.UNKNOWN);
        venue.lookupStatus = status(OrderState.REJECTED, "0");
        db.refused.add(trade.key()); // the letter is stored, the outcome FAILED's write dropped

        assertThat(settled(monitor::run)).as("released").isEqualTo(1);
        assertThat(state()).isEqualTo(OrderRecordState.REJECTED);
        assertThat(store.outcome(trade.key())).isEmpty();

        // before: the order was REJECTED and never looked at again; the trade stayed in flight until a restart
        assertThat(settled(monitor::run)).isZero();
        assertThat(store.outcome(trade.key())).contains(TradeOutcome.FAILED);
        assertThat(store.outcome(follower.key())).contains(TradeOutcome.FAILED);
        assertThat(store.deadLetters()).as("one letter each, not a second for the trade")
                .extracting(d -> d.trade().key() + " " + d.reason())
                .containsExactlyInAnyOrder(trade.key() + " EXCHANGE_INVALID_ORDER", follower.key() + " EXCHANGE_INVALID_ORDER");
        assertThat(told).containsExactlyInAnyOrder(trade.key() + " FAILED EXCHANGE_INVALID_ORDER",
                follower.key() + " FAILED EXCHANGE_INVALID_ORDER");
        monitor.run();
        assertThat(told).hasSize(2);
        assertThat(counted(PipelineMetrics.TRADES_FAILED)).isEqualTo(2);
    }

    @Test
    void shouldDeadLetterOnceAtTheNextPassAnOrderUnknownToTheVenueWhenTheStoreFailedUnderItsLetter() {
        LosingAnswers db = handledOverALosingStore();
        signedAndSent(OrderRecordState.UNKNOWN);
        venue.lookupStatus = OrderStatus.notFound(id);
        clock.set(Trades.T0.plusSeconds(11));
        db.unreadable.add(LosingAnswers.read("outcome", trade.key())); // the letter's first read: the store down

        assertThat(settled(monitor::run)).as("released").isEqualTo(1);
        assertThat(state()).isEqualTo(OrderRecordState.FAILED);
        assertThat(store.deadLetters()).isEmpty();
        assertThat(store.outcome(trade.key())).isEmpty();

        // before: the order was FAILED and never looked at again: no letter to replay, the trade in flight
        monitor.run();
        assertThat(store.deadLetters()).extracting(d -> d.trade().key() + " " + d.reason())
                .containsExactlyInAnyOrder(trade.key() + " EXCHANGE_UNKNOWN_OUTCOME",
                        follower.key() + " EXCHANGE_UNKNOWN_OUTCOME");
        assertThat(store.outcome(trade.key())).contains(TradeOutcome.FAILED);
        assertThat(told).hasSize(2);
        monitor.run();
        assertThat(store.deadLetters()).hasSize(2);
        assertThat(told).hasSize(2);
        assertThat(book.cash()).as("released once").isEqualByComparingTo("1000");
    }

    @Test
    void shouldCountAnAcceptedOrderTheVenueNoLongerKnowsCanceledOnlyAfterTheGrace() {
        signedAndSent(OrderRecordState.OPEN);
        venue.lookupStatus = OrderStatus.notFound(id);
        // the venue's order data may lag behind its answer: not ended within the grace period
        clock.set(Trades.T0.plusSeconds(10));
        assertThat(settled(monitor::run)).isZero();
        assertThat(state()).as("within the grace period").isEqualTo(OrderRecordState.OPEN);
        clock.set(Trades.T0.plusSeconds(11));
        assertThat(settled(monitor::run)).isEqualTo(1);
        assertThat(state()).isEqualTo(OrderRecordState.CANCELED);
        assertThat(store.deadLetters()).isEmpty();
    }

    @Test
    void shouldApplyAPartialFillAndCancelAnOrderRestingTooLong() {
        signedAndSent(OrderRecordState.OPEN);
        venue.lookupStatus = status(OrderState.PARTIALLY_FILLED, "4");
        clock.set(Trades.T0.plusSeconds(60));
        assertThat(settled(monitor::run)).as("not ended: nothing settled").isZero();
        assertThat(state()).isEqualTo(OrderRecordState.PARTIALLY_FILLED);
        assertThat(store.order(id).orElseThrow().filledQuantity()).isEqualByComparingTo("4");
        assertThat(venue.canceled).as("resting 60 s, not over").isEmpty();
        clock.set(Trades.T0.plusSeconds(61));
        monitor.run();
        assertThat(venue.canceled).containsExactly(new VenueOrderId("0xh"));
    }

    @Test
    void shouldLeaveAnOrderInHandAloneAndLookUpOneLeftSubmittingByADeadConsumer() {
        signedAndSent(OrderRecordState.SUBMITTING);
        inHand.add(id);
        clock.set(Trades.T0.plusSeconds(31));
        monitor.run();
        assertThat(state()).isEqualTo(OrderRecordState.SUBMITTING);
        inHand.clear();
        clock.set(Trades.T0.plusSeconds(29));
        monitor.run();
        assertThat(state()).as("could still be being sent").isEqualTo(OrderRecordState.SUBMITTING);
        clock.set(Trades.T0.plusSeconds(30));
        monitor.run();
        assertThat(state()).isEqualTo(OrderRecordState.UNKNOWN);
        assertThat(calls).as("moved first, looked up on the next pass").isEmpty();
    }

    @Test
    void shouldNotLookUpAnOrderThatWasNeverSignedOrWhenTheVenueIsDown() {
        store.moveOrder(id, OrderRecordState.UNKNOWN, null, null, null);
        venue.lookupStatus = status(OrderState.FILLED, "10");
        monitor.run();
        assertThat(calls).as("no hash: never sent").isEmpty();
        assertThat(state()).isEqualTo(OrderRecordState.UNKNOWN);

        store.recordSigned(id, new VenueOrderId("0xh"), "{}");
        venueDown = new IOException("connection refused");
        clock.set(Trades.T0.plusSeconds(3600));
        monitor.run();
        assertThat(calls).hasSize(1);
        assertThat(state()).as("a failed lookup waits for the next pass").isEqualTo(OrderRecordState.UNKNOWN);
        assertThat(store.deadLetters()).isEmpty();
    }

    @Test
    void shouldRefreshTheBookWhenDueWithTheVenuesBalance() {
        Portfolio before = book;
        assertThat(before.cash()).as("the first refresh took the venue's balance").isEqualByComparingTo("1000");
        calls.clear();
        venue.lookupStatus = status(OrderState.OPEN, "0");
        long version = book.version();
        clock.set(Trades.T0.plus(Duration.ofHours(1)).minusSeconds(1));
        monitor.run();
        assertThat(book.version()).as("not due").isEqualTo(version);
        clock.set(Trades.T0.plus(Duration.ofHours(1)));
        monitor.run();
        assertThat(book.version()).as("due: reconciled").isGreaterThan(version);
    }

    @Test
    void shouldCountWhatAnOpenBuyFilledAsTheVenueSaysAtARefreshNotAsTheStoreLastHeard() {
        signedAndSent(OrderRecordState.OPEN);
        // the venue filled 6 of the 10 and holds them; no pass has looked the order up since, so the store says 0
        venue.positions = List.of(new PositionSnapshot(trade.instrument(), new BigDecimal("6"), new BigDecimal("0.50")));
        venue.lookupStatus = status(OrderState.PARTIALLY_FILLED, "6");
        calls.clear();

        monitor.refreshBook();

        assertThat(calls).as("the open buy looked up after the positions").hasSize(1);
        Portfolio.Holding h = book.holding(trade.instrument());
        assertThat(h.sellable()).isEqualByComparingTo("6");
        assertThat(h.pendingBuy()).as("the 4 still to come, not the 10").isEqualByComparingTo("4");
        book.settle(intent, BigDecimal.TEN, new BigDecimal("0.50"));
        assertThat(book.holding(trade.instrument()).sellable()).as("6 held at the refresh and 4 filled since")
                .isEqualByComparingTo("10");
    }

    @Test
    void shouldMoveAnOpenOrderOnOnlyWhenItsStateOrFillChanged() {
        signedAndSent(OrderRecordState.OPEN);
        venue.lookupStatus = status(OrderState.OPEN, "0");
        monitor.run();
        Instant updated = store.order(id).orElseThrow().updatedAt();
        clock.set(Trades.T0.plusSeconds(1));
        monitor.run();
        assertThat(calls).as("looked up again once its first backoff ended").hasSize(2);
        assertThat(store.order(id).orElseThrow().updatedAt()).as("nothing changed: not written").isEqualTo(updated);
        venue.lookupStatus = status(OrderState.OPEN, "2");
        clock.set(Trades.T0.plusSeconds(3));
        monitor.run();
        assertThat(store.order(id).orElseThrow().filledQuantity()).isEqualByComparingTo("2");
        clock.set(Trades.T0.plusSeconds(4));
        venue.lookupStatus = status(OrderState.OPEN, "2.00");
        monitor.run();
        assertThat(calls).as("a change: looked up at the next pass").hasSize(4);
        assertThat(store.order(id).orElseThrow().updatedAt()).as("the same fill, written differently")
                .isEqualTo(Trades.T0.plusSeconds(3));
        assertThat(store.outcome(trade.key())).as("an accepted order's trade is not the monitor's to end").isEmpty();
    }

    /** Runs a pass at {@code T0 + millis} and returns how many lookups or cancels it sent. */
    int passAt(long millis) {
        int before = calls.size();
        clock.set(Trades.T0.plusMillis(millis));
        monitor.run();
        return calls.size() - before;
    }

    @Test
    void shouldLookUpAnUnchangedOpenOrderLessAndLessOftenAndAtEveryPassAgainOnceItChanged() {
        signedAndSent(OrderRecordState.OPEN);
        venue.lookupStatus = status(OrderState.OPEN, "0");
        // passes every 500 ms: looked up at 0, then 1, 2 and 4 s after each unchanged look, then every 8 s at most
        List<Long> lookedUpAt = new ArrayList<>();
        for (long t = 0; t <= 40_000; t += 500) {
            if (passAt(t) > 0) {
                lookedUpAt.add(t);
            }
        }
        assertThat(lookedUpAt).containsExactly(0L, 1_000L, 3_000L, 7_000L, 15_000L, 23_000L, 31_000L, 39_000L);
        venue.lookupStatus = status(OrderState.PARTIALLY_FILLED, "3");
        assertThat(passAt(47_000)).isEqualTo(1);
        assertThat(state()).isEqualTo(OrderRecordState.PARTIALLY_FILLED);
        assertThat(passAt(47_500)).as("it moved: looked up at the next pass").isEqualTo(1);
        assertThat(passAt(48_000)).as("unchanged since: waits a second").isZero();
        assertThat(passAt(48_500)).isEqualTo(1);
        venue.lookupStatus = status(OrderState.FILLED, "10");
        assertThat(passAt(50_500)).isEqualTo(1);
        assertThat(state()).isEqualTo(OrderRecordState.FILLED);
        assertThat(passAt(51_000)).as("ended: never looked up again").isZero();
    }

    @Test
    void shouldLookUpABackingOffOrderAndRefreshTheBookAtOnceAfterTheWallClockSteppedBack() {
        signedAndSent(OrderRecordState.OPEN);
        venue.lookupStatus = status(OrderState.OPEN, "0");
        assertThat(passAt(30_000)).isEqualTo(1);
        assertThat(passAt(30_500)).as("unchanged: backing off for a second").isZero();
        long version = book.version();
        // NTP's first sync after a boot, a VM restored: the clock goes back 40 s, to before the last refresh
        assertThat(passAt(-10_000)).as("looked up by the pass (not 41 s later) and by the book's refresh").isEqualTo(2);
        assertThat(book.version()).as("refreshed, not an hour and 10 s later").isGreaterThan(version);
        assertThat(passAt(-9_500)).as("backing off again (2 s), by the clock as it is now").isZero();
        assertThat(passAt(-8_000)).isEqualTo(1);
    }

    @Test
    void shouldCancelAnOrderRestingTooLongAtTheFirstPassPastItsDeadlineEvenWhileBackingOff() {
        signedAndSent(OrderRecordState.OPEN);
        venue.lookupStatus = status(OrderState.OPEN, "0");
        for (long t = 0; t <= 60_000; t += 500) {
            passAt(t);
        }
        assertThat(venue.canceled).as("resting 60 s, not over").isEmpty();
        assertThat(passAt(60_500)).as("a lookup and the cancel").isEqualTo(2);
        assertThat(venue.canceled).containsExactly(new VenueOrderId("0xh"));
        assertThat(passAt(61_000)).as("still open at the next pass: looked up and cancelled again").isEqualTo(2);
        venue.lookupStatus = status(OrderState.CANCELED, "0");
        assertThat(passAt(61_500)).isEqualTo(1);
        assertThat(state()).isEqualTo(OrderRecordState.CANCELED);
        assertThat(venue.canceled).hasSize(2);
    }

    @Test
    void shouldLookUpAnOrderOfUnknownOutcomeAtEveryPass() {
        signedAndSent(OrderRecordState.UNKNOWN);
        venue.lookupStatus = OrderStatus.notFound(id);
        for (long t = 0; t <= 5_000; t += 500) {
            assertThat(passAt(t)).as("pass at %d ms", t).isEqualTo(1);
        }
        assertThat(state()).as("within the grace period").isEqualTo(OrderRecordState.UNKNOWN);
    }

    @Test
    void shouldLookAfterOnlyWhatItClaimedWhenShared() {
        signedAndSent(OrderRecordState.UNKNOWN);
        assertThat(monitor.sharedAs("engine-a", Duration.ofSeconds(30))).isSameAs(monitor);
        venue.lookupStatus = status(OrderState.FILLED, "10");
        monitor.run();
        assertThat(state()).isEqualTo(OrderRecordState.FILLED);
    }

    // ---- what a lookup of an accepted order settles, and the book's refresh

    /** The book as sizing left it for the trade's order: 1000 in cash and the order's reservation outstanding. */
    void reservedForTheOrder() {
        book.reconcile(new BigDecimal("1000"), List.of(), List.of(), Map.of());
        assertThat(book.planAndReserve(trade, SizingTest.rules("1", "10", "0.8", "0.02", "1")).isSkip()).isFalse();
        assertThat(book.outstanding()).containsExactly(id);
    }

    @Test
    void shouldSettleOnceAnOpenOrderALookupFoundFilledAtTheFillsPrice() {
        reservedForTheOrder();
        signedAndSent(OrderRecordState.OPEN);
        venue.lookupStatus = new OrderStatus(id, new VenueOrderId("0xh"), OrderState.FILLED, BigDecimal.TEN,
                new BigDecimal("0.48"));

        assertThat(settled(monitor::run)).as("ended by this pass: settled once").isEqualTo(1);
        io.copytrader.store.OrderRecord order = store.order(id).orElseThrow();
        assertThat(order.state()).isEqualTo(OrderRecordState.FILLED);
        assertThat(order.filledQuantity()).isEqualByComparingTo("10");
        assertThat(order.avgFillPrice()).as("the fill's price recorded").isEqualByComparingTo("0.48");
        assertThat(book.outstanding()).isEmpty();
        assertThat(book.cash()).as("10 bought at 0.48, not at the limit").isEqualByComparingTo("995.20");
        assertThat(book.holding(trade.instrument()).sellable()).isEqualByComparingTo("10");
        assertThat(book.holding(trade.instrument()).pendingBuy()).isZero();
        assertThat(store.outcome(trade.key())).as("an accepted order's trade is not the monitor's to end").isEmpty();
        assertThat(settled(monitor::run)).as("ended: not settled again").isZero();
    }

    @Test
    void shouldSettleWhatAnOrderFilledBeforeTheVenueCanceledItAndReleaseTheRest() {
        reservedForTheOrder();
        signedAndSent(OrderRecordState.OPEN);
        venue.lookupStatus = status(OrderState.CANCELED, "4");

        assertThat(settled(monitor::run)).isEqualTo(1);
        assertThat(state()).isEqualTo(OrderRecordState.CANCELED);
        assertThat(book.outstanding()).isEmpty();
        assertThat(book.cash()).as("4 bought at 0.50; the other 6's reservation released").isEqualByComparingTo("998.00");
        assertThat(book.holding(trade.instrument()).sellable()).isEqualByComparingTo("4");
        assertThat(book.holding(trade.instrument()).pendingBuy()).isZero();
    }

    @Test
    void shouldRecordTheVenueIdALookupFoundForAnOrderSentWithoutOneAndLookItUpByItFromThen() {
        venue.knowsIdBeforeSending = false; // the venue names the order in its answer, which never came
        store.moveOrder(id, OrderRecordState.UNKNOWN, null, null, null);
        venue.lookupStatus = new OrderStatus(id, new VenueOrderId("v-7"), OrderState.OPEN, BigDecimal.ZERO, null);

        monitor.run();
        assertThat(calls).singleElement().satisfies(c -> assertThat(c.url()).endsWith("/order/" + id.value()));
        assertThat(state()).isEqualTo(OrderRecordState.OPEN);
        assertThat(store.order(id).orElseThrow().venueOrderId()).isEqualTo(new VenueOrderId("v-7"));

        clock.set(Trades.T0.plusSeconds(61)); // resting too long: looked up and cancelled
        monitor.run();
        assertThat(calls.get(1).url()).as("looked up by the venue's id from then on").endsWith("/order/v-7");
        assertThat(venue.canceled).containsExactly(new VenueOrderId("v-7"));
    }

    @Test
    void shouldNeitherSettleNorCopyAnOrderMovedOnBySomeoneElseWhileItWasLookedUp() {
        reservedForTheOrder();
        signedAndSent(OrderRecordState.UNKNOWN);
        venue.lookupStatus = status(OrderState.FILLED, "10");
        // between the listing and this pass's move, the order was found filled and moved on by someone else, who
        // settles it and ends its trade
        duringLookup = () -> store.moveOrder(id, OrderRecordState.FILLED, new VenueOrderId("0xh"), BigDecimal.TEN,
                new BigDecimal("0.50"));

        assertThat(settled(monitor::run)).as("not this pass's move: not settled here").isZero();
        assertThat(book.outstanding()).containsExactly(id);
        assertThat(store.outcome(trade.key())).as("not copied here").isEmpty();
    }

    @Test
    void shouldCancelAtOnceAnOrderOfUnknownOutcomeFoundOpenPastItsRestingDeadline() {
        signedAndSent(OrderRecordState.UNKNOWN);
        venue.lookupStatus = status(OrderState.OPEN, "0");
        clock.set(Trades.T0.plusSeconds(61));

        monitor.run();
        assertThat(state()).isEqualTo(OrderRecordState.OPEN);
        assertThat(store.outcome(trade.key())).contains(TradeOutcome.COPIED);
        assertThat(venue.canceled).as("resting over 60 s: cancelled by the pass that found it, not the next")
                .containsExactly(new VenueOrderId("0xh"));
    }

    @Test
    void shouldReadTheVenueAgainUpToThreeTimesWhileTheBookMovesUnderTheRefresh() {
        venue.balance = new BigDecimal("777");
        DetectedTrade other = Trades.buy("t-other", "0.50", "10");
        CopyIntent elsewhere = new CopyIntent(other.clientOrderId(), other, other.instrument(), other.side(),
                new BigDecimal("0.51"), BigDecimal.TEN, new BigDecimal("5.10"));
        int[] moves = {2};
        // a settlement while the venue's figures are read: they may lack it, so they are read again
        duringBalance = () -> {
            if (moves[0]-- > 0) {
                book.release(elsewhere);
            }
        };
        monitor.refreshBook();
        assertThat(book.cash()).as("applied at the third read").isEqualByComparingTo("777");

        venue.balance = new BigDecimal("555");
        moves[0] = 3;
        monitor.refreshBook();
        assertThat(book.cash()).as("moving at each of the three reads: left for the next refresh")
                .isEqualByComparingTo("777");
    }

    @Test
    void shouldCountWhatAnOpenSellFilledAsTheStoreHasItAtARefresh() {
        DetectedTrade sold = Trades.sell("t-2", "0.50", "10");
        ledger.admit(sold);
        CopyIntent sell = new CopyIntent(sold.clientOrderId(), sold, sold.instrument(), io.copytrader.domain.Side.SELL,
                new BigDecimal("0.49"), BigDecimal.TEN, new BigDecimal("4.90"));
        store.recordIntent(sold.key(), sell);
        store.recordSigned(sell.clientOrderId(), new VenueOrderId("0xs"), "{}");
        store.moveOrder(sell.clientOrderId(), OrderRecordState.UNKNOWN, null, null, null);
        store.moveOrder(sell.clientOrderId(), OrderRecordState.PARTIALLY_FILLED, null, new BigDecimal("4"),
                new BigDecimal("0.49"));
        // the venue holds the 6 shares not sold yet; its cash holds the 4 sold's proceeds
        venue.positions = List.of(new PositionSnapshot(sold.instrument(), new BigDecimal("6"), new BigDecimal("0.40")));
        venue.balance = new BigDecimal("1001.96");

        monitor.refreshBook();

        assertThat(book.cash()).as("the venue's cash and the proceeds of the 6 still to sell, not of all 10")
                .isEqualByComparingTo("1004.90");
    }

    @Test
    void shouldSettleOnceWhatAnOrderTheVenueNoLongerKnowsFilledWhenItsCancelWasCommittedAndItsReadBackFailed() {
        LosingAnswers db = reservedOverALosingStore();
        signedAndSent(OrderRecordState.OPEN);
        store.moveOrder(id, OrderRecordState.PARTIALLY_FILLED, null, new BigDecimal("4"), new BigDecimal("0.50"));
        venue.lookupStatus = OrderStatus.notFound(id);
        clock.set(Trades.T0.plusSeconds(11));
        db.lostAnswers.add(LosingAnswers.move(id, OrderRecordState.CANCELED));
        db.unreadable.add(LosingAnswers.read("order", id.value()));

        assertThat(settled(monitor::run)).as("the store cannot say whether it moved: nothing settled").isZero();
        assertThat(state()).isEqualTo(OrderRecordState.CANCELED);
        // read back at the next pass: CANCELED with the 4 the lookups had found (the venue's "not found" says nothing
        // of a fill): the move was this pass's, and the order is no longer watched, so it is settled now
        assertThat(settled(monitor::run)).as("settled once").isEqualTo(1);
        assertThat(book.outstanding()).isEmpty();
        assertThat(book.cash()).as("4 bought at 0.50; the other 6's reservation released").isEqualByComparingTo("998.00");
        assertThat(book.holding(trade.instrument()).sellable()).isEqualByComparingTo("4");
        assertThat(settled(monitor::run)).isZero();
    }
}
