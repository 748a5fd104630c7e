package io.copytrader.engine;

import io.copytrader.domain.CopyIntent;
import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.Reason;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.domain.VenueOrderId;
import io.copytrader.store.InMemoryTradeStore;
import io.copytrader.store.OrderRecordState;
import io.copytrader.store.TradeStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A trade's one outcome through the ledger: written once, counted once, told once, fills of its aggregate with it. */
class TradeLedgerTest {
    private final InMemoryTradeStore store = new InMemoryTradeStore(Clock.systemUTC());
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final TradeLedger ledger = new TradeLedger(store, new PipelineMetrics(registry));
    private final List<String> told = new ArrayList<>();

    @BeforeEach
    void listen() {
        ledger.outcomeListener((trade, outcome, reason) -> told.add(trade.key() + " " + outcome));
    }

    private double copiedCount() {
        return registry.get(PipelineMetrics.TRADES_PROCESSED).counter().count();
    }

    private double targetCount(String outcome) {
        return registry.find(PipelineMetrics.TARGET_TRADES).tag(PipelineMetrics.OUTCOME_TAG, outcome).counters()
                .stream().mapToDouble(c -> c.count()).sum();
    }

    /** The trade admitted, and its order's intent in the outbox. */
    private CopyIntent admittedAndSent(DetectedTrade trade) {
        ledger.admit(trade);
        CopyIntent intent = new CopyIntent(trade.clientOrderId(), trade, trade.instrument(), trade.side(), trade.price(),
                trade.quantity(), trade.notional());
        store.recordIntent(trade.key(), intent);
        return intent;
    }

    @Test
    void shouldCountAndTellOnlyTheFirstOutcome() {
        DetectedTrade t = Trades.buy("t-1", "0.50", "10");
        ledger.admit(t);

        assertThat(ledger.finish(t, TradeOutcome.SKIPPED, Reason.FILTER_STALE, "old")).isTrue();
        assertThat(ledger.finish(t, TradeOutcome.SKIPPED, Reason.FILTER_STALE, "again")).isFalse();

        assertThat(told).containsExactly(t.key() + " SKIPPED");
        assertThat(targetCount("SKIPPED")).isEqualTo(1.0);
        assertThat(store.outcome(t.key())).contains(TradeOutcome.SKIPPED);
    }

    @Test
    void shouldFinishSeveralInOneCallCountingAndTellingOnlyTheFirstOutcomes() {
        DetectedTrade a = Trades.buy("t-a", "0.50", "10");
        DetectedTrade b = Trades.buy("t-b", "0.50", "10");
        DetectedTrade c = Trades.buy("t-c", "0.50", "10");
        List.of(a, b, c).forEach(ledger::admit);
        ledger.finish(b, TradeOutcome.SKIPPED, Reason.FILTER_STALE, "old");
        told.clear();

        assertThat(ledger.finishAll(List.of(a, b, c), TradeOutcome.DROPPED, Reason.QUEUE_OVERFLOW, "full"))
                .containsExactly(true, false, true);

        assertThat(told).containsExactly(a.key() + " DROPPED", c.key() + " DROPPED");
        assertThat(targetCount("DROPPED")).isEqualTo(2.0);
        assertThat(store.outcome(b.key())).contains(TradeOutcome.SKIPPED);
        assertThat(store.outcome(c.key())).contains(TradeOutcome.DROPPED);
    }

    @Test
    void shouldWriteTheOrderAndTheCopyTogetherThenCountItOnce() {
        DetectedTrade t = Trades.buy("t-2", "0.50", "10");
        CopyIntent intent = admittedAndSent(t);

        TradeLedger.Copied written = ledger.recordCopied(t, intent.clientOrderId(), OrderRecordState.FILLED,
                new VenueOrderId("v-2"), BigDecimal.TEN, new BigDecimal("0.50"));
        assertThat(written.written()).isEqualTo(new TradeStore.MovedAndFinished(true, true));
        assertThat(told).as("nothing told before the caller says the write is done").isEmpty();
        assertThat(ledger.copiedRecorded(t, written)).isTrue();

        assertThat(store.order(intent.clientOrderId()).orElseThrow().state()).isEqualTo(OrderRecordState.FILLED);
        assertThat(store.outcome(t.key())).contains(TradeOutcome.COPIED);
        assertThat(told).containsExactly(t.key() + " COPIED");
        assertThat(copiedCount()).isEqualTo(1.0);
        assertThat(targetCount("COPIED")).isEqualTo(1.0);
    }

    @Test
    void shouldCorrectATradeAnotherInstanceSkippedWhenItsOrderWasAccepted() {
        DetectedTrade t = Trades.buy("t-3", "0.50", "10");
        CopyIntent intent = admittedAndSent(t);
        store.finish(t.key(), TradeOutcome.DROPPED, Reason.QUEUE_OVERFLOW, "elsewhere");

        TradeLedger.Copied written = ledger.recordCopied(t, intent.clientOrderId(), OrderRecordState.FILLED,
                null, BigDecimal.TEN, new BigDecimal("0.50"));
        assertThat(written.written().finished()).isFalse();
        assertThat(ledger.copiedRecorded(t, written)).as("corrected to COPIED").isTrue();

        assertThat(store.outcome(t.key())).contains(TradeOutcome.COPIED);
        assertThat(told).containsExactly(t.key() + " COPIED");
        assertThat(copiedCount()).isEqualTo(1.0);
    }

    @Test
    void shouldGiveTheFillsOfAnAggregateTheCopysOutcome() {
        DetectedTrade leader = Trades.buy("t-4", "0.50", "10");
        DetectedTrade follower = Trades.buy("t-5", "0.50", "5");
        ledger.admit(follower);
        CopyIntent intent = admittedAndSent(leader);
        ledger.aggregate(leader, List.of(follower));

        TradeLedger.Copied written = ledger.recordCopied(leader, intent.clientOrderId(),
                OrderRecordState.FILLED, null, BigDecimal.TEN, new BigDecimal("0.50"));
        assertThat(written.written().followers()).as("the follower's outcome written with the leader's")
                .containsExactly(true);
        assertThat(told).as("nothing told before the caller says the write is done").isEmpty();
        assertThat(ledger.copiedRecorded(leader, written)).isTrue();

        assertThat(store.outcome(follower.key())).contains(TradeOutcome.COPIED);
        assertThat(ledger.isFollower(follower.key())).isFalse();
        assertThat(told).containsExactly(leader.key() + " COPIED", follower.key() + " COPIED");
        assertThat(copiedCount()).as("each source trade counted").isEqualTo(2.0);
    }

    @Test
    void shouldLeaveAnAggregateAloneWhenItsLeaderAlreadyHadItsOutcome() {
        DetectedTrade leader = Trades.buy("t-13", "0.50", "10");
        DetectedTrade follower = Trades.buy("t-14", "0.50", "5");
        ledger.admit(follower);
        CopyIntent intent = admittedAndSent(leader);
        ledger.aggregate(leader, List.of(follower));
        store.finish(leader.key(), TradeOutcome.COPIED, null, "by the monitor"); // recorded behind the ledger's back

        TradeLedger.Copied written = ledger.recordCopied(leader, intent.clientOrderId(), OrderRecordState.FILLED,
                null, BigDecimal.TEN, new BigDecimal("0.50"));
        assertThat(written.moved()).isTrue();
        assertThat(written.written().followers()).as("no follower written").isNull();
        assertThat(ledger.copiedRecorded(leader, written)).as("not the first outcome").isFalse();

        assertThat(store.outcome(follower.key())).isEmpty();
        assertThat(ledger.isFollower(follower.key())).isTrue();
        assertThat(told).isEmpty();
        assertThat(copiedCount()).isZero();
    }

    @Test
    void shouldLookUpAggregatesMadeElsewhereWhenTheStoreIsShared() {
        DetectedTrade leader = Trades.buy("t-6", "0.50", "10");
        DetectedTrade follower = Trades.buy("t-7", "0.50", "5");
        ledger.admit(leader);
        ledger.admit(follower);
        store.linkAggregate(leader.key(), List.of(follower.key())); // linked by another instance
        ledger.aggregatesInStore(true);

        assertThat(ledger.finish(leader, TradeOutcome.COPIED, null, null)).isTrue();

        assertThat(store.outcome(follower.key())).contains(TradeOutcome.COPIED);
        assertThat(told).containsExactly(leader.key() + " COPIED", follower.key() + " COPIED");
    }

    @Test
    void shouldMoveJoinedTradesAndTheFillsThatFollowThemToTheLeaderOfTheOrder() {
        DetectedTrade leader = Trades.buy("t-8", "0.50", "10");
        DetectedTrade leadersFill = Trades.buy("t-9", "0.50", "1");
        DetectedTrade joined = Trades.buy("t-10", "0.52", "4");
        DetectedTrade joinedsFill = Trades.buy("t-11", "0.52", "2");
        DetectedTrade alsoJoined = Trades.buy("t-12", "0.54", "3");
        List.of(leadersFill, joined, joinedsFill, alsoJoined).forEach(ledger::admit);
        CopyIntent intent = admittedAndSent(leader);
        ledger.aggregate(leader, List.of(leadersFill));
        ledger.aggregate(joined, List.of(joinedsFill));

        assertThat(ledger.join(leader, List.of(joined, alsoJoined))).as("source trades the order copies").isEqualTo(5);

        assertThat(store.aggregateMembers(leader.key())).extracting(DetectedTrade::key).containsExactlyInAnyOrder(
                leadersFill.key(), joined.key(), joinedsFill.key(), alsoJoined.key());
        assertThat(ledger.isFollower(joinedsFill.key())).isTrue();
        TradeLedger.Copied written = ledger.recordCopied(leader, intent.clientOrderId(),
                OrderRecordState.FILLED, null, new BigDecimal("20"), new BigDecimal("0.51"));
        assertThat(ledger.copiedRecorded(leader, written)).isTrue();
        for (DetectedTrade t : List.of(leader, leadersFill, joined, joinedsFill, alsoJoined)) {
            assertThat(store.outcome(t.key())).as(t.key()).contains(TradeOutcome.COPIED);
        }
        assertThat(copiedCount()).as("each source trade counted once").isEqualTo(5.0);
        assertThat(told).hasSize(5).doesNotHaveDuplicates();
        assertThat(ledger.finish(joined, TradeOutcome.FAILED, Reason.UNEXPECTED_ERROR, "late"))
                .as("a joined trade's own exchange ending later changes nothing").isFalse();
    }

    @Test
    void shouldLinkJoinedTradesAgainAfterATransientStoreErrorInsteadOfFailingTheTake() {
        LosingAnswers db = new LosingAnswers(store);
        TradeLedger over = new TradeLedger(db.store, new PipelineMetrics(registry));
        DetectedTrade leader = Trades.buy("t-30", "0.50", "10");
        DetectedTrade joined = Trades.buy("t-31", "0.52", "4");
        over.admit(leader);
        over.admit(joined);
        db.lostAnswers.add(leader.key()); // the links committed, the answer lost: the same links written again

        assertThat(over.join(leader, List.of(joined))).isEqualTo(2);

        assertThat(db.writes).containsExactly("admit " + leader.key(), "admit " + joined.key(),
                "linkAggregate " + leader.key(), "linkAggregate " + leader.key());
        assertThat(store.aggregateMembers(leader.key())).extracting(DetectedTrade::key).containsExactly(joined.key());
        assertThat(over.followers(leader)).containsExactly(joined);
        assertThat(registry.get(PipelineMetrics.STORE_WRITES_RETRIED).counter().count()).isEqualTo(1);
    }

    @Test
    void shouldGiveJoinedTradesTheLeadersFailureToo() {
        DetectedTrade leader = Trades.buy("t-13", "0.50", "10");
        DetectedTrade joined = Trades.buy("t-14", "0.50", "5");
        ledger.admit(leader);
        ledger.admit(joined);
        ledger.join(leader, List.of(joined));

        assertThat(ledger.finish(leader, TradeOutcome.FAILED, Reason.UNEXPECTED_ERROR, "venue down")).isTrue();

        assertThat(store.outcome(joined.key())).contains(TradeOutcome.FAILED);
        assertThat(told).containsExactly(leader.key() + " FAILED", joined.key() + " FAILED");
    }

    @Test
    void shouldLeaveADeadLetterForEveryTradeAFailedOrderCopied() {
        DetectedTrade leader = Trades.buy("t-15", "0.50", "10");
        DetectedTrade fill = Trades.buy("t-16", "0.50", "5");
        DetectedTrade joined = Trades.buy("t-17", "0.55", "5");
        List.of(leader, fill, joined).forEach(ledger::admit);
        ledger.aggregate(leader, List.of(fill));
        ledger.join(leader, List.of(joined));

        new DeadLetterRecorder(ledger).record(leader, Reason.EXCHANGE_RETRIES_EXHAUSTED, "venue down");

        assertThat(store.deadLetters()).extracting(d -> d.trade().key() + " " + d.reason())
                .containsExactlyInAnyOrder(leader.key() + " EXCHANGE_RETRIES_EXHAUSTED",
                        fill.key() + " EXCHANGE_RETRIES_EXHAUSTED", joined.key() + " EXCHANGE_RETRIES_EXHAUSTED");
        for (DetectedTrade t : List.of(leader, fill, joined)) {
            assertThat(store.outcome(t.key())).as(t.key()).contains(TradeOutcome.FAILED);
        }
        assertThat(ledger.followers(leader)).as("given their outcome").isEmpty();
    }

    @Test
    void shouldLookFollowersUpInTheStoreOnlyWhenAggregatesAreMadeElsewhere() {
        DetectedTrade leader = Trades.buy("t-18", "0.50", "10");
        DetectedTrade follower = Trades.buy("t-19", "0.50", "5");
        ledger.admit(leader);
        ledger.admit(follower);
        store.linkAggregate(leader.key(), List.of(follower.key()));

        assertThat(ledger.followers(leader)).as("one instance: only what it joined itself").isEmpty();
        ledger.aggregatesInStore(true);
        assertThat(ledger.followers(leader)).containsExactly(follower);
    }

    private double detectedCount() {
        return registry.get(PipelineMetrics.TRADES_DETECTED).counter().count();
    }

    @Test
    void shouldCountATradeDetectedOnceAndAnswerADuplicateFalse() {
        DetectedTrade t = Trades.buy("t-20", "0.50", "10");
        DetectedTrade u = Trades.buy("t-21", "0.50", "10");

        assertThat(ledger.admit(t)).isTrue();
        assertThat(ledger.admit(t)).as("the same trade read again").isFalse();
        assertThat(ledger.admitAll(List.of(t, u, u))).containsExactly(false, true, false);

        assertThat(detectedCount()).isEqualTo(2.0);
        assertThat(targetCount("DETECTED")).isEqualTo(2.0);
    }

    @Test
    void shouldNeverTakeAClaimItDidNotMakeWhenAPageIsReadAgain() {
        DetectedTrade one = Trades.buy("t-22", "0.50", "10");
        DetectedTrade two = Trades.buy("t-23", "0.50", "10");
        store.admit(one); // admitted by the previous run, in flight
        store.admit(two);
        assertThat(ledger.claim(one)).as("recovery claims it").isTrue();
        assertThat(ledger.claim(two)).isTrue();

        assertThat(ledger.admit(one)).as("the page read again").isFalse();
        assertThat(ledger.admitAll(List.of(two))).containsExactly(false);

        assertThat(ledger.claim(one)).as("still recovery's: no one else may copy it").isFalse();
        assertThat(ledger.claim(two)).as("still recovery's: no one else may copy it").isFalse();
    }

    @Test
    void shouldLeaveNoClaimBehindWhenADuplicateIsReadSoAReplayCanTakeTheTrade() {
        DetectedTrade one = Trades.buy("t-24", "0.50", "10");
        DetectedTrade two = Trades.buy("t-25", "0.50", "10");
        ledger.admitAll(List.of(one, two));
        ledger.finish(one, TradeOutcome.FAILED, Reason.EXCHANGE_RETRIES_EXHAUSTED, "venue down");
        ledger.finish(two, TradeOutcome.FAILED, Reason.EXCHANGE_RETRIES_EXHAUSTED, "venue down");

        assertThat(ledger.admit(one)).as("the page read again").isFalse();
        assertThat(ledger.admitAll(List.of(two))).containsExactly(false);
        store.reopen(one.key()); // a person replays the dead letters
        store.reopen(two.key());

        assertThat(ledger.claim(one)).as("the replay takes it").isTrue();
        assertThat(ledger.claim(two)).as("the replay takes it").isTrue();
    }

    @Test
    void shouldClaimTheFillsOfAnAggregateAdoptedFromTheStore() {
        DetectedTrade leader = Trades.buy("t-26", "0.50", "10");
        DetectedTrade follower = Trades.buy("t-27", "0.50", "5");
        store.admit(leader); // a previous run's aggregate, linked before its order was written
        store.admit(follower);
        store.linkAggregate(leader.key(), List.of(follower.key()));

        ledger.adoptAggregate(leader.key());

        assertThat(ledger.claim(follower)).as("it goes with its leader's order, never on its own").isFalse();
        assertThat(ledger.isFollower(follower.key())).isTrue();
        assertThat(ledger.finish(leader, TradeOutcome.COPIED, null, null)).isTrue();
        assertThat(store.outcome(follower.key())).contains(TradeOutcome.COPIED);
    }

    @Test
    void shouldExpireATradeOnlyWhileItHasNoOrderAndSayWhetherItDid() {
        DetectedTrade orphan = Trades.buy("t-28", "0.50", "10");
        DetectedTrade sent = Trades.buy("t-29", "0.50", "10");
        DetectedTrade follower = Trades.buy("t-30", "0.50", "5");
        ledger.admit(orphan);
        ledger.admit(follower);
        ledger.aggregate(orphan, List.of(follower));
        admittedAndSent(sent);

        assertThat(ledger.finishIfNoOrder(orphan, TradeOutcome.EXPIRED, Reason.RESTART_EXPIRED, "old")).isTrue();
        assertThat(ledger.finishIfNoOrder(sent, TradeOutcome.EXPIRED, Reason.RESTART_EXPIRED, "old"))
                .as("its order may be at the venue").isFalse();

        assertThat(store.outcome(orphan.key())).contains(TradeOutcome.EXPIRED);
        assertThat(store.outcome(follower.key())).contains(TradeOutcome.EXPIRED);
        assertThat(store.outcome(sent.key())).isEmpty();
        assertThat(told).containsExactly(orphan.key() + " EXPIRED", follower.key() + " EXPIRED");
    }

    @Test
    void shouldForgetATradeEndedElsewhereWithTheFillsThatFollowedIt() {
        DetectedTrade leader = Trades.buy("t-31", "0.50", "10");
        DetectedTrade follower = Trades.buy("t-32", "0.50", "5");
        ledger.admit(leader);
        ledger.admit(follower);
        ledger.aggregate(leader, List.of(follower));
        store.finishAll(List.of(leader.key(), follower.key()), TradeOutcome.EXPIRED, Reason.RESTART_EXPIRED,
                "another instance's orphan sweep");

        ledger.endedElsewhere(leader);

        assertThat(ledger.isFollower(follower.key())).isFalse();
        assertThat(ledger.followers(leader)).isEmpty();
        assertThat(ledger.claim(leader)).as("no claim left behind").isTrue();
        assertThat(ledger.claim(follower)).as("no claim left behind").isTrue();
    }

    @Test
    void shouldTellTheFillsOfAnAggregateWhichOrderTheyWentWithAndWhy() {
        List<String> details = new ArrayList<>();
        TradeStore recording = (TradeStore) java.lang.reflect.Proxy.newProxyInstance(TradeStore.class.getClassLoader(),
                new Class<?>[]{TradeStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("finishAll")) {
                        details.add((String) args[3]);
                    }
                    try {
                        return method.invoke(store, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        TradeLedger shared = new TradeLedger(recording, new PipelineMetrics(registry)).aggregatesInStore(true);
        DetectedTrade leader = Trades.buy("t-33", "0.50", "10");
        DetectedTrade follower = Trades.buy("t-34", "0.50", "5");
        DetectedTrade other = Trades.buy("t-35", "0.50", "10");
        DetectedTrade otherFollower = Trades.buy("t-36", "0.50", "5");
        List.of(leader, follower, other, otherFollower).forEach(shared::admit);
        shared.aggregate(leader, List.of(follower));
        shared.aggregate(other, List.of(otherFollower));

        shared.finish(leader, TradeOutcome.FAILED, Reason.EXCHANGE_RETRIES_EXHAUSTED, "4 sends");
        shared.finish(other, TradeOutcome.COPIED, null, null);

        assertThat(details).containsExactly("with aggregate " + leader.key() + ": 4 sends",
                "with aggregate " + other.key());
    }

    @Test
    void shouldCountAnOutcomeWhoseWriteWasCommittedThoughItsAnswerWasLostAndOnlySuchAnOutcome() {
        LosingAnswers db = new LosingAnswers();
        TradeLedger ledger = new TradeLedger(db.store, new PipelineMetrics(registry));
        ledger.outcomeListener((trade, outcome, reason) -> told.add(trade.key() + " " + outcome));
        DetectedTrade lost = Trades.buy("end-1", "0.50", "10");
        DetectedTrade refused = Trades.buy("end-2", "0.50", "10");
        DetectedTrade notHeld = Trades.buy("end-3", "0.50", "10");
        DetectedTrade otherReason = Trades.buy("end-4", "0.50", "10");
        List.of(lost, refused, notHeld, otherReason).forEach(ledger::admit);

        db.lostAnswers.add(lost.key());
        assertThat(ledger.finish(lost, TradeOutcome.SKIPPED, Reason.FILTER_STALE, "old")).isTrue();
        assertThat(targetCount("SKIPPED")).isEqualTo(1.0);

        // not committed: the error stands
        db.refused.add(refused.key());
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> ledger.finish(refused, TradeOutcome.SKIPPED, Reason.FILTER_STALE, "old"))
                .isInstanceOf(io.copytrader.store.StoreException.class);
        // committed, but by someone else's hand (this process does not hold the trade): the error stands
        ledger.release(notHeld);
        db.lostAnswers.add(notHeld.key());
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> ledger.finish(notHeld, TradeOutcome.SKIPPED, Reason.FILTER_STALE, "old"))
                .isInstanceOf(io.copytrader.store.StoreException.class);
        // the store holds another outcome's reason: not this write's
        db.real.finish(otherReason.key(), TradeOutcome.SKIPPED, Reason.FILTER_BELOW_MIN_SIZE, "earlier");
        db.refused.add(otherReason.key());
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> ledger.finish(otherReason, TradeOutcome.SKIPPED, Reason.FILTER_STALE, "old"))
                .isInstanceOf(io.copytrader.store.StoreException.class);
        assertThat(targetCount("SKIPPED")).isEqualTo(1.0);
        assertThat(told).containsExactly(lost.key() + " SKIPPED");
    }

    @Test
    void shouldAnswerAVenueAnswersWriteThatCommittedThoughItsAnswerWasLostAsWritten() {
        LosingAnswers db = new LosingAnswers();
        TradeLedger ledger = new TradeLedger(db.store, new PipelineMetrics(registry));
        DetectedTrade t = Trades.buy("copy-1", "0.50", "10");
        ledger.admit(t);
        db.real.recordIntent(t.key(), new CopyIntent(t.clientOrderId(), t, t.instrument(), t.side(), t.price(),
                t.quantity(), t.notional()));
        DetectedTrade refused = Trades.buy("copy-2", "0.50", "10");
        ledger.admit(refused);
        db.real.recordIntent(refused.key(), new CopyIntent(refused.clientOrderId(), refused, refused.instrument(),
                refused.side(), refused.price(), refused.quantity(), refused.notional()));

        db.lostAnswers.add(t.key());
        TradeLedger.Copied copied = ledger.recordCopied(t, t.clientOrderId(), OrderRecordState.FILLED,
                new VenueOrderId("v-1"), BigDecimal.TEN, new BigDecimal("0.50"));
        assertThat(copied.moved()).isTrue();
        assertThat(copied.written().finished()).isTrue();
        assertThat(ledger.copiedRecorded(t, copied)).isTrue();
        assertThat(copiedCount()).isEqualTo(1.0);

        // not committed: the order still SUBMITTING, no outcome: the error stands
        db.refused.add(refused.key());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ledger.recordCopied(refused, refused.clientOrderId(),
                OrderRecordState.FILLED, new VenueOrderId("v-2"), BigDecimal.TEN, new BigDecimal("0.50")))
                .isInstanceOf(io.copytrader.store.StoreException.class);
        // the order moved, the trade not COPIED (the outcome another's): not this write
        db.real.moveOrder(refused.clientOrderId(), OrderRecordState.FILLED, new VenueOrderId("v-2"), BigDecimal.TEN,
                new BigDecimal("0.50"));
        db.refused.add(refused.key());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ledger.recordCopied(refused, refused.clientOrderId(),
                OrderRecordState.FILLED, new VenueOrderId("v-2"), BigDecimal.TEN, new BigDecimal("0.50")))
                .isInstanceOf(io.copytrader.store.StoreException.class);
        // the trade COPIED, the order in another state than written: not this write
        db.real.finish(refused.key(), TradeOutcome.COPIED, null, "by lookup");
        db.refused.add(refused.key());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ledger.recordCopied(refused, refused.clientOrderId(),
                OrderRecordState.PARTIALLY_FILLED, new VenueOrderId("v-2"), BigDecimal.ONE, new BigDecimal("0.50")))
                .isInstanceOf(io.copytrader.store.StoreException.class);
        assertThat(copiedCount()).isEqualTo(1.0);
    }

    @Test
    void shouldNotTakeATradeAnotherSourceStoredWhenNoOneHoldsItAnyMore() {
        LosingAnswers db = new LosingAnswers();
        TradeLedger alone = new TradeLedger(db.store, new PipelineMetrics(registry)).resolvingLostAdmissions(true);
        DetectedTrade t = Trades.buy("both-2", "0.50", "10");
        db.refused.add(t.key());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> alone.admit(t, "data-api"));
        assertThat(alone.admit(t, "chain")).isTrue();
        alone.release(t); // the chain's handler let it go (its claim is not what keeps it the chain's)
        assertThat(alone.admit(t, "data-api")).isFalse();
        assertThat(alone.admitAll(List.of(t), "data-api")).containsExactly(false);
    }

    @Test
    void shouldNotTakeAPageTradeInDoubtThatSomeoneElseHolds() {
        LosingAnswers db = new LosingAnswers();
        TradeLedger alone = new TradeLedger(db.store, new PipelineMetrics(registry)).resolvingLostAdmissions(true);
        DetectedTrade t = Trades.buy("page-3", "0.50", "10");
        db.lostAnswers.add(t.key());
        assertThat(alone.admitAll(List.of(t), null)).containsExactly((Boolean) null);
        // recovery (or another handler) claimed it meanwhile: it is theirs
        assertThat(alone.claim(t)).isTrue();
        assertThat(alone.admitAll(List.of(t), null)).containsExactly(false);
        // let go without an outcome: nothing handles it any more, and the next read takes it, once
        alone.release(t);
        assertThat(alone.admitAll(List.of(t), null)).containsExactly(true);
        assertThat(alone.admitAll(List.of(t), null)).containsExactly(false);
    }

    @Test
    void shouldAdmitATradeReadAgainWhoseEarlierAdmissionWasStoredThoughItsAnswerWasLost() {
        LosingAnswers db = new LosingAnswers();
        TradeLedger alone = new TradeLedger(db.store, new PipelineMetrics(registry)).resolvingLostAdmissions(true);
        DetectedTrade t = Trades.buy("lost-1", "0.50", "10");
        db.lostAnswers.add(t.key());

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> alone.admit(t))
                .isInstanceOf(io.copytrader.store.StoreException.class);
        assertThat(db.real.trade(t.key())).as("committed, though its caller saw an error").isPresent();

        assertThat(alone.admit(t)).as("read again: stored by that admission, handled by no one").isTrue();
        assertThat(alone.admit(t)).as("read a third time: a duplicate, as ever").isFalse();
        assertThat(registry.get(PipelineMetrics.TRADES_DETECTED).counter().count()).isEqualTo(1.0);
    }

    @Test
    void shouldAdmitATradeOfAPageWhoseWriteAnsweredNothingThoughItWasStored() {
        LosingAnswers db = new LosingAnswers();
        TradeLedger alone = new TradeLedger(db.store, new PipelineMetrics(registry)).resolvingLostAdmissions(true);
        DetectedTrade first = Trades.buy("page-1", "0.50", "10");
        DetectedTrade lost = Trades.buy("page-2", "0.50", "10");
        db.lostAnswers.add(lost.key());

        assertThat(alone.admitAll(List.of(first, lost), null)).containsExactly(true, null);
        // the idempotent consumer then admits it alone: the store calls it a duplicate, and it is this admission's
        assertThat(alone.admit(lost)).isTrue();
        assertThat(alone.admitAll(List.of(first, lost), null)).containsExactly(false, false);
    }

    @Test
    void shouldLeaveALostAdmissionToRecoveryWhenNotAloneOnTheStoreOrWhenSomeoneHandlesTheTrade() {
        LosingAnswers db = new LosingAnswers();
        DetectedTrade t = Trades.buy("lost-2", "0.50", "10");
        // several instances: another one may have admitted it and be handling it
        TradeLedger shared = new TradeLedger(db.store, new PipelineMetrics(registry));
        db.lostAnswers.add(t.key());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> shared.admit(t));
        assertThat(shared.admit(t)).isFalse();

        // alone, but the trade has an order by now (someone placed it): not admitted again
        TradeLedger alone = new TradeLedger(db.store, new PipelineMetrics(registry)).resolvingLostAdmissions(true);
        DetectedTrade placed = Trades.buy("lost-3", "0.50", "10");
        db.lostAnswers.add(placed.key());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> alone.admit(placed));
        db.real.recordIntent(placed.key(), new CopyIntent(placed.clientOrderId(), placed, placed.instrument(),
                placed.side(), placed.price(), placed.quantity(), placed.notional()));
        assertThat(alone.admit(placed)).isFalse();

        // alone, but it ended meanwhile (an outcome): not admitted again
        DetectedTrade ended = Trades.buy("lost-4", "0.50", "10");
        db.lostAnswers.add(ended.key());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> alone.admit(ended));
        db.real.finish(ended.key(), TradeOutcome.EXPIRED, Reason.RESTART_EXPIRED, "ended");
        assertThat(alone.admit(ended)).isFalse();
    }

    @Test
    void shouldNotTakeATradeAnotherSourceAdmittedAfterThisSourcesAdmissionFailed() {
        LosingAnswers db = new LosingAnswers();
        TradeLedger alone = new TradeLedger(db.store, new PipelineMetrics(registry)).resolvingLostAdmissions(true);
        DetectedTrade t = Trades.buy("both-1", "0.50", "10");
        // the Data API's admission fails and stores nothing; the chain's admits the same fill; the Data API reads it
        // again: the chain's to copy
        db.refused.add(t.key());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> alone.admit(t, "data-api"));
        assertThat(alone.admit(t, "chain")).isTrue();
        assertThat(alone.admit(t, "data-api")).isFalse();
    }
}
