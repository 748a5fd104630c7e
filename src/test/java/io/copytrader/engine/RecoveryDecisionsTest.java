package io.copytrader.engine;

import io.copytrader.domain.CopyIntent;
import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.Reason;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.domain.VenueOrderId;
import io.copytrader.store.DeadLetter;
import io.copytrader.store.InMemoryTradeStore;
import io.copytrader.store.OrderRecordState;
import io.copytrader.store.TradeStore;
import io.copytrader.venue.FeedClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The decisions of {@link Recovery}, without routes: given what a previous run left in the store (orders, outcomes,
 * replayed letters), which trades are copied, looked up, re-queued, expired or failed; and that a replayed trade
 * leaves the failed count, so {@code detected = copied + skipped + dropped + failed + in flight} holds in the
 * metrics after a replay, as in the store.
 */
class RecoveryDecisionsTest {
    final Clock clock = Clock.fixed(Trades.T0.plusSeconds(10), ZoneOffset.UTC);
    final InMemoryTradeStore store = new InMemoryTradeStore(clock);
    PipelineMetrics metrics = new PipelineMetrics(new SimpleMeterRegistry());
    TradeLedger ledger = new TradeLedger(store, metrics);
    final List<DetectedTrade> requeued = new ArrayList<>();
    final List<String> headers = new ArrayList<>();
    final ProducerTemplate producer = (ProducerTemplate) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[]{ProducerTemplate.class}, (proxy, method, args) -> {
                if (method.getName().startsWith("sendBody")) {
                    requeued.add((DetectedTrade) args[1]);
                    headers.add(method.getName().equals("sendBodyAndHeader") ? args[2] + "=" + args[3] : "");
                    return null;
                }
                throw new UnsupportedOperationException(method.getName());
            });

    Recovery recovery(boolean idKnownBeforeSending) {
        return new Recovery(store, ledger, new DeadLetterRecorder(ledger), producer, "seda:requeue",
                Duration.ofSeconds(60), clock, null, idKnownBeforeSending);
    }

    static CopyIntent intentFor(DetectedTrade t) {
        return new CopyIntent(t.clientOrderId(), t, t.instrument(), t.side(), new BigDecimal("0.51"), BigDecimal.TEN,
                new BigDecimal("5.10"));
    }

    long failedNow() {
        return metrics.failedNow();
    }

    /** detected = copied + skipped + dropped + failed now + abandoned + expired + in flight, in the metrics. */
    void assertIdentityInTheMetrics() {
        var r = metrics.registry();
        double ended = 0;
        for (String name : List.of(PipelineMetrics.TRADES_PROCESSED, PipelineMetrics.TRADES_SKIPPED,
                PipelineMetrics.TRADES_DROPPED, PipelineMetrics.TRADES_ABANDONED, PipelineMetrics.TRADES_EXPIRED)) {
            ended += r.find(name).counters().stream().mapToDouble(c -> c.count()).sum();
        }
        double detected = r.find(PipelineMetrics.TRADES_DETECTED).counter().count();
        assertThat((long) detected).isEqualTo((long) ended + failedNow() + store.inFlightCount());
        assertThat(failedNow()).isEqualTo(store.outcomeCounts().get(TradeOutcome.FAILED));
    }

    /** A trade that failed to the dead letters while this engine ran; a person replays it (the CLI's two writes). */
    DetectedTrade failedAndReplayed(String sourceTradeId) {
        return failedAndReplayed(Trades.buy(sourceTradeId, "0.50", "10"));
    }

    DetectedTrade failedAndReplayed(DetectedTrade t) {
        ledger.admit(t);
        store.recordIntent(t.key(), intentFor(t));
        store.moveOrder(t.clientOrderId(), OrderRecordState.FAILED, null, null, null);
        new DeadLetterRecorder(ledger).record(t, Reason.EXCHANGE_RETRIES_EXHAUSTED, "4 sends");
        assertThat(failedNow()).isEqualTo(1);
        DeadLetter letter = store.deadLetters().get(0);
        assertThat(store.markReplayed(letter.id())).isTrue();
        assertThat(store.reopen(t.key())).isTrue();
        return t;
    }

    /** Admitted and left unfinished by a run before this one: in the store, claimed by nobody here. */
    void admittedByAPreviousRun(DetectedTrade t) {
        assertThat(ledger.admit(t)).isTrue();
        ledger.release(t);
    }

    @Test
    void shouldNoLongerCountAReplayedTradeFailedOnceItIsCopied() {
        Recovery recovery = recovery(true);
        recovery.beforePolling();
        DetectedTrade t = failedAndReplayed("t-1");
        // the running engine adopts the replay: back on the queue, no longer failed
        recovery.adoptReplays();
        assertThat(requeued).containsExactly(t);
        assertThat(failedNow()).isZero();
        assertIdentityInTheMetrics();
        // it ends COPIED this time
        ledger.finish(t, TradeOutcome.COPIED, null, null);
        assertIdentityInTheMetrics();
        // adopted once: a second pass finds nothing to adopt
        recovery.adoptReplays();
        assertThat(requeued).hasSize(1);
        assertThat(failedNow()).isZero();
    }

    @Test
    void shouldLookForReplaysAgainAtTheNextPassWhenTheStoreCannotBeRead() {
        LosingAnswers db = new LosingAnswers(store);
        Recovery recovery = new Recovery(db.store, ledger, new DeadLetterRecorder(ledger), producer, "seda:requeue",
                Duration.ofSeconds(60), clock, null, true);
        recovery.beforePolling();
        DetectedTrade t = failedAndReplayed("t-1");
        db.unreadable.add(LosingAnswers.read("replayedInFlight", "*")); // a database gone for this pass

        recovery.adoptReplays(); // before: threw into the monitor's route, an ERROR with its stack each pass
        assertThat(requeued).isEmpty();

        recovery.adoptReplays();
        assertThat(requeued).containsExactly(t);
    }

    @Test
    void shouldCountAReplayThatFailsAgainOnceAsFailed() {
        Recovery recovery = recovery(true);
        recovery.beforePolling();
        DetectedTrade t = failedAndReplayed("t-1");
        recovery.adoptReplays();
        new DeadLetterRecorder(ledger).record(t, Reason.EXCHANGE_UNKNOWN_OUTCOME, "absent");
        assertThat(failedNow()).isEqualTo(1);
        assertIdentityInTheMetrics();
    }

    @Test
    void shouldNotSubtractATradeReplayedBeforeTheStartWhichTheSeedNeverCountedFailed() {
        DetectedTrade t = failedAndReplayed("t-1");
        // a new engine starts on this store: its counters are seeded from it (the trade is in flight, not failed)
        metrics = new PipelineMetrics(new SimpleMeterRegistry());
        metrics.seed(store.detectedCount(), store.outcomeCountsByReason());
        ledger = new TradeLedger(store, metrics);
        recovery(true).beforePolling();
        assertThat(requeued).containsExactly(t);
        assertThat(failedNow()).isZero();
        ledger.finish(t, TradeOutcome.COPIED, null, null);
        assertIdentityInTheMetrics();
    }

    @Test
    void shouldLookUpAnOrderLeftSubmittingWithItsHashAndCopyOneTheVenueAccepted() {
        DetectedTrade sent = Trades.buy("t-sent", "0.50", "10");
        DetectedTrade accepted = Trades.buy("t-accepted", "0.50", "10");
        for (DetectedTrade t : List.of(sent, accepted)) {
            admittedByAPreviousRun(t);
            store.recordIntent(t.key(), intentFor(t));
        }
        store.recordSigned(sent.clientOrderId(), new VenueOrderId("0xh"), "{}");
        store.moveOrder(accepted.clientOrderId(), OrderRecordState.OPEN, new VenueOrderId("v"), null, null);
        recovery(true).beforePolling();
        assertThat(store.order(sent.clientOrderId()).orElseThrow().state()).isEqualTo(OrderRecordState.UNKNOWN);
        assertThat(store.outcome(sent.key())).as("left to the monitor's lookup").isEmpty();
        assertThat(store.outcome(accepted.key())).contains(TradeOutcome.COPIED);
        assertThat(requeued).isEmpty();
        assertIdentityInTheMetrics();
    }

    @Test
    void shouldRequeueAFreshTradeWhoseOrderWasNeverSignedWhenTheIdIsKnownBeforeSending() {
        DetectedTrade t = Trades.buy("t-1", "0.50", "10");
        admittedByAPreviousRun(t);
        store.recordIntent(t.key(), intentFor(t));
        recovery(true).beforePolling();
        assertThat(requeued).containsExactly(t);
        assertThat(store.order(t.clientOrderId()).orElseThrow().state()).isEqualTo(OrderRecordState.FAILED);
    }

    @Test
    void shouldLookUpAnOrderWithoutAnIdWhenTheVenueLearnsItsIdOnlyFromTheAnswer() {
        DetectedTrade t = Trades.buy("t-1", "0.50", "10");
        admittedByAPreviousRun(t);
        store.recordIntent(t.key(), intentFor(t));
        recovery(false).beforePolling();
        assertThat(requeued).isEmpty();
        assertThat(store.order(t.clientOrderId()).orElseThrow().state()).isEqualTo(OrderRecordState.UNKNOWN);
    }

    /** A SELL of the target's order {@code order}, admitted {@code seconds} after T0. */
    static DetectedTrade sellOf(String id, String order, String quantity, int seconds) {
        BigDecimal qty = new BigDecimal(quantity);
        BigDecimal px = new BigDecimal("0.28");
        return new DetectedTrade(new io.copytrader.domain.SourceTradeId(id), Trades.ALICE, Trades.YES_TOKEN, "Yes",
                io.copytrader.domain.Side.SELL, px, qty, io.copytrader.domain.Decimals.notional(px, qty),
                Trades.T0.plusSeconds(seconds), Trades.T0.plusSeconds(seconds), order);
    }

    @Test
    void shouldSettleFillsLinkedToAnEndedAggregateWithItsOutcomeAndTheFillsChainedToThem() {
        // the aggregate's first fill ended before the kill; two fills of its group were still in flight, one linked to
        // it, one linked to that one (a chain an earlier version could leave)
        DetectedTrade leader = sellOf("t-1", "o-1", "10", 0);
        DetectedTrade follower = sellOf("t-2", "o-1", "20", 0);
        DetectedTrade chained = sellOf("t-3", "o-1", "30", 1);
        DetectedTrade alone = sellOf("t-4", "o-2", "40", 2);
        for (DetectedTrade t : List.of(leader, follower, chained, alone)) {
            admittedByAPreviousRun(t);
        }
        store.linkAggregate(follower.key(), List.of(chained.key()));
        store.linkAggregate(leader.key(), List.of(follower.key()));
        assertThat(ledger.claim(leader)).isTrue();
        assertThat(ledger.finish(leader, TradeOutcome.COPIED, null, "order FILLED")).isTrue();

        recovery(false).beforePolling();

        for (DetectedTrade t : List.of(follower, chained)) {
            assertThat(store.outcome(t.key())).as(t.key()).contains(TradeOutcome.COPIED);
            assertThat(store.trade(t.key())).isPresent();
        }
        assertThat(requeued).as("only the trade of another group is copied again").containsExactly(alone);
        assertIdentityInTheMetrics();
    }

    @Test
    void shouldRequeueInAdmissionOrderAndClaimTheFillsAnOpenGroupTakes() {
        // an older fill whose group was open at the kill (no order yet), with a younger fill of its group; then a
        // trade of no group, younger than both
        DetectedTrade older = sellOf("t-1", "o-1", "10", 0);
        DetectedTrade sameGroup = sellOf("t-2", "o-1", "20", 1);
        DetectedTrade ungrouped = Trades.trade("t-3", Trades.YES_TOKEN, io.copytrader.domain.Side.SELL, "0.28", "5",
                Trades.T0.plusSeconds(2));
        for (DetectedTrade t : List.of(older, sameGroup, ungrouped)) {
            admittedByAPreviousRun(t);
        }

        recovery(false).beforePolling();

        assertThat(requeued).extracting(DetectedTrade::key).as("as admitted, the group as its first fill")
                .containsExactly(older.key(), ungrouped.key());
        assertThat(requeued.get(0).quantity()).isEqualByComparingTo("30");
        assertThat(store.aggregateLinks()).containsOnly(java.util.Map.entry(sameGroup.key(), older.key()));
        assertThat(ledger.claim(sameGroup)).as("taken by its group, not free for another copy").isFalse();
    }

    @Test
    void shouldKeepTheFillsLinkedToATradeWithAnOrderAsItsFollowers() {
        // killed while the aggregate's order was being placed: its followers linked to it, as the route links them
        DetectedTrade leader = sellOf("t-1", "o-1", "10", 0);
        DetectedTrade follower = sellOf("t-2", "o-1", "20", 0);
        admittedByAPreviousRun(leader);
        admittedByAPreviousRun(follower);
        store.linkAggregate(leader.key(), List.of(follower.key()));
        store.recordIntent(leader.key(), intentFor(leader));

        recovery(false).beforePolling();

        assertThat(requeued).as("its order is looked up, never placed again").isEmpty();
        assertThat(store.order(leader.clientOrderId()).orElseThrow().state()).isEqualTo(OrderRecordState.UNKNOWN);
        assertThat(ledger.followers(leader)).extracting(DetectedTrade::key).containsExactly(follower.key());
        assertThat(ledger.isFollower(follower.key())).isTrue();
    }

    @Test
    void shouldCopyTradesWhoseLinksMadeACycleAsOneOrderLedByTheOldestAndLeaveNoCycle() {
        // what a restart that regrouped a previous run's group left (a soak of kills saw it): the oldest trade linked to
        // a younger one, which is linked back to it, and a third linked to the oldest. No order was written.
        DetectedTrade oldest = sellOf("t-41", "o-41", "4263.94", 0);
        DetectedTrade other = sellOf("t-51", "o-51", "8178.30", 0);
        DetectedTrade younger = sellOf("t-57", "o-57", "49.77", 1);
        admittedByAPreviousRun(oldest);
        admittedByAPreviousRun(other);
        admittedByAPreviousRun(younger);
        store.linkAggregate(younger.key(), List.of(oldest.key()));
        store.linkAggregate(oldest.key(), List.of(other.key()));
        // the cycle as a store written before the fix holds it: the oldest's own link to the younger kept
        store.linkAggregate(oldest.key(), List.of(younger.key()));
        assertThat(store.aggregateLinks()).as("linking clears the new leader's own link: no cycle any more")
                .containsOnly(java.util.Map.entry(other.key(), oldest.key()), java.util.Map.entry(younger.key(), oldest.key()));

        recovery(false).beforePolling();

        // one order for the three, led by the oldest; nothing left waiting for another
        assertThat(requeued).singleElement().satisfies(t -> {
            assertThat(t.key()).isEqualTo(oldest.key());
            assertThat(t.quantity()).isEqualByComparingTo("12492.01");
        });
        assertThat(ledger.followers(oldest)).extracting(DetectedTrade::key)
                .containsExactlyInAnyOrder(other.key(), younger.key());
    }

    @Test
    void shouldResolveACycleAnEarlierVersionLeftByTheOrderOfItsMemberThatHasOneAndRelinkTheOthersToIt(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("copytrader.db");
        try (io.copytrader.store.TradeStore sqlite = io.copytrader.store.StoreFactory.open(url, clock)) {
            TradeLedger sqliteLedger = new TradeLedger(sqlite, metrics);
            DetectedTrade oldest = sellOf("t-41", "o-41", "4263.94", 0);
            DetectedTrade other = sellOf("t-51", "o-51", "8178.30", 0);
            DetectedTrade younger = sellOf("t-57", "o-57", "49.77", 1);
            for (DetectedTrade t : List.of(oldest, other, younger)) {
                assertThat(sqlite.admit(t)).isTrue();
            }
            sqlite.recordIntent(younger.key(), intentFor(younger)); // the younger's order may be at the venue
            // the links as an earlier version wrote them: a cycle between the oldest and the younger
            try (java.sql.Connection c = java.sql.DriverManager.getConnection(url);
                 java.sql.Statement st = c.createStatement()) {
                st.executeUpdate("UPDATE trades SET aggregate_of = 'alice:t-57' WHERE trade_key = 'alice:t-41'");
                st.executeUpdate("UPDATE trades SET aggregate_of = 'alice:t-41' WHERE trade_key IN ('alice:t-57', 'alice:t-51')");
            }

            new Recovery(sqlite, sqliteLedger, new DeadLetterRecorder(sqliteLedger), producer, "seda:requeue",
                    Duration.ofSeconds(60), clock, null, false).beforePolling();

            // the younger's order copies the three: looked up, never placed again; the others follow it
            assertThat(requeued).isEmpty();
            assertThat(sqlite.order(younger.clientOrderId()).orElseThrow().state()).isEqualTo(OrderRecordState.UNKNOWN);
            assertThat(sqlite.aggregateLinks()).containsOnly(java.util.Map.entry(oldest.key(), younger.key()),
                    java.util.Map.entry(other.key(), younger.key()));
            assertThat(sqliteLedger.followers(younger)).extracting(DetectedTrade::key)
                    .containsExactlyInAnyOrder(oldest.key(), other.key());
            assertThat(sqliteLedger.claim(oldest)).as("taken by the younger's group").isFalse();
            assertThat(sqliteLedger.claim(other)).isFalse();
        }
    }

    @Test
    void shouldResolveACycleOfLinksToTheMemberWithAnOrderElseTheOldest() {
        java.util.Map<String, String> links = java.util.Map.of("a", "b", "b", "a", "c", "a", "d", "c");
        java.util.Map<String, Integer> position = java.util.Map.of("a", 0, "b", 1, "c", 2, "d", 3, "e", 4);
        assertThat(Recovery.root("b", links, position, k -> false)).isEqualTo("a");
        assertThat(Recovery.root("a", links, position, k -> false)).isEqualTo("a");
        assertThat(Recovery.root("d", links, position, k -> false)).as("a chain into the cycle").isEqualTo("a");
        assertThat(Recovery.root("c", links, position, "b"::equals)).as("b's order may be at the venue").isEqualTo("b");
        assertThat(Recovery.root("e", links, position, k -> false)).isEqualTo("e");
        // a link out of the trades in flight (an ended aggregate): the trade is its group's root here
        assertThat(Recovery.root("x", java.util.Map.of("x", "gone"), java.util.Map.of("x", 0), k -> false)).isEqualTo("x");
    }

    @Test
    void shouldExpireAStaleTradeWithoutAnOrderAndFailAnOrderEndedBeforeTheRestart() {
        DetectedTrade stale = Trades.trade("t-stale", Trades.YES_TOKEN, io.copytrader.domain.Side.BUY, "0.50", "10",
                Trades.T0.minusSeconds(120));
        DetectedTrade rejected = Trades.buy("t-rejected", "0.50", "10");
        admittedByAPreviousRun(stale);
        admittedByAPreviousRun(rejected);
        store.recordIntent(rejected.key(), intentFor(rejected));
        store.moveOrder(rejected.clientOrderId(), OrderRecordState.REJECTED, null, null, null);
        recovery(false).beforePolling();
        assertThat(store.outcome(stale.key())).contains(TradeOutcome.EXPIRED);
        assertThat(store.outcome(rejected.key())).contains(TradeOutcome.FAILED);
        assertThat(store.deadLetters()).singleElement().satisfies(d -> {
            assertThat(d.reason()).isEqualTo(Reason.UNEXPECTED_ERROR);
            assertThat(d.detail()).contains("REJECTED");
        });
        assertThat(requeued).isEmpty();
        assertIdentityInTheMetrics();
    }

    @Test
    void shouldRequeueATradeWithinTheMaxAgeBehindOrTheFiltersToleranceAheadAndExpireOneDatedFurtherAhead() {
        // the clock stands at T0 + 10 s, max age 60 s; the filter lets a trade through up to 10 s ahead
        Instant now = Trades.T0.plusSeconds(10);
        DetectedTrade oldest = Trades.trade("t-oldest", Trades.YES_TOKEN, io.copytrader.domain.Side.BUY, "0.50", "10",
                now.minusSeconds(60));
        DetectedTrade newest = Trades.trade("t-newest", Trades.YES_TOKEN, io.copytrader.domain.Side.BUY, "0.50", "10",
                now.plus(FeedClock.TRADE_TOLERANCE));
        DetectedTrade ahead = Trades.trade("t-ahead", Trades.YES_TOKEN, io.copytrader.domain.Side.BUY, "0.50", "10",
                now.plus(FeedClock.TRADE_TOLERANCE).plusSeconds(1));
        DetectedTrade lastInstant = Trades.trade("t-max", Trades.YES_TOKEN, io.copytrader.domain.Side.BUY, "0.50",
                "10", Instant.MAX);
        // read 40 s ahead of the clock of the run that admitted it, 35 s ago: still dated ahead of its reading
        DetectedTrade readAhead = new DetectedTrade(new io.copytrader.domain.SourceTradeId("t-read-ahead"),
                Trades.ALICE, Trades.YES_TOKEN, "Yes", io.copytrader.domain.Side.BUY, new java.math.BigDecimal("0.50"),
                java.math.BigDecimal.TEN, new java.math.BigDecimal("5.00"), now.plusSeconds(5), now.minusSeconds(35));
        for (DetectedTrade t : List.of(oldest, newest, ahead, lastInstant, readAhead)) {
            admittedByAPreviousRun(t);
        }
        recovery(false).beforePolling();
        // a trade dated ahead got past no filter (the filter skips it), so it is not re-queued past one either
        assertThat(requeued).containsExactlyInAnyOrder(oldest, newest);
        assertThat(store.ended(ahead.key())).contains(new TradeStore.Ended(TradeOutcome.EXPIRED, Reason.RESTART_EXPIRED));
        assertThat(store.ended(readAhead.key()))
                .contains(new TradeStore.Ended(TradeOutcome.EXPIRED, Reason.RESTART_EXPIRED));
        assertThat(store.ended(lastInstant.key()))
                .contains(new TradeStore.Ended(TradeOutcome.EXPIRED, Reason.RESTART_EXPIRED));
        assertIdentityInTheMetrics();
    }

    @Test
    void shouldRecoverOnlyOnceAndAdoptNothingBeforeRecovering() {
        DetectedTrade t = Trades.buy("t-1", "0.50", "10");
        admittedByAPreviousRun(t);
        Recovery recovery = recovery(false);
        recovery.adoptReplays();
        assertThat(requeued).isEmpty();
        recovery.beforePolling();
        recovery.beforePolling();
        assertThat(requeued).containsExactly(t);
    }

    double counted(String name) {
        return metrics.registry().find(name).counters().stream().mapToDouble(c -> c.count()).sum();
    }

    @Test
    void shouldCountAReplayAsReplayedAndAFreshRequeueNot() {
        DetectedTrade fresh = Trades.buy("t-fresh", "0.50", "10");
        admittedByAPreviousRun(fresh);
        Recovery recovery = recovery(true);
        recovery.beforePolling();
        assertThat(requeued).containsExactly(fresh);
        assertThat(counted(PipelineMetrics.TRADES_REPLAYED)).isZero();
        ledger.finish(fresh, TradeOutcome.COPIED, null, null);
        failedAndReplayed("t-replayed");
        recovery.adoptReplays();
        assertThat(counted(PipelineMetrics.TRADES_REPLAYED)).isEqualTo(1);
        assertThat(counted(PipelineMetrics.TRADES_FAILED_REPLAYED)).isEqualTo(1);
        assertThat(headers).as("one instance: marked as put back (never joined), not as a replay for the age limit")
                .containsOnly(CopyQueue.REQUEUED_HEADER + "=true");
    }

    @Test
    void shouldExpireAStaleTradeWhoseLetterWasWrittenButNeverReplayed() {
        // a crash between the letter and the outcome: the trade is in flight with a letter nobody replayed
        DetectedTrade stale = Trades.trade("t-stale", Trades.YES_TOKEN, io.copytrader.domain.Side.BUY, "0.50", "10",
                Trades.T0.minusSeconds(120));
        admittedByAPreviousRun(stale);
        store.addDeadLetter(stale, Reason.EXCHANGE_RETRIES_EXHAUSTED, "x");
        recovery(false).beforePolling();
        assertThat(store.outcome(stale.key())).contains(TradeOutcome.EXPIRED);
        assertThat(requeued).isEmpty();
    }

    @Test
    void shouldFailAnUnsignedOrderAndDeadLetterAnOrderThatFailedBeforeTheRestartUnlessReplayed() {
        DetectedTrade unknown = Trades.buy("t-unknown", "0.50", "10");
        DetectedTrade failed = Trades.buy("t-failed", "0.50", "10");
        for (DetectedTrade t : List.of(unknown, failed)) {
            admittedByAPreviousRun(t);
            store.recordIntent(t.key(), intentFor(t));
        }
        store.moveOrder(unknown.clientOrderId(), OrderRecordState.UNKNOWN, null, null, null);
        store.moveOrder(failed.clientOrderId(), OrderRecordState.FAILED, null, null, null);
        recovery(true).beforePolling();
        assertThat(store.order(unknown.clientOrderId()).orElseThrow().state()).isEqualTo(OrderRecordState.FAILED);
        assertThat(requeued).containsExactly(unknown);
        assertThat(store.outcome(failed.key())).contains(TradeOutcome.FAILED);
        assertThat(store.deadLetters()).singleElement().satisfies(d -> assertThat(d.trade()).isEqualTo(failed));
    }

    @Test
    void shouldRecoverNothingAtStartWhenSharedAndAdoptReplaysAndOrphansByClaim() {
        Recovery shared = new Recovery(store, ledger, new DeadLetterRecorder(ledger), producer, "kafka:copy",
                Duration.ofSeconds(60), clock, "engine-a", true);
        DetectedTrade waiting = Trades.buy("t-waiting", "0.50", "10");
        DetectedTrade orphan = Trades.trade("t-orphan", Trades.YES_TOKEN, io.copytrader.domain.Side.BUY, "0.50", "10",
                Trades.T0.minusSeconds(71));
        DetectedTrade orphanWithOrder = Trades.trade("t-orphan-order", Trades.YES_TOKEN, io.copytrader.domain.Side.BUY,
                "0.50", "10", Trades.T0.minusSeconds(71));
        admittedByAPreviousRun(waiting);
        admittedByAPreviousRun(orphan);
        admittedByAPreviousRun(orphanWithOrder);
        store.recordIntent(orphanWithOrder.key(), intentFor(orphanWithOrder));
        shared.beforePolling();
        assertThat(requeued).isEmpty();
        assertThat(store.inFlightCount()).isEqualTo(3);
        DetectedTrade replayed = failedAndReplayed("t-replayed");
        shared.adoptReplays();
        assertThat(requeued).containsExactly(replayed);
        assertThat(headers).containsExactly(CopyQueue.REPLAY_HEADER + "=true");
        assertThat(failedNow()).isZero();
        assertThat(store.outcome(orphan.key())).contains(TradeOutcome.EXPIRED);
        assertThat(store.outcome(waiting.key())).as("younger than the age limit and margin: still in Kafka").isEmpty();
        assertThat(store.outcome(orphanWithOrder.key())).as("its order is looked after").isEmpty();
    }

    @Test
    void shouldLeaveAnOldFillLinkedToAnAggregateWhoseOrderIsOutToThatOrderWhenShared() {
        // several engines: a fill past the age limit and margin, linked to the aggregate of a target order whose
        // order was written (sent, unanswered): that order decides the fill too; expiring the fill on its own
        // (it has no order of its own) would record EXPIRED for a fill the venue may copy
        ledger.aggregatesInStore(true);
        Recovery shared = sharedRecovery();
        DetectedTrade leader = oldBuy("t-lead", 72);
        DetectedTrade follower = oldBuy("t-follow", 71);
        DetectedTrade orphan = oldBuy("t-orphan", 71);
        admittedByAPreviousRun(leader);
        admittedByAPreviousRun(follower);
        admittedByAPreviousRun(orphan);
        store.linkAggregate(leader.key(), List.of(follower.key()));
        store.recordIntent(leader.key(), intentFor(leader));
        shared.beforePolling();
        shared.adoptReplays();
        assertThat(store.outcome(orphan.key())).as("no order for it or a leader: expired").contains(TradeOutcome.EXPIRED);
        assertThat(store.outcome(leader.key())).as("its order is looked after").isEmpty();
        assertThat(store.outcome(follower.key())).as("its leader's order is looked after").isEmpty();
        store.moveOrder(leader.clientOrderId(), OrderRecordState.FILLED, null, null, null);
        ledger.finish(leader, TradeOutcome.COPIED, null, "filled");
        assertThat(store.outcome(follower.key())).contains(TradeOutcome.COPIED);
    }

    @Test
    void shouldGiveAnOldFillTheOutcomeOfItsEndedAggregateWhenShared() {
        // several engines: the aggregate's leader ended (COPIED) but an instance stopped before its fill's outcome
        // was written; the fill was copied by that order, so the sweep records COPIED, not EXPIRED
        Recovery shared = sharedRecovery();
        DetectedTrade leader = oldBuy("t-lead", 72);
        DetectedTrade follower = oldBuy("t-follow", 71);
        admittedByAPreviousRun(leader);
        admittedByAPreviousRun(follower);
        store.linkAggregate(leader.key(), List.of(follower.key()));
        store.recordIntent(leader.key(), intentFor(leader));
        store.moveOrder(leader.clientOrderId(), OrderRecordState.FILLED, null, null, null);
        store.finish(leader.key(), TradeOutcome.COPIED, null, "filled");
        shared.beforePolling();
        shared.adoptReplays();
        assertThat(store.outcome(follower.key())).contains(TradeOutcome.COPIED);
    }

    /** The recovery of instance engine-a of several on a Kafka queue, with an age limit of 60 s. */
    private Recovery sharedRecovery() {
        return new Recovery(store, ledger, new DeadLetterRecorder(ledger), producer, "kafka:copy",
                Duration.ofSeconds(60), clock, "engine-a", true);
    }

    /** A buy of 10 at 0.50 whose fill happened {@code secondsAgo} before T0. */
    private static DetectedTrade oldBuy(String id, long secondsAgo) {
        return Trades.trade(id, Trades.YES_TOKEN, io.copytrader.domain.Side.BUY, "0.50", "10",
                Trades.T0.minusSeconds(secondsAgo));
    }

    @Test
    void shouldRequeueOnceAReplayedTradeOlderThanTheOrphanLimitWhenShared() {
        Recovery shared = sharedRecovery();
        shared.beforePolling();
        // replayed from the dead letters long after its fill: in flight again, and past the age limit and margin
        DetectedTrade replayed = failedAndReplayed(oldBuy("t-replayed", 120));

        shared.adoptReplays();

        assertThat(requeued).as("a replay, not also an orphan").containsExactly(replayed);
        assertThat(counted(PipelineMetrics.TRADES_REPLAYED)).isEqualTo(1);
        assertThat(store.outcome(replayed.key())).isEmpty();
    }

    @Test
    void shouldAggregateAgainTheFillsOfOneTargetOrderLeftWithNoOrderAndNoLinks() {
        // killed while the fills' aggregation window was open: no link, no order written
        DetectedTrade first = sellOf("t-1", "o-1", "10", 0);
        DetectedTrade second = sellOf("t-2", "o-1", "20", 1);
        admittedByAPreviousRun(first);
        admittedByAPreviousRun(second);

        recovery(false).beforePolling();

        assertThat(requeued).as("one order for the two").singleElement().satisfies(t -> {
            assertThat(t.key()).isEqualTo(first.key());
            assertThat(t.quantity()).isEqualByComparingTo("30");
        });
        assertThat(store.aggregateLinks()).containsOnly(java.util.Map.entry(second.key(), first.key()));
        assertThat(ledger.claim(second)).as("taken by its group").isFalse();
    }

    @Test
    void shouldKeepATradeJoinedToOneWithAnOrderAsItsFollowerThoughNeitherCameFromATargetOrder() {
        // two trades of one target and side that name no target order, the second joined to the first's copy
        // (docs/ordering.md, "Joining"): killed while that copy's order was being placed
        DetectedTrade leader = Trades.buy("t-1", "0.50", "10");
        DetectedTrade joined = Trades.buy("t-2", "0.50", "5");
        assertThat(leader.sourceOrder()).isNull();
        admittedByAPreviousRun(leader);
        admittedByAPreviousRun(joined);
        store.linkAggregate(leader.key(), List.of(joined.key()));
        store.recordIntent(leader.key(), intentFor(leader));

        recovery(false).beforePolling();

        assertThat(requeued).as("copied by the leader's order, which is looked up: never a second order").isEmpty();
        assertThat(store.order(leader.clientOrderId()).orElseThrow().state()).isEqualTo(OrderRecordState.UNKNOWN);
        assertThat(ledger.followers(leader)).extracting(DetectedTrade::key).containsExactly(joined.key());
        assertThat(ledger.claim(joined)).isFalse();
    }

    @Test
    void shouldLeadAnOpenGroupByItsOldestFillWhenItsLinkLedToAYoungerOne() {
        // a link an earlier version left: the older fill linked to the younger; no order was written
        DetectedTrade older = sellOf("t-1", "o-1", "10", 0);
        DetectedTrade younger = sellOf("t-2", "o-1", "20", 1);
        admittedByAPreviousRun(older);
        admittedByAPreviousRun(younger);
        store.linkAggregate(younger.key(), List.of(older.key()));

        recovery(false).beforePolling();

        assertThat(requeued).singleElement().satisfies(t -> {
            assertThat(t.key()).as("led by the oldest").isEqualTo(older.key());
            assertThat(t.quantity()).isEqualByComparingTo("30");
        });
        assertThat(store.aggregateLinks()).containsOnly(java.util.Map.entry(younger.key(), older.key()));
    }

    @Test
    void shouldFlattenAChainOfFillsLinkedToATradeWithAnOrderSoEachTakesItsOutcome() {
        // a chain an earlier version could leave: the third fill linked to the second, which is linked to the trade
        // whose order was being placed at the kill
        DetectedTrade leader = sellOf("t-1", "o-1", "10", 0);
        DetectedTrade follower = sellOf("t-2", "o-1", "20", 0);
        DetectedTrade chained = sellOf("t-3", "o-1", "30", 1);
        for (DetectedTrade t : List.of(leader, follower, chained)) {
            admittedByAPreviousRun(t);
        }
        store.linkAggregate(follower.key(), List.of(chained.key()));
        store.linkAggregate(leader.key(), List.of(follower.key()));
        store.recordIntent(leader.key(), intentFor(leader));

        recovery(false).beforePolling();

        assertThat(requeued).as("its order is looked up, never placed again").isEmpty();
        assertThat(store.aggregateLinks()).containsOnly(java.util.Map.entry(follower.key(), leader.key()),
                java.util.Map.entry(chained.key(), leader.key()));
        assertThat(ledger.followers(leader)).extracting(DetectedTrade::key)
                .containsExactlyInAnyOrder(follower.key(), chained.key());
        ledger.finish(leader, TradeOutcome.COPIED, null, "order FILLED");
        assertThat(store.outcome(chained.key())).as("the chained fill with it").contains(TradeOutcome.COPIED);
        assertIdentityInTheMetrics();
    }

    @Test
    void shouldAdoptAReplayOnceWhileItIsStillInFlight() {
        Recovery recovery = recovery(true);
        recovery.beforePolling();
        DetectedTrade t = failedAndReplayed("t-1");
        recovery.adoptReplays();
        assertThat(requeued).containsExactly(t);
        assertThat(failedNow()).isZero();

        recovery.adoptReplays(); // the next pass, the trade still on the queue: held by this process

        assertThat(requeued).as("queued once").hasSize(1);
        assertThat(failedNow()).as("out of the failed once").isZero();
        assertThat(counted(PipelineMetrics.TRADES_FAILED_REPLAYED)).isEqualTo(1);
        assertIdentityInTheMetrics();
    }

    @Test
    void shouldUndoACycleOfTwoTradesEachLinkedToTheOtherUnderTheOneWithAnOrder(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("copytrader.db");
        try (io.copytrader.store.TradeStore sqlite = io.copytrader.store.StoreFactory.open(url, clock)) {
            TradeLedger sqliteLedger = new TradeLedger(sqlite, metrics);
            DetectedTrade oldest = sellOf("t-41", "o-41", "4263.94", 0);
            DetectedTrade younger = sellOf("t-57", "o-57", "49.77", 1);
            for (DetectedTrade t : List.of(oldest, younger)) {
                assertThat(sqlite.admit(t)).isTrue();
            }
            sqlite.recordIntent(younger.key(), intentFor(younger)); // the younger's order may be at the venue
            // the links as an earlier version wrote them: each trade linked to the other
            try (java.sql.Connection c = java.sql.DriverManager.getConnection(url);
                 java.sql.Statement st = c.createStatement()) {
                st.executeUpdate("UPDATE trades SET aggregate_of = 'alice:t-57' WHERE trade_key = 'alice:t-41'");
                st.executeUpdate("UPDATE trades SET aggregate_of = 'alice:t-41' WHERE trade_key = 'alice:t-57'");
            }

            new Recovery(sqlite, sqliteLedger, new DeadLetterRecorder(sqliteLedger), producer, "seda:requeue",
                    Duration.ofSeconds(60), clock, null, false).beforePolling();

            // the younger's order copies both; its own link to the oldest goes, so no cycle is left for the next start
            assertThat(requeued).isEmpty();
            assertThat(sqlite.aggregateLinks()).containsOnly(java.util.Map.entry(oldest.key(), younger.key()));
            assertThat(sqliteLedger.followers(younger)).extracting(DetectedTrade::key).containsExactly(oldest.key());
            assertThat(sqliteLedger.claim(oldest)).isFalse();
        }
    }
}
