package io.copytrader.store;

import io.copytrader.domain.ClientOrderId;
import io.copytrader.domain.CopyIntent;
import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.InstrumentId;
import io.copytrader.domain.Reason;
import io.copytrader.domain.Side;
import io.copytrader.domain.SourceTradeId;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.domain.TraderId;
import io.copytrader.domain.VenueOrderId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

import static io.copytrader.store.TradeFixtures.ALICE;
import static io.copytrader.store.TradeFixtures.START;
import static io.copytrader.store.TradeFixtures.YES_TOKEN;
import static io.copytrader.store.TradeFixtures.intent;
import static io.copytrader.store.TradeFixtures.trade;
import static org.assertj.core.api.Assertions.assertThat;

/** The {@link TradeStore} contract, run over every implementation. */
abstract class TradeStoreContractTest {

    private static final int RACERS = 8;

    protected TradeStore store;
    protected final Clock clock = new TradeFixtures.TickingClock();

    /** A new, empty store. */
    protected abstract TradeStore createStore(Clock clock);

    @BeforeEach
    void openStore() {
        store = createStore(clock);
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    // ---- trades ---------------------------------------------------------------------------------------------

    @Test
    void shouldAdmitATradeOnceAndGiveItBackExactly() {
        DetectedTrade t = trade("t-1");

        assertThat(store.admit(t)).isTrue();
        assertThat(store.admit(t)).isFalse();

        assertThat(store.trade(t.key())).contains(t);
        assertThat(store.trade("alice:unknown")).isEmpty();
        assertThat(store.detectedCount()).isEqualTo(1);
        assertThat(store.inFlightCount()).isEqualTo(1);
    }

    /** A fill of ALICE in transaction {@code tx}, as a detection source would report it. */
    private static DetectedTrade fill(String id, String tx, Side side, String quantity, String price) {
        BigDecimal q = new BigDecimal(quantity);
        BigDecimal p = new BigDecimal(price);
        return new DetectedTrade(new SourceTradeId(id), ALICE, YES_TOKEN, "Yes", side, p, q, p.multiply(q),
                START, START, tx);
    }

    @Test
    void shouldAdmitTheFillsOfATransactionFromTheSourceThatSawThemFirstOnly() {
        // the chain sees two fills of one transaction; the Data API reports the same fills a little differently
        DetectedTrade chainFirst = fill("0xt1:tok:BUY:10@0.553333", "0xt1", Side.BUY, "10", "0.553333");
        DetectedTrade chainSecond = fill("0xt1:tok:BUY:5@0.56", "0xt1", Side.BUY, "5", "0.56");
        assertThat(store.admit(chainFirst, "chain")).isTrue();
        assertThat(store.admit(chainSecond, "chain")).as("the same source: another fill of the group").isTrue();
        assertThat(store.source(chainFirst.key())).contains("chain");

        DetectedTrade apiRow = fill("0xt1:tok:BUY:15@0.555556", "0xt1", Side.BUY, "15", "0.555556");
        assertThat(store.admit(apiRow, "data-api")).as("the chain's fills of that transaction").isFalse();
        assertThat(store.admitAll(List.of(apiRow, fill("0xt1:tok:BUY:10@0.5533", "0xt1", Side.BUY, "10", "0.5533")),
                "data-api")).containsExactly(false, false);
        assertThat(store.trade(apiRow.key())).isEmpty();

        // another transaction, another side, another trader: other groups
        DetectedTrade otherTx = fill("0xt2:tok:BUY:15@0.55", "0xt2", Side.BUY, "15", "0.55");
        DetectedTrade otherSide = fill("0xt1:tok:SELL:3@0.5", "0xt1", Side.SELL, "3", "0.5");
        assertThat(store.admitAll(List.of(otherTx, otherSide), "data-api")).containsExactly(true, true);
        DetectedTrade bobs = new DetectedTrade(new SourceTradeId("0xt1:tok:BUY:15@0.555556"), new TraderId("bob"),
                YES_TOKEN, "Yes", Side.BUY, new BigDecimal("0.555556"), new BigDecimal("15"), new BigDecimal("8.333340"),
                START, START, "0xt1");
        assertThat(store.admit(bobs, "data-api")).isTrue();
        // and the other way round: a transaction the Data API reported first is its to copy (the chain was behind)
        assertThat(store.admit(fill("0xt2:tok:BUY:15@0.550000", "0xt2", Side.BUY, "15", "0.550000"), "chain")).isFalse();
        assertThat(store.admit(fill("0xt2:tok:BUY:15@0.55", "0xt2", Side.BUY, "15", "0.55"), "chain"))
                .as("the same key: a duplicate as ever").isFalse();
        assertThat(store.detectedCount()).isEqualTo(5);
    }

    @Test
    void shouldMakeANewLeaderLeadSoLinksNeverMakeACycle() {
        DetectedTrade a = trade("link-a");
        DetectedTrade b = trade("link-b");
        DetectedTrade c = trade("link-c");
        store.admit(a);
        store.admit(b);
        store.admit(c);
        store.linkAggregate(b.key(), List.of(a.key()));           // a run grouped a under b
        store.linkAggregate(a.key(), List.of(b.key(), c.key()));  // a restart regroups them under a
        assertThat(store.aggregateLinks()).containsOnly(Map.entry(b.key(), a.key()), Map.entry(c.key(), a.key()));
        assertThat(store.aggregateMembers(a.key())).extracting(DetectedTrade::key).containsExactly(b.key(), c.key());
        store.linkAggregate(a.key(), List.of());                  // nothing to link: nothing changes
        assertThat(store.aggregateLinks()).hasSize(2);
    }

    @Test
    void shouldAdmitWithoutASourceAsEverWhateverTheOtherSourcesAdmitted() {
        assertThat(store.admit(fill("0xt1:a", "0xt1", Side.BUY, "10", "0.5"), "chain")).isTrue();
        assertThat(store.admit(fill("0xt1:b", "0xt1", Side.BUY, "10", "0.51"), null)).isTrue();
        assertThat(store.admitAll(List.of(fill("0xt1:c", "0xt1", Side.BUY, "1", "0.5")), null)).containsExactly(true);
        // a trade with no source order is in no group
        DetectedTrade unknownOrder = new DetectedTrade(new SourceTradeId("no-order"), ALICE, YES_TOKEN, "Yes", Side.BUY,
                BigDecimal.ONE, BigDecimal.ONE, BigDecimal.ONE, START, START);
        assertThat(store.admit(unknownOrder, "data-api")).isTrue();
        assertThat(store.source("alice:0xt1:b")).isEmpty();
    }

    @Test
    void shouldAnswerADuplicateFalseWhicheverWayItIsAdmittedAgain() {
        DetectedTrade t = fill("0xt9:a", "0xt9", Side.BUY, "10", "0.5");
        assertThat(store.admit(t, "chain")).isTrue();

        assertThat(store.admit(t, "chain")).as("from the same source").isFalse();
        assertThat(store.admit(t, null)).as("without a source").isFalse();
        assertThat(store.admitAll(List.of(t), "chain")).containsExactly(false);
        assertThat(store.admitAll(List.of(t), null)).containsExactly(false);
        assertThat(store.detectedCount()).isEqualTo(1);
        assertThat(store.source(t.key())).as("the first admission's").contains("chain");
    }

    @Test
    void shouldRecordTheSourceOfEveryTradeOfAPageAndOfATradeAdmittedWithout() {
        DetectedTrade inAGroup = fill("0xt8:a", "0xt8", Side.BUY, "10", "0.5");
        DetectedTrade noOrder = trade("no-order");
        assertThat(store.admitAll(List.of(inAGroup, noOrder), "data-api")).containsExactly(true, true);
        assertThat(store.source(inAGroup.key())).contains("data-api");
        assertThat(store.source(noOrder.key())).contains("data-api");

        DetectedTrade unsourced = trade("unsourced");
        store.admit(unsourced);
        assertThat(store.source(unsourced.key())).isEmpty();
        store.recordSource(unsourced.key(), "chain");
        store.recordSource("alice:never-admitted", "chain");
        assertThat(store.source(unsourced.key())).contains("chain");
        assertThat(store.source("alice:never-admitted")).isEmpty();
    }

    @Test
    void shouldMarkOnlyTheAdmittedTradeItIsToldOfReorged() {
        DetectedTrade removed = trade("t-removed");
        DetectedTrade kept = trade("t-kept");
        List.of(removed, kept).forEach(store::admit);
        assertThat(store.reorged(removed.key())).isFalse();

        store.markReorged(removed.key());
        store.markReorged("alice:never-admitted");

        assertThat(store.reorged(removed.key())).isTrue();
        assertThat(store.reorged(kept.key())).isFalse();
        assertThat(store.reorged("alice:never-admitted")).isFalse();
    }

    @Test
    void shouldAdmitAPageAnsweringForEachTradeInOrderAsOneByOneAdmitsWould() {
        assertThat(store.admit(trade("t-1"))).isTrue();

        // a polled page: new, already admitted, new, the first again
        List<Boolean> answers = store.admitAll(List.of(trade("t-2"), trade("t-1"), trade("t-3"), trade("t-2")));

        assertThat(answers).containsExactly(true, false, true, false);
        assertThat(store.trade(trade("t-3").key())).contains(trade("t-3"));
        assertThat(store.detectedCount()).isEqualTo(3);
        assertThat(store.inFlightCount()).isEqualTo(3);
        assertThat(store.admitAll(List.of())).isEmpty();
    }

    @Test
    void shouldKeepEveryFieldOfAwkwardTradesExactly() {
        List<DetectedTrade> trades = List.of(
                new DetectedTrade(new SourceTradeId("0xabc-1"), new TraderId("0x56687bf447db6ffa42ffe2204a05edaa20f55839"),
                        new InstrumentId("71321045679252212594626385532706912750332728571942532289631379312455583992563"),
                        null, Side.SELL, new BigDecimal("0.999"), new BigDecimal("123456789012345678901234.000000001"),
                        new BigDecimal("123333333333333333333333.333333"), Instant.parse("1999-12-31T23:59:59Z"),
                        Instant.parse("2026-11-02T10:15:30.000000001Z")),
                new DetectedTrade(new SourceTradeId("t-2"), ALICE, YES_TOKEN, "Yes ✓ (été)", Side.BUY,
                        new BigDecimal("1E+3"), new BigDecimal("1E-12"), new BigDecimal("0.000000"),
                        Instant.EPOCH, Instant.parse("2026-11-02T10:15:30.5Z")),
                new DetectedTrade(new SourceTradeId("t-3"), ALICE, YES_TOKEN, "", Side.BUY, new BigDecimal("7"),
                        new BigDecimal("0.10"), new BigDecimal("0.700000"), Instant.parse("2026-11-02T10:15:30.123Z"),
                        Instant.parse("2026-11-02T10:15:30.123456Z")),
                // a block time as far off as a node may give one (ChainLog takes any Instant)
                new DetectedTrade(new SourceTradeId("t-4"), ALICE, YES_TOKEN, "Yes", Side.BUY, new BigDecimal("0.5"),
                        new BigDecimal("2"), new BigDecimal("1.000000"), Instant.MAX, Instant.MIN));

        for (DetectedTrade t : trades) {
            store.admit(t);
            long letter = store.addDeadLetter(t, Reason.UNEXPECTED_ERROR, "round trip");
            CopyIntent intent = new CopyIntent(t.clientOrderId(), t, t.instrument(), t.side(), t.price(), t.quantity(),
                    t.notional());
            store.recordIntent(t.key(), intent);

            assertThat(store.trade(t.key())).contains(t);
            assertThat(store.deadLetter(letter).orElseThrow().trade()).isEqualTo(t);
            assertThat(store.order(t.clientOrderId()).orElseThrow().intent()).isEqualTo(intent);
        }
    }

    @Test
    void shouldCorrectATradeExpiredByTheOrphanSweepToCopiedOnceItsOrderIsAccepted() {
        // several engines: one expires a trade past the age limit and margin that has no order yet, while the
        // consumer that took it in time writes its intent a moment later and the venue accepts the order
        DetectedTrade swept = trade("t-swept");
        store.admit(swept);
        store.finish(swept.key(), TradeOutcome.EXPIRED, Reason.RESTART_EXPIRED, null);

        assertThat(store.correctToCopied(swept.key(), "order accepted")).isTrue();
        assertThat(store.outcome(swept.key())).contains(TradeOutcome.COPIED);
    }

    @Test
    void shouldCorrectOnlyASkippedOrDroppedTradeToCopied() {
        DetectedTrade skipped = trade("t-skipped");
        DetectedTrade dropped = trade("t-dropped");
        DetectedTrade failed = trade("t-failed");
        DetectedTrade abandoned = trade("t-abandoned");
        DetectedTrade open = trade("t-open");
        for (DetectedTrade t : java.util.List.of(skipped, dropped, failed, abandoned, open)) {
            store.admit(t);
        }
        store.finish(skipped.key(), TradeOutcome.SKIPPED, Reason.RISK_NOTHING_TO_SELL, null);
        store.finish(dropped.key(), TradeOutcome.DROPPED, Reason.QUEUE_STALE, null);
        store.finish(failed.key(), TradeOutcome.FAILED, Reason.EXCHANGE_CIRCUIT_OPEN, null);
        store.finish(abandoned.key(), TradeOutcome.ABANDONED, Reason.SHUTDOWN_ABANDONED, null);

        assertThat(store.correctToCopied(skipped.key(), "order accepted")).isTrue();
        assertThat(store.correctToCopied(dropped.key(), "order accepted")).isTrue();
        assertThat(store.correctToCopied(skipped.key(), "again")).as("already COPIED").isFalse();
        assertThat(store.correctToCopied(failed.key(), null)).as("a failure has its dead letter").isFalse();
        assertThat(store.correctToCopied(abandoned.key(), null)).isFalse();
        assertThat(store.correctToCopied(open.key(), null)).as("no outcome yet: finish decides").isFalse();
        assertThat(store.correctToCopied("alice:never-admitted", null)).isFalse();

        assertThat(store.outcome(skipped.key())).contains(TradeOutcome.COPIED);
        assertThat(store.outcome(dropped.key())).contains(TradeOutcome.COPIED);
        assertThat(store.outcome(failed.key())).contains(TradeOutcome.FAILED);
        assertThat(store.outcome(abandoned.key())).contains(TradeOutcome.ABANDONED);
        assertThat(store.outcome(open.key())).isEmpty();
        assertThat(store.outcomeCounts()).containsEntry(TradeOutcome.COPIED, 2L).containsEntry(TradeOutcome.SKIPPED, 0L);
    }

    @Test
    void shouldLetTheFirstOutcomeWin() {
        DetectedTrade t = trade("t-1");
        store.admit(t);

        assertThat(store.finish(t.key(), TradeOutcome.SKIPPED, Reason.FILTER_STALE, "42 s old")).isTrue();
        assertThat(store.finish(t.key(), TradeOutcome.COPIED, null, null)).isFalse();
        assertThat(store.finish("alice:never-admitted", TradeOutcome.COPIED, null, null)).isFalse();

        assertThat(store.outcomeCounts()).containsEntry(TradeOutcome.SKIPPED, 1L).containsEntry(TradeOutcome.COPIED, 0L);
        assertThat(store.inFlightCount()).isZero();
        assertThat(store.detectedCount()).isEqualTo(1);
    }

    @Test
    void shouldCountEveryOutcomeAndKeepTheInvariant() {
        TradeOutcome[] outcomes = TradeOutcome.values();
        for (int i = 0; i < 20; i++) {
            DetectedTrade t = trade("t-" + i);
            store.admit(t);
            if (i < 2 * outcomes.length) {
                store.finish(t.key(), outcomes[i % outcomes.length], Reason.UNEXPECTED_ERROR, null);
            }
        }

        Map<TradeOutcome, Long> counts = store.outcomeCounts();
        assertThat(counts).hasSize(outcomes.length).allSatisfy((o, n) -> assertThat(n).isEqualTo(2L));
        assertThat(store.inFlightCount()).isEqualTo(20 - 2 * outcomes.length);
        assertThat(store.detectedCount())
                .isEqualTo(counts.values().stream().mapToLong(Long::longValue).sum() + store.inFlightCount());
    }

    @Test
    void shouldListTradesInFlightOldestFirst() {
        for (String id : List.of("z", "a", "m", "b")) {
            store.admit(trade(id));
        }
        store.finish(trade("a").key(), TradeOutcome.COPIED, null, null);

        assertThat(store.inFlight()).extracting(t -> t.sourceTradeId().value()).containsExactly("z", "m", "b");
    }

    @Test
    void shouldListOnlyTheReplayedTradesInFlightOldestFirst() {
        DetectedTrade replayedLater = trade("replayed-later");
        DetectedTrade open = trade("open");
        DetectedTrade replayed = trade("replayed");
        DetectedTrade notReplayed = trade("failed-not-replayed");
        DetectedTrade replayedAndCopied = trade("replayed-copied");
        List.of(replayedLater, open, replayed, notReplayed, replayedAndCopied).forEach(store::admit);
        for (DetectedTrade t : List.of(replayedLater, replayed, notReplayed, replayedAndCopied)) {
            store.finish(t.key(), TradeOutcome.FAILED, Reason.EXCHANGE_CIRCUIT_OPEN, "breaker open");
            long letter = store.addDeadLetter(t, Reason.EXCHANGE_CIRCUIT_OPEN, "breaker open");
            if (t != notReplayed) {
                assertThat(store.markReplayed(letter)).isTrue();
                assertThat(store.reopen(t.key())).isTrue();
            }
        }
        store.finish(replayedAndCopied.key(), TradeOutcome.COPIED, null, null);

        assertThat(store.replayedInFlight()).containsExactly(replayedLater, replayed);
        assertThat(store.inFlight()).containsExactly(replayedLater, open, replayed);
    }

    @Test
    void shouldListTradesInFlightWhoseEventIsOlderThanAnInstant() {
        DetectedTrade old = trade("old");
        DetectedTrade atTheLimit = new DetectedTrade(new SourceTradeId("at-the-limit"), ALICE, YES_TOKEN, "Yes",
                Side.BUY, old.price(), old.quantity(), old.notional(), START.plusNanos(1), START.plusMillis(7));
        DetectedTrade oldButEnded = trade("old-ended");
        List.of(old, atTheLimit, oldButEnded).forEach(store::admit);
        store.finish(oldButEnded.key(), TradeOutcome.SKIPPED, Reason.FILTER_BELOW_MIN_SIZE, null);

        assertThat(store.inFlightBefore(START.plusNanos(1))).containsExactly(old);
        assertThat(store.inFlightBefore(START.plusNanos(2))).containsExactly(old, atTheLimit);
        assertThat(store.inFlightBefore(START)).isEmpty();
    }

    @Test
    void shouldListOnlyTradesWhoseEventIsOlderWhateverTheYearOfAnEvent() {
        // a feed that gave milliseconds for seconds: an event in the year 56,000-odd, which no cutoff of now is after
        DetectedTrade old = trade("old");
        DetectedTrade farFuture = new DetectedTrade(new SourceTradeId("far-future"), ALICE, YES_TOKEN, "Yes", Side.BUY,
                old.price(), old.quantity(), old.notional(), Instant.ofEpochSecond(START.toEpochMilli()), START);
        DetectedTrade beforeYearZero = new DetectedTrade(new SourceTradeId("before-year-zero"), ALICE, YES_TOKEN, "Yes",
                Side.BUY, old.price(), old.quantity(), old.notional(), Instant.parse("-0001-06-01T00:00:00Z"), START);
        List.of(old, farFuture, beforeYearZero).forEach(store::admit);

        assertThat(store.inFlightBefore(START.plusSeconds(1))).containsExactly(old, beforeYearZero);
        assertThat(store.inFlightBefore(Instant.MAX)).containsExactly(old, farFuture, beforeYearZero);
        assertThat(store.trade(farFuture.key())).contains(farFuture);
        assertThat(store.trade(beforeYearZero.key())).contains(beforeYearZero);
    }

    @Test
    void shouldCountEndedTradesByOutcomeAndReason() {
        for (int i = 1; i <= 5; i++) {
            store.admit(trade("t-" + i));
        }
        store.finish(trade("t-1").key(), TradeOutcome.SKIPPED, Reason.FILTER_STALE, "old");
        store.finish(trade("t-2").key(), TradeOutcome.SKIPPED, Reason.FILTER_STALE, "old");
        store.finish(trade("t-3").key(), TradeOutcome.SKIPPED, Reason.FILTER_BELOW_MIN_SIZE, null);
        store.finish(trade("t-4").key(), TradeOutcome.COPIED, null, null);

        Map<TradeOutcome, Map<Reason, Long>> counts = store.outcomeCountsByReason();
        assertThat(counts).containsOnlyKeys(TradeOutcome.SKIPPED, TradeOutcome.COPIED);
        assertThat(counts.get(TradeOutcome.SKIPPED))
                .isEqualTo(Map.of(Reason.FILTER_STALE, 2L, Reason.FILTER_BELOW_MIN_SIZE, 1L));
        assertThat(counts.get(TradeOutcome.COPIED)).hasSize(1).containsEntry(null, 1L);
    }

    @Test
    void shouldReopenOnlyAFailedTrade() {
        DetectedTrade failed = trade("failed");
        DetectedTrade copied = trade("copied");
        DetectedTrade open = trade("open");
        store.admit(failed);
        store.admit(copied);
        store.admit(open);
        store.finish(failed.key(), TradeOutcome.FAILED, Reason.EXCHANGE_CIRCUIT_OPEN, "breaker open");
        store.finish(copied.key(), TradeOutcome.COPIED, null, null);

        assertThat(store.reopen(copied.key())).isFalse();
        assertThat(store.reopen(open.key())).isFalse();
        assertThat(store.reopen("alice:unknown")).isFalse();
        assertThat(store.reopen(failed.key())).isTrue();
        assertThat(store.reopen(failed.key())).isFalse();

        assertThat(store.inFlight()).containsExactly(failed, open);
        assertThat(store.outcomeCounts()).containsEntry(TradeOutcome.FAILED, 0L);
        assertThat(store.finish(failed.key(), TradeOutcome.COPIED, null, null)).isTrue();
    }

    // ---- cursors ----------------------------------------------------------------------------------------------

    @Test
    void shouldSaveAndReplaceCursorsPerTrader() {
        TraderId bob = new TraderId("bob");
        assertThat(store.cursor(ALICE)).isEmpty();

        store.saveCursor(ALICE, "1730542530:0xabc");
        store.saveCursor(bob, "b-1");
        store.saveCursor(ALICE, "1730542531:0xdef");

        assertThat(store.cursor(ALICE)).contains("1730542531:0xdef");
        assertThat(store.cursor(bob)).contains("b-1");
    }

    // ---- orders -----------------------------------------------------------------------------------------------

    @Test
    void shouldRecordAnIntentOnceAsSubmitting() {
        DetectedTrade t = trade("t-1");
        CopyIntent intent = intent(t);

        assertThat(store.recordIntent(t.key(), intent)).isTrue();
        assertThat(store.recordIntent(t.key(), intent)).isFalse();

        OrderRecord order = store.order(intent.clientOrderId()).orElseThrow();
        assertThat(order.clientOrderId()).isEqualTo(intent.clientOrderId());
        assertThat(order.tradeKey()).isEqualTo(t.key());
        assertThat(order.intent()).isEqualTo(intent);
        assertThat(order.state()).isEqualTo(OrderRecordState.SUBMITTING);
        assertThat(order.venueOrderId()).isNull();
        assertThat(order.filledQuantity()).isEqualByComparingTo("0");
        assertThat(order.avgFillPrice()).isNull();
        assertThat(order.createdAt()).isEqualTo(order.updatedAt()).isAfter(TradeFixtures.START);
        assertThat(store.order(new ClientOrderId("ct-unknown"))).isEmpty();
    }

    @Test
    void shouldWriteNoIntentForATradeThatHasAnOutcome() {
        DetectedTrade t = trade("t-ended");
        store.admit(t);
        store.finish(t.key(), TradeOutcome.EXPIRED, Reason.RESTART_EXPIRED, "swept");

        assertThat(store.recordIntent(t.key(), intent(t))).isFalse();
        assertThat(store.order(t.clientOrderId())).isEmpty();
        assertThat(store.outcome(t.key())).contains(TradeOutcome.EXPIRED);
    }

    @Test
    void shouldFinishATradeOnlyWhileNoOrderOfItIsWritten() {
        DetectedTrade ordered = trade("t-ordered");
        DetectedTrade bare = trade("t-bare");
        store.admit(ordered);
        store.admit(bare);
        store.recordIntent(ordered.key(), intent(ordered));

        assertThat(store.finishIfNoOrder(ordered.key(), ordered.clientOrderId(), TradeOutcome.EXPIRED,
                Reason.RESTART_EXPIRED, "swept")).isFalse();
        assertThat(store.finishIfNoOrder(bare.key(), bare.clientOrderId(), TradeOutcome.EXPIRED,
                Reason.RESTART_EXPIRED, "swept")).isTrue();
        assertThat(store.finishIfNoOrder(bare.key(), bare.clientOrderId(), TradeOutcome.SKIPPED, null, "again"))
                .as("the first outcome wins").isFalse();

        assertThat(store.outcome(ordered.key())).isEmpty();
        assertThat(store.outcome(bare.key())).contains(TradeOutcome.EXPIRED);
    }

    @Test
    void shouldUpdateAnOrderKeepingWhatIsNotGiven() {
        DetectedTrade t = trade("t-1");
        CopyIntent intent = intent(t);
        store.recordIntent(t.key(), intent);
        ClientOrderId id = intent.clientOrderId();

        store.updateOrder(id, OrderRecordState.OPEN, new VenueOrderId("v-77"), null, null);
        store.updateOrder(id, OrderRecordState.PARTIALLY_FILLED, null, new BigDecimal("2.50"), new BigDecimal("0.4210"));
        store.updateOrder(id, null, null, null, null);
        store.updateOrder(new ClientOrderId("ct-unknown"), OrderRecordState.FILLED, null, null, null);

        OrderRecord order = store.order(id).orElseThrow();
        assertThat(order.state()).isEqualTo(OrderRecordState.PARTIALLY_FILLED);
        assertThat(order.venueOrderId()).isEqualTo(new VenueOrderId("v-77"));
        assertThat(order.filledQuantity()).isEqualTo(new BigDecimal("2.50"));
        assertThat(order.avgFillPrice()).isEqualTo(new BigDecimal("0.4210"));
        assertThat(order.updatedAt()).isAfter(order.createdAt());
        assertThat(order.intent()).isEqualTo(intent);
        assertThat(store.order(new ClientOrderId("ct-unknown"))).isEmpty();
    }

    @Test
    void shouldKeepASignedOrderExactlyWithItsHashAndReplaceBothWhenSignedAgain() {
        DetectedTrade t = trade("t-1");
        CopyIntent intent = intent(t);
        store.recordIntent(t.key(), intent);
        ClientOrderId id = intent.clientOrderId();
        assertThat(store.signedOrder(id)).as("not signed yet").isEmpty();
        // awkward bytes: a large integer, unicode, escapes, no trailing newline
        String signed = "{\"salt\":8724526373155577,\"maker\":\"0x22\",\"note\":\"caf\u00e9 \\\"q\\\"\",\"signature\":\"0xab\"}";

        store.recordSigned(id, new VenueOrderId("0xhash-1"), signed);

        assertThat(store.signedOrder(id)).contains(signed);
        OrderRecord order = store.order(id).orElseThrow();
        assertThat(order.venueOrderId()).isEqualTo(new VenueOrderId("0xhash-1"));
        assertThat(order.state()).as("the state is not the signature's business").isEqualTo(OrderRecordState.SUBMITTING);
        // a state move keeps the signed order
        assertThat(store.moveOrder(id, OrderRecordState.FAILED, null, null, null)).isTrue();
        assertThat(store.signedOrder(id)).contains(signed);
        // signed again after the venue confirmed the first hash absent: both replaced together
        store.recordSigned(id, new VenueOrderId("0xhash-2"), "{\"salt\":1}");
        assertThat(store.signedOrder(id)).contains("{\"salt\":1}");
        assertThat(store.order(id).orElseThrow().venueOrderId()).isEqualTo(new VenueOrderId("0xhash-2"));
        // an order never recorded: nothing written, nothing read
        store.recordSigned(new ClientOrderId("ct-unknown"), new VenueOrderId("0xh"), "{}");
        assertThat(store.order(new ClientOrderId("ct-unknown"))).isEmpty();
        assertThat(store.signedOrder(new ClientOrderId("ct-unknown"))).isEmpty();
    }

    @Test
    void shouldMoveAnOrderOnlyFromTheStatesItsNewStateAllows() {
        DetectedTrade t = trade("t-1");
        CopyIntent intent = intent(t);
        store.recordIntent(t.key(), intent);
        ClientOrderId id = intent.clientOrderId();

        assertThat(store.moveOrder(id, OrderRecordState.UNKNOWN, null, null, null)).isTrue();
        assertThat(store.moveOrder(id, OrderRecordState.FAILED, null, null, null)).as("the first end wins").isTrue();
        assertThat(store.moveOrder(id, OrderRecordState.FILLED, new VenueOrderId("v-1"), BigDecimal.ONE, BigDecimal.ONE))
                .as("a late answer does not overwrite FAILED").isFalse();
        assertThat(store.moveOrder(id, OrderRecordState.FAILED, null, null, null)).as("ended once only").isFalse();
        assertThat(store.order(id).orElseThrow().state()).isEqualTo(OrderRecordState.FAILED);
        assertThat(store.order(id).orElseThrow().venueOrderId()).isNull();
        assertThat(store.moveOrder(id, OrderRecordState.SUBMITTING, null, null, null)).as("a replay sends it again").isTrue();
        assertThat(store.moveOrder(id, OrderRecordState.PARTIALLY_FILLED, new VenueOrderId("v-2"), new BigDecimal("0.5"), null)).isTrue();
        assertThat(store.moveOrder(id, OrderRecordState.PARTIALLY_FILLED, null, new BigDecimal("0.7"), null)).isTrue();
        assertThat(store.moveOrder(id, OrderRecordState.UNKNOWN, null, null, null)).isFalse();
        assertThat(store.order(id).orElseThrow()).satisfies(o -> {
            assertThat(o.state()).isEqualTo(OrderRecordState.PARTIALLY_FILLED);
            assertThat(o.venueOrderId()).isEqualTo(new VenueOrderId("v-2"));
            assertThat(o.filledQuantity()).isEqualByComparingTo("0.7");
        });
        assertThat(store.moveOrder(new ClientOrderId("ct-unknown"), OrderRecordState.FAILED, null, null, null)).isFalse();
    }

    @Test
    void shouldMoveAnOrderAndFinishItsTradeTogetherEachUnderItsOwnCondition() {
        DetectedTrade t = trade("t-1");
        store.admit(t);
        CopyIntent intent = intent(t);
        store.recordIntent(t.key(), intent);
        ClientOrderId id = intent.clientOrderId();

        TradeStore.MovedAndFinished both = store.moveOrderAndFinish(id, OrderRecordState.FILLED, new VenueOrderId("v-1"),
                new BigDecimal("2.5"), new BigDecimal("0.41"), t.key(), TradeOutcome.COPIED, null, "filled");
        assertThat(both).isEqualTo(new TradeStore.MovedAndFinished(true, true));
        assertThat(store.order(id).orElseThrow()).satisfies(o -> {
            assertThat(o.state()).isEqualTo(OrderRecordState.FILLED);
            assertThat(o.venueOrderId()).isEqualTo(new VenueOrderId("v-1"));
            assertThat(o.filledQuantity()).isEqualByComparingTo("2.5");
            assertThat(o.avgFillPrice()).isEqualByComparingTo("0.41");
        });
        assertThat(store.outcome(t.key())).contains(TradeOutcome.COPIED);

        // an order that ended already and a trade with an outcome: neither changes
        assertThat(store.moveOrderAndFinish(id, OrderRecordState.REJECTED, null, null, null, t.key(),
                TradeOutcome.SKIPPED, Reason.EXCHANGE_INVALID_ORDER, "late")).isEqualTo(new TradeStore.MovedAndFinished(false, false));
        assertThat(store.order(id).orElseThrow().state()).isEqualTo(OrderRecordState.FILLED);
        assertThat(store.outcome(t.key())).contains(TradeOutcome.COPIED);

        // the two conditions are independent: a second trade's order moves although its trade has an outcome
        DetectedTrade u = trade("t-2");
        store.admit(u);
        CopyIntent other = intent(u);
        store.recordIntent(u.key(), other);
        store.finish(u.key(), TradeOutcome.DROPPED, Reason.QUEUE_OVERFLOW, null);
        assertThat(store.moveOrderAndFinish(other.clientOrderId(), OrderRecordState.OPEN, new VenueOrderId("v-2"),
                BigDecimal.ZERO, null, u.key(), TradeOutcome.COPIED, null, null))
                .isEqualTo(new TradeStore.MovedAndFinished(true, false));
        assertThat(store.order(other.clientOrderId()).orElseThrow().state()).isEqualTo(OrderRecordState.OPEN);
        assertThat(store.outcome(u.key())).contains(TradeOutcome.DROPPED);
    }

    @Test
    void shouldFinishAnAggregatesFollowersWithItsLeaderOnlyWhenTheLeadersOutcomeIsTheFirst() {
        DetectedTrade leader = trade("t-1");
        DetectedTrade follower = trade("t-2");
        DetectedTrade endedFollower = trade("t-3");
        List.of(leader, follower, endedFollower).forEach(store::admit);
        store.finish(endedFollower.key(), TradeOutcome.DROPPED, Reason.QUEUE_OVERFLOW, null);
        CopyIntent intent = intent(leader);
        store.recordIntent(leader.key(), intent);

        TradeStore.MovedAndFinished all = store.moveOrderAndFinish(intent.clientOrderId(), OrderRecordState.FILLED,
                new VenueOrderId("v-1"), BigDecimal.ONE, new BigDecimal("0.4"), leader.key(), TradeOutcome.COPIED,
                null, null, List.of(follower.key(), endedFollower.key()), "with aggregate " + leader.key());
        assertThat(all).isEqualTo(new TradeStore.MovedAndFinished(true, true, List.of(true, false)));
        assertThat(store.outcome(follower.key())).contains(TradeOutcome.COPIED);
        assertThat(store.outcome(endedFollower.key())).as("the first outcome wins").contains(TradeOutcome.DROPPED);

        // a leader whose outcome is not the first: its followers are left as they are, and none is answered
        DetectedTrade again = trade("t-4");
        DetectedTrade itsFollower = trade("t-5");
        List.of(again, itsFollower).forEach(store::admit);
        CopyIntent second = intent(again);
        store.recordIntent(again.key(), second);
        store.finish(again.key(), TradeOutcome.COPIED, null, "by the monitor");
        assertThat(store.moveOrderAndFinish(second.clientOrderId(), OrderRecordState.FILLED, null, BigDecimal.ONE,
                new BigDecimal("0.4"), again.key(), TradeOutcome.COPIED, null, null, List.of(itsFollower.key()),
                "with aggregate " + again.key())).isEqualTo(new TradeStore.MovedAndFinished(true, false));
        assertThat(store.outcome(itsFollower.key())).isEmpty();
    }

    @Test
    void shouldLetExactlyOneOfManyRacingCallersEndAnOrder() throws Exception {
        DetectedTrade t = trade("t-1");
        CopyIntent intent = intent(t);
        store.recordIntent(t.key(), intent);
        var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<Boolean>> moves = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                OrderRecordState to = i % 2 == 0 ? OrderRecordState.FAILED : OrderRecordState.FILLED;
                moves.add(pool.submit(() -> store.moveOrder(intent.clientOrderId(), to, null, null, null)));
            }
            long won = 0;
            for (var f : moves) {
                won += f.get() ? 1 : 0;
            }
            assertThat(won).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldListOrdersInTheGivenStatesOldestFirst() {
        List<ClientOrderId> ids = new ArrayList<>();
        for (String id : List.of("c", "a", "b", "d")) {
            DetectedTrade t = trade(id);
            store.recordIntent(t.key(), intent(t));
            ids.add(t.clientOrderId());
        }
        store.updateOrder(ids.get(1), OrderRecordState.UNKNOWN, null, null, null);
        store.updateOrder(ids.get(3), OrderRecordState.FILLED, null, null, null);

        assertThat(store.ordersIn(List.of(OrderRecordState.SUBMITTING, OrderRecordState.UNKNOWN)))
                .extracting(OrderRecord::clientOrderId).containsExactly(ids.get(0), ids.get(1), ids.get(2));
        assertThat(store.ordersIn(List.of(OrderRecordState.FILLED))).extracting(OrderRecord::clientOrderId)
                .containsExactly(ids.get(3));
        assertThat(store.ordersIn(List.of())).isEmpty();
    }

    // ---- fill aggregation -------------------------------------------------------------------------------------

    @Test
    void shouldKeepATradesSourceOrderWhereverTheTradeIsKept() {
        DetectedTrade t = trade("t-1").withSourceOrder("0xabc-order");
        store.admit(t);
        store.recordIntent(t.key(), intent(t));
        long letter = store.addDeadLetter(t, Reason.UNEXPECTED_ERROR, null);

        assertThat(store.trade(t.key())).contains(t);
        assertThat(store.inFlight()).containsExactly(t);
        assertThat(store.order(t.clientOrderId()).orElseThrow().intent().source()).isEqualTo(t);
        assertThat(store.deadLetter(letter).orElseThrow().trade()).isEqualTo(t);
    }

    @Test
    void shouldLinkFillsToTheirAggregateAndListThoseInFlight() {
        DetectedTrade leader = trade("t-1");
        DetectedTrade second = trade("t-2");
        DetectedTrade third = trade("t-3");
        List.of(leader, second, third, trade("t-4")).forEach(store::admit);

        store.linkAggregate(leader.key(), List.of(third.key(), second.key()));

        assertThat(store.aggregateMembers(leader.key())).containsExactly(second, third);
        assertThat(store.aggregateLinks()).containsOnly(Map.entry(second.key(), leader.key()),
                Map.entry(third.key(), leader.key()));
        assertThat(store.ended(leader.key())).isEmpty();
        store.finish(second.key(), TradeOutcome.SKIPPED, Reason.FILTER_BELOW_MIN_SIZE, null);
        assertThat(store.ended(second.key())).contains(new TradeStore.Ended(TradeOutcome.SKIPPED,
                Reason.FILTER_BELOW_MIN_SIZE));
        assertThat(store.aggregateMembers(leader.key())).containsExactly(third);
        assertThat(store.aggregateLinks()).containsOnlyKeys(third.key());
        assertThat(store.aggregateMembers(trade("t-4").key())).isEmpty();
    }

    @Test
    void shouldFinishSeveralTradesTogetherEachOnlyOnce() {
        DetectedTrade first = trade("t-1");
        DetectedTrade ended = trade("t-2");
        DetectedTrade third = trade("t-3");
        List.of(first, ended, third).forEach(store::admit);
        store.finish(ended.key(), TradeOutcome.SKIPPED, Reason.FILTER_STALE, "old");

        assertThat(store.finishAll(List.of(first.key(), ended.key(), third.key(), "alice:unknown"),
                TradeOutcome.COPIED, null, "with aggregate t-0")).containsExactly(true, false, true, false);

        assertThat(store.ended(first.key())).contains(new TradeStore.Ended(TradeOutcome.COPIED, null));
        assertThat(store.ended(ended.key())).as("the first outcome wins").contains(
                new TradeStore.Ended(TradeOutcome.SKIPPED, Reason.FILTER_STALE));
        assertThat(store.ended(third.key())).contains(new TradeStore.Ended(TradeOutcome.COPIED, null));
    }

    @Test
    void shouldCutAReopenedFillLooseFromItsAggregate() {
        DetectedTrade leader = trade("t-1");
        DetectedTrade follower = trade("t-2");
        List.of(leader, follower).forEach(store::admit);
        store.linkAggregate(leader.key(), List.of(follower.key()));
        store.finish(leader.key(), TradeOutcome.FAILED, Reason.EXCHANGE_CIRCUIT_OPEN, "breaker open");
        store.finish(follower.key(), TradeOutcome.FAILED, Reason.EXCHANGE_CIRCUIT_OPEN, "with aggregate t-1");

        assertThat(store.reopen(follower.key())).isTrue();

        assertThat(store.aggregateLinks()).as("a replay copies the fill on its own").isEmpty();
        assertThat(store.reopen(leader.key())).isTrue();
        assertThat(store.aggregateMembers(leader.key())).isEmpty();
        assertThat(store.inFlight()).containsExactly(leader, follower);
    }

    // ---- dead letters -----------------------------------------------------------------------------------------

    @Test
    void shouldListDeadLettersNewestFirst() {
        long first = store.addDeadLetter(trade("t-1"), Reason.EXCHANGE_CIRCUIT_OPEN, "breaker open");
        long second = store.addDeadLetter(trade("t-2"), Reason.EXCHANGE_RETRIES_EXHAUSTED, null);
        long third = store.addDeadLetter(trade("t-1"), Reason.UNEXPECTED_ERROR, "NPE");

        assertThat(store.deadLetters()).extracting(DeadLetter::id).containsExactly(third, second, first);
        DeadLetter letter = store.deadLetter(first).orElseThrow();
        assertThat(letter.reason()).isEqualTo(Reason.EXCHANGE_CIRCUIT_OPEN);
        assertThat(letter.detail()).isEqualTo("breaker open");
        assertThat(letter.trade()).isEqualTo(trade("t-1"));
        assertThat(letter.createdAt()).isAfter(TradeFixtures.START);
        assertThat(letter.replayedAt()).isNull();
        assertThat(store.deadLetter(second).orElseThrow().detail()).isNull();
        assertThat(store.deadLetter(third + 100)).isEmpty();
    }

    @Test
    void shouldKeepAHugeDetailWhole() {
        // a cause's message can be anything: a venue's whole error page, a stack of nested causes
        String detail = "x".repeat(2 * 1024 * 1024) + " the end";
        DetectedTrade t = trade("t-1");
        store.admit(t);
        long letter = store.addDeadLetter(t, Reason.UNEXPECTED_ERROR, detail);
        assertThat(store.finish(t.key(), TradeOutcome.FAILED, Reason.UNEXPECTED_ERROR, detail)).isTrue();

        assertThat(store.deadLetter(letter).orElseThrow().detail()).isEqualTo(detail);
        assertThat(store.ended(t.key())).contains(new TradeStore.Ended(TradeOutcome.FAILED, Reason.UNEXPECTED_ERROR));
    }

    @Test
    void shouldMarkADeadLetterReplayedOnlyOnce() {
        long id = store.addDeadLetter(trade("t-1"), Reason.EXCHANGE_CIRCUIT_OPEN, null);

        assertThat(store.markReplayed(id)).isTrue();
        assertThat(store.markReplayed(id)).isFalse();
        assertThat(store.markReplayed(id + 100)).isFalse();
        assertThat(store.deadLetter(id).orElseThrow().replayedAt()).isNotNull();
    }

    @Test
    void shouldCountDeadLettersPendingAndInAll() {
        assertThat(store.deadLetterCounts()).isEqualTo(new TradeStore.DeadLetterCounts(0, 0));
        long first = store.addDeadLetter(trade("t-1"), Reason.EXCHANGE_CIRCUIT_OPEN, null);
        store.addDeadLetter(trade("t-2"), Reason.EXCHANGE_RETRIES_EXHAUSTED, null);
        store.addDeadLetter(trade("t-3"), Reason.UNEXPECTED_ERROR, "NPE");
        assertThat(store.deadLetterCounts()).isEqualTo(new TradeStore.DeadLetterCounts(3, 3));

        store.markReplayed(first);

        assertThat(store.deadLetterCounts()).isEqualTo(new TradeStore.DeadLetterCounts(2, 3));
    }

    @Test
    void shouldReadAPageOfTheLettersAFilterSelectsNewestFirstBelowAnId() {
        List<Long> ids = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            ids.add(store.addDeadLetter(trade("t-" + i), i % 2 == 0 ? Reason.EXCHANGE_CIRCUIT_OPEN
                    : Reason.EXCHANGE_RETRIES_EXHAUSTED, null));
        }
        store.markReplayed(ids.get(4));
        TradeStore.DeadLetterFilter pendingExhausted =
                new TradeStore.DeadLetterFilter(Reason.EXCHANGE_RETRIES_EXHAUSTED, true);

        assertThat(store.deadLetters(TradeStore.DeadLetterFilter.ALL, Long.MAX_VALUE, 2)).extracting(DeadLetter::id)
                .containsExactly(ids.get(4), ids.get(3));
        assertThat(store.deadLetters(TradeStore.DeadLetterFilter.ALL, ids.get(3), 10)).extracting(DeadLetter::id)
                .containsExactly(ids.get(2), ids.get(1), ids.get(0));
        assertThat(store.deadLetters(pendingExhausted, Long.MAX_VALUE, 10)).extracting(DeadLetter::id)
                .containsExactly(ids.get(2), ids.get(0));
        assertThat(store.deadLetters(new TradeStore.DeadLetterFilter(null, true), ids.get(2), 10))
                .extracting(DeadLetter::id).containsExactly(ids.get(1), ids.get(0));
        assertThat(store.deadLetters(pendingExhausted, ids.get(0), 10)).isEmpty();

        assertThat(store.countDeadLetters(TradeStore.DeadLetterFilter.ALL)).isEqualTo(5);
        assertThat(store.countDeadLetters(pendingExhausted)).isEqualTo(2);
        assertThat(store.countDeadLetters(new TradeStore.DeadLetterFilter(Reason.EXCHANGE_RETRIES_EXHAUSTED, false)))
                .isEqualTo(3);
        assertThat(store.countDeadLetters(new TradeStore.DeadLetterFilter(Reason.UNEXPECTED_ERROR, false))).isZero();
    }

    /** The ways a trade is admitted: alone or in a page, with a detection source or without. */
    static final List<String> ADMISSIONS = List.of("admit", "admit from a source", "a page",
            "a page from a source");

    /** Admits {@code t} one of the {@link #ADMISSIONS} ways (a page puts a trade without letters before it). */
    boolean admitBy(String way, DetectedTrade t) {
        return switch (way) {
            case "admit" -> store.admit(t);
            case "admit from a source" -> store.admit(t, "chain");
            case "a page" -> store.admitAll(List.of(trade("beside-" + t.sourceTradeId().value()), t)).get(1);
            case "a page from a source" -> store.admitAll(List.of(trade("beside-" + t.sourceTradeId().value()), t),
                    "chain").get(1);
            default -> throw new IllegalArgumentException(way);
        };
    }

    @Test
    void shouldStopCountingALetterPendingOnceItsTradeIsAdmitted() {
        TradeStore.DeadLetterFilter pending = new TradeStore.DeadLetterFilter(null, true);
        for (String way : ADMISSIONS) {
            // a feed trade whose admission the store refused: its letter is written while the trade is in no table
            DetectedTrade refused = trade("refused-then-" + way.replace(' ', '-'));
            long letter = store.addDeadLetter(refused, Reason.UNEXPECTED_ERROR, "could not admit trade");
            long pendingBefore = store.deadLetterCounts().pending();
            long allBefore = store.deadLetterCounts().total();

            // a later poll reads it again, and the store takes it
            assertThat(admitBy(way, refused)).as(way).isTrue();

            assertThat(store.deadLetterCounts()).as(way)
                    .isEqualTo(new TradeStore.DeadLetterCounts(pendingBefore - 1, allBefore));
            assertThat(store.deadLetters(pending, Long.MAX_VALUE, 100)).as(way).extracting(DeadLetter::id)
                    .doesNotContain(letter);
            assertThat(store.countDeadLetters(pending)).as(way).isEqualTo(pendingBefore - 1);
            assertThat(store.deadLetters(TradeStore.DeadLetterFilter.ALL, Long.MAX_VALUE, 100)).as("still listed")
                    .extracting(DeadLetter::id).contains(letter);
            DeadLetter marked = store.deadLetter(letter).orElseThrow();
            assertThat(marked.admittedAt()).as(way).isNotNull();
            assertThat(marked.replayedAt()).as("not replayed: admitted").isNull();
            assertThat(marked.pending()).isFalse();
            // not a failure of the trade: nothing to replay, and a replay's mark would take it for a replay in flight
            assertThat(store.markReplayed(letter)).as(way).isFalse();
            assertThat(store.deadLetter(letter).orElseThrow().replayedAt()).isNull();
            assertThat(store.replayedInFlight()).as(way).doesNotContain(refused);
        }
        assertThat(store.deadLetterCounts().pending()).isZero();
    }

    @Test
    void shouldKeepPendingALetterWrittenAfterItsTradeWasAdmittedAndOneWhoseTradeIsInNoTable() {
        DetectedTrade refused = trade("t-1");
        DetectedTrade neverStored = trade("t-2");
        long refusal = store.addDeadLetter(refused, Reason.UNEXPECTED_ERROR, "could not admit trade");
        long neverStoredLetter = store.addDeadLetter(neverStored, Reason.UNEXPECTED_ERROR, "could not admit trade");
        assertThat(store.admit(refused)).isTrue();

        // the admitted trade fails later in the pipeline: that failure's letter waits for a person as any other
        long failure = store.addDeadLetter(refused, Reason.EXCHANGE_RETRIES_EXHAUSTED, "timeouts");
        assertThat(store.finish(refused.key(), TradeOutcome.FAILED, Reason.EXCHANGE_RETRIES_EXHAUSTED, "timeouts"))
                .isTrue();
        // read again (a feed's overlap): a duplicate, which changes no letter
        assertThat(store.admit(refused)).isFalse();
        assertThat(store.admitAll(List.of(refused))).containsExactly(false);

        assertThat(store.deadLetterCounts()).isEqualTo(new TradeStore.DeadLetterCounts(2, 3));
        assertThat(store.deadLetters(new TradeStore.DeadLetterFilter(null, true), Long.MAX_VALUE, 10))
                .extracting(DeadLetter::id).containsExactly(failure, neverStoredLetter);
        assertThat(store.deadLetter(refusal).orElseThrow().admittedAt()).isNotNull();
        assertThat(store.deadLetter(failure).orElseThrow().admittedAt()).isNull();
        assertThat(store.deadLetter(neverStoredLetter).orElseThrow().admittedAt()).isNull();

        // its replay reopens the trade, once
        assertThat(store.markReplayed(failure)).isTrue();
        assertThat(store.reopen(refused.key())).isTrue();
        assertThat(store.replayedInFlight()).containsExactly(refused);
        assertThat(store.deadLetterCounts()).isEqualTo(new TradeStore.DeadLetterCounts(1, 3));
    }

    @Test
    void shouldNotTakeATradeAdmittedAfterItsLetterWasReplayedForAReplay() {
        // a letter replayed while its trade was in no table (the replay had nothing to reopen); then the store took it
        DetectedTrade refused = trade("t-1");
        long letter = store.addDeadLetter(refused, Reason.UNEXPECTED_ERROR, "could not admit trade");
        assertThat(store.markReplayed(letter)).isTrue();
        assertThat(store.reopen(refused.key())).isFalse();
        assertThat(store.admit(refused)).isTrue();

        // in flight from its admission, not from a replay: a restart decides it as any trade it finds in flight
        assertThat(store.inFlight()).containsExactly(refused);
        assertThat(store.replayedInFlight()).isEmpty();
        assertThat(store.deadLetterCounts()).isEqualTo(new TradeStore.DeadLetterCounts(0, 1));
        DeadLetter marked = store.deadLetter(letter).orElseThrow();
        assertThat(marked.replayedAt()).isNotNull();
        assertThat(marked.admittedAt()).isNotNull();
    }

    // ---- concurrency ------------------------------------------------------------------------------------------

    @Test
    @Timeout(30)
    void shouldLetExactlyOneOfManyRacingAdmitsWin() throws Exception {
        for (int round = 0; round < 20; round++) {
            DetectedTrade t = trade("race-" + round);
            assertThat(race(i -> () -> store.admit(t))).isEqualTo(1);
        }
        assertThat(store.detectedCount()).isEqualTo(20);
        assertThat(store.inFlight()).hasSize(20);
    }

    @Test
    @Timeout(30)
    void shouldLetExactlyOneOfManyRacingOutcomesWin() throws Exception {
        TradeOutcome[] outcomes = TradeOutcome.values();
        for (int round = 0; round < 20; round++) {
            DetectedTrade t = trade("race-" + round);
            store.admit(t);
            assertThat(race(i -> () -> store.finish(t.key(), outcomes[i % outcomes.length], null, "racer " + i)))
                    .isEqualTo(1);
        }
        assertThat(store.inFlightCount()).isZero();
        assertThat(store.outcomeCounts().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(20);
    }

    @Test
    @Timeout(60)
    void shouldAdmitOneSourceOnlyOfAGroupBothSourcesAdmitAtTheSameInstant() throws Exception {
        // the chain and the Data API report one transaction's fills at the same moment, each in its own form
        for (int round = 0; round < 40; round++) {
            String tx = "0xrace" + round;
            List<DetectedTrade> fills = new ArrayList<>();
            for (int i = 0; i < RACERS; i++) {
                String size = (i / 2 + 1) + (i % 2 == 0 ? "" : ".0");
                fills.add(fill(tx + ":tok:BUY:" + size + "@0.5", tx, Side.BUY, size, "0.5"));
            }
            int admitted = race(i -> () -> store.admit(fills.get(i), i % 2 == 0 ? "chain" : "data-api"));
            List<String> sources = new ArrayList<>();
            for (DetectedTrade f : fills) {
                store.source(f.key()).ifPresent(sources::add);
            }
            assertThat(sources).as("the sources of %s's admitted fills", tx).hasSize(admitted).containsOnly(sources.get(0));
            assertThat(admitted).as("every fill of the first source, none of the other's").isEqualTo(RACERS / 2);
        }
    }

    @Test
    @Timeout(30)
    void shouldLetExactlyOneOfManyRacingIntentsAndReplaysWin() throws Exception {
        for (int round = 0; round < 20; round++) {
            DetectedTrade t = trade("race-" + round);
            assertThat(race(i -> () -> store.recordIntent(t.key(), intent(t)))).isEqualTo(1);
            long letter = store.addDeadLetter(t, Reason.EXCHANGE_CIRCUIT_OPEN, null);
            assertThat(race(i -> () -> store.markReplayed(letter))).isEqualTo(1);
        }
        assertThat(store.ordersIn(List.of(OrderRecordState.SUBMITTING))).hasSize(20);
    }

    @Test
    @Timeout(60)
    void shouldNeverEndATradeExpiredWithItsOrderWrittenWhenTheSweepAndTheIntentRace() throws Exception {
        // an instance's orphan sweep expires a trade while a consumer that took it late writes its order
        for (int round = 0; round < 40; round++) {
            DetectedTrade t = trade("race-" + round);
            store.admit(t);
            int won = race(i -> i % 2 == 0
                    ? () -> store.recordIntent(t.key(), intent(t))
                    : () -> store.finishIfNoOrder(t.key(), t.clientOrderId(), TradeOutcome.EXPIRED,
                            Reason.RESTART_EXPIRED, "swept"));
            boolean ordered = store.order(t.clientOrderId()).isPresent();
            boolean expired = store.outcome(t.key()).isPresent();
            assertThat(ordered).as("round %d: an order written xor the trade expired", round).isNotEqualTo(expired);
            assertThat(won).as("round %d: one write won", round).isEqualTo(1);
        }
    }

    @Test
    @Timeout(30)
    void shouldKeepEveryWriteOfConcurrentConsumersAndHandOutDistinctLetterIds() throws Exception {
        int perThread = 24;
        List<Long> letterIds = java.util.Collections.synchronizedList(new ArrayList<>());
        race(i -> () -> {
            for (int n = 0; n < perThread; n++) {
                DetectedTrade t = trade("c" + i + "-" + n);
                store.admit(t);
                store.recordIntent(t.key(), intent(t));
                store.finish(t.key(), n % 2 == 0 ? TradeOutcome.COPIED : TradeOutcome.FAILED, null, null);
                letterIds.add(store.addDeadLetter(t, Reason.EXCHANGE_RETRIES_EXHAUSTED, null));
            }
            return true;
        });
        int total = RACERS * perThread;
        assertThat(store.detectedCount()).isEqualTo(total);
        assertThat(store.outcomeCounts()).containsEntry(TradeOutcome.COPIED, (long) total / 2)
                .containsEntry(TradeOutcome.FAILED, (long) total / 2);
        assertThat(store.ordersIn(List.of(OrderRecordState.SUBMITTING))).hasSize(total);
        assertThat(letterIds).doesNotHaveDuplicates().hasSize(total);
        assertThat(store.deadLetters()).hasSize(total);
    }

    /** Starts RACERS tasks at the same moment; returns how many returned true. */
    private static int race(IntFunction<Callable<Boolean>> racer) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(RACERS);
        try {
            CountDownLatch ready = new CountDownLatch(RACERS);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < RACERS; i++) {
                Callable<Boolean> task = racer.apply(i);
                results.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    return task.call();
                }));
            }
            ready.await();
            go.countDown();
            int winners = 0;
            for (Future<Boolean> f : results) {
                if (f.get()) {
                    winners++;
                }
            }
            return winners;
        } finally {
            pool.shutdownNow();
        }
    }
}
