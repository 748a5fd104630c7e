package io.copytrader.scenario;

import io.copytrader.chain.TcpCutter;
import io.copytrader.domain.ClientOrderId;
import io.copytrader.domain.Reason;
import io.copytrader.domain.SourceTradeId;
import io.copytrader.domain.TraderId;
import io.copytrader.store.OrderRecordState;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.engine.PipelineMetrics;
import io.copytrader.paper.FaultKind;
import io.copytrader.paper.FaultSpec;
import io.copytrader.store.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The pipeline end to end against the paper venue over real HTTP, read as a trader would. */
@Timeout(60)
class CopyPipelineScenarioTest {

    @Test
    void shouldCopyEveryTradeOfTheTargetOnceAndKeepTheBooks() {
        try (EngineHarness h = EngineHarness.builder().start()) {
            // 1. alice trades 50 times
            h.emit(50);
            // 2. every trade ends copied, but for sells of tokens we never bought (nothing filters or caps here)
            h.awaitSettled(50, Duration.ofSeconds(20));
            h.assertOnlySkipped(Reason.RISK_NOTHING_TO_SELL);
            assertThat(h.outcomes(TradeOutcome.COPIED) + h.outcomes(TradeOutcome.SKIPPED)).isEqualTo(50);
            assertThat(h.outcomes(TradeOutcome.COPIED)).isGreaterThanOrEqualTo(30);
            // 3. the venue received exactly one accepted order per copied trade, and no duplicates
            var stats = h.admin().stats();
            assertThat(stats.ordersAccepted()).isEqualTo(h.outcomes(TradeOutcome.COPIED));
            assertThat(stats.duplicateOrdersRejected()).isZero();
            h.assertAccountingIdentity();
        }
    }

    @Test
    void shouldWarnOnInsufficientBalanceWithoutTrippingTheBreaker() {
        try (EngineHarness h = EngineHarness.builder().set("copytrader.breaker.max-consecutive-failures", 5).start()) {
            // 1. the venue refuses every order for lack of balance
            h.admin().injectFault(FaultSpec.withProbability(FaultKind.INSUFFICIENT_BALANCE, 1.0));
            // 2. forty trades come in (the buys among them, over twenty, each meet the refusal)
            h.emit(40);
            h.awaitSettled(40, Duration.ofSeconds(20));
            // 3. each buy failed for that reason, was not retried, and the breaker is still closed;
            //    the sells had nothing to sell, since no buy went through
            h.assertOnlySkipped(Reason.RISK_NOTHING_TO_SELL);
            long failed = h.outcomes(TradeOutcome.FAILED);
            assertThat(failed + h.outcomes(TradeOutcome.SKIPPED)).isEqualTo(40);
            assertThat(failed).isGreaterThanOrEqualTo(20);
            assertThat(h.counter("copytrader.trades.failed", "reason", Reason.EXCHANGE_INSUFFICIENT_BALANCE.name()))
                    .isEqualTo(failed);
            assertThat(h.admin().stats().ordersRejected()).as("one request per trade: no retries").isEqualTo(failed);
            assertThat(h.breaker().getState().name()).isEqualTo("CLOSED");
            assertThat(h.store().deadLetters()).hasSize((int) failed)
                    .allMatch(d -> d.reason() == Reason.EXCHANGE_INSUFFICIENT_BALANCE);
            h.assertAccountingIdentity();
        }
    }

    @Test
    void shouldRetryTransientErrorsAndThenSucceed() {
        try (EngineHarness h = EngineHarness.builder().set("copytrader.queue.concurrent-trades", 1).start()) {
            // 1. the next two order requests get HTTP 503
            h.admin().injectFault(FaultSpec.burst(FaultKind.HTTP_5XX, 2));
            // 2. one trade comes in
            h.emit(1);
            h.awaitSettled(1, Duration.ofSeconds(10));
            // 3. it was retried past both errors and copied once
            assertThat(h.outcomes(TradeOutcome.COPIED)).isEqualTo(1);
            assertThat(h.admin().stats().ordersAccepted()).isEqualTo(1);
            assertThat(h.admin().stats().faults(FaultKind.HTTP_5XX)).isEqualTo(2);
            h.assertAccountingIdentity();
        }
    }

    @Test
    void shouldFailGracefullyToDeadLettersWhenTheExchangeNeverAnswers() {
        try (EngineHarness h = EngineHarness.builder()
                .set("copytrader.exchange.response-timeout-ms", 300)
                .set("copytrader.monitor.unknown-grace-ms", 300)
                .start()) {
            // 1. the exchange swallows every order request without answering (and without acting on it)
            h.admin().injectFault(FaultSpec.withProbability(FaultKind.TIMEOUT, 1.0));
            // 2. three trades come in
            h.emit(3);
            h.awaitSettled(3, Duration.ofSeconds(20));
            // 3. each order timed out, was looked up (never resent), found absent, and failed to the dead letters
            assertThat(h.outcomes(TradeOutcome.FAILED)).isEqualTo(3);
            assertThat(h.store().deadLetters()).allMatch(d -> d.reason() == Reason.EXCHANGE_UNKNOWN_OUTCOME);
            assertThat(h.admin().stats().faults(FaultKind.TIMEOUT)).isEqualTo(h.outcomes(TradeOutcome.FAILED));
            h.assertAccountingIdentity();
        }
    }

    @Test
    void shouldResolveATimeoutAfterAcceptByLookupAndNeverSendASecondOrder() {
        try (EngineHarness h = EngineHarness.builder()
                .set("copytrader.exchange.response-timeout-ms", 300)
                .start()) {
            // 1. the exchange accepts each order but the answer never arrives
            h.admin().injectFault(FaultSpec.withProbability(FaultKind.TIMEOUT_AFTER_ACCEPT, 1.0));
            h.emit(5);
            h.awaitSettled(5, Duration.ofSeconds(20));
            // 2. the monitor found each order by its client order id: copied, one order each, no duplicate sent
            h.assertCopiedOnceEach(5);
        }
    }

    @Test
    void shouldResolveAnAcceptedOrderWhoseAnswerNeverEndsByLookupAndNeverSendASecondOrder() {
        try (EngineHarness h = EngineHarness.builder().start()) {
            // 1. the exchange accepts each order and answers 200 with a body that never ends (data keeps coming, so
            //    no response timeout fires): the engine stops reading at 32 MB and drops the connection
            h.admin().injectFault(FaultSpec.withProbability(FaultKind.ENDLESS_ANSWER_AFTER_ACCEPT, 1.0));
            h.emit(3);
            h.awaitSettled(3, Duration.ofSeconds(30));
            // 2. each outcome was unknown, and the monitor found each order by its client order id: copied, one
            //    order each, none sent twice
            assertThat(h.admin().stats().faults(FaultKind.ENDLESS_ANSWER_AFTER_ACCEPT)).isEqualTo(3);
            h.assertCopiedOnceEach(3);
        }
    }

    @Test
    void shouldResolveAnAcceptedOrderWhoseAnswerTricklesByLookupAndNeverSendASecondOrder() {
        try (EngineHarness h = EngineHarness.builder()
                .set("copytrader.exchange.connect-timeout-ms", 200)
                .set("copytrader.exchange.response-timeout-ms", 300)
                .start()) {
            // 1. the exchange accepts each order and sends its answer a byte every 100 ms without end: each read is
            //    within the 300 ms response timeout, so only the call's deadline (2 x 200 + 3 x 300 ms) ends it
            h.admin().injectFault(FaultSpec.withProbability(FaultKind.TRICKLED_ANSWER_AFTER_ACCEPT, 1.0));
            h.emit(3);
            h.awaitSettled(3, Duration.ofSeconds(30));
            // 2. each outcome was unknown, and the monitor found each order by its client order id: copied, one
            //    order each, none sent twice
            assertThat(h.admin().stats().faults(FaultKind.TRICKLED_ANSWER_AFTER_ACCEPT)).isEqualTo(3);
            h.assertCopiedOnceEach(3);
        }
    }

    @Test
    void shouldReadATradeTheStoreRefusedAgainAtTheNextPollAndCopyItOnceTheStoreTakesIt(@TempDir Path dir)
            throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("copytrader.db");
        try (EngineHarness h = EngineHarness.builder().set("copytrader.store.url", url).start()) {
            // 1. the store refuses alice's second trade (as a full disk, or a file another process holds past the busy
            //    timeout, would refuse it)
            sql(url, "CREATE TRIGGER refuse BEFORE INSERT ON trades WHEN NEW.trade_key = 'alice:alice-2' "
                    + "BEGIN SELECT RAISE(ABORT, 'no room for this one'); END");
            h.emit(3);
            // 2. the other two are copied; the refused one is read again at each poll (alice's cursor stays before
            //    it), not sent to the dead letters, where, never stored, it could not be replayed
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(h.outcomes(TradeOutcome.COPIED)).isEqualTo(2);
                assertThat(h.counter("copytrader.trades.admission.held")).isGreaterThanOrEqualTo(2);
            });
            assertThat(h.store().trade("alice:alice-2")).isEmpty();
            assertThat(h.store().deadLetters()).isEmpty();

            // 3. the store takes it again: the next poll admits it, and it is copied, once
            sql(url, "DROP TRIGGER refuse");
            h.awaitSettled(3, Duration.ofSeconds(30));
            assertThat(h.outcomes(TradeOutcome.COPIED)).isEqualTo(3);
            assertThat(h.admin().stats().ordersAccepted()).isEqualTo(3);
            assertThat(h.admin().stats().duplicateOrdersRejected()).isZero();
            assertThat(h.store().deadLetters()).isEmpty();
            h.assertAccountingIdentity();
        }
    }

    /**
     * The database goes away for a few seconds while trades are on their way (a PostgreSQL restart, a failover): every
     * connection dies mid-stream and new ones are refused. Nothing is lost or doubled: when it is back, every trade
     * detected has its outcome, each accepted order has its one COPIED trade, none was sent twice, and every trade
     * that failed has its dead letter (replayable).
     */
    @Test
    @Timeout(180)
    void shouldLoseNoTradeAndSendNoOrderTwiceThroughADatabaseOutageOfSeconds() throws Exception {
        onPostgresBehind((relay, h) -> {
            h.emit(20);
            h.awaitSettled(20, Duration.ofSeconds(30));

            // 1. a burst, and the database gone while it is being copied; more trades come during the outage
            h.emit(40);
            relay.cut();
            double polls = h.counter(PipelineMetrics.FEED_POLLS);
            h.emit(40);
            // the engine has met the outage: it read a page it cannot store (the feed itself still answers). A poll
            // whose store call came just after the cut first waits out the pool's 30 s for a connection
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60))
                    .until(() -> h.counter(PipelineMetrics.FEED_POLLS) >= polls + 1);

            // 2. the database is back
            relay.restore();
            awaitSettledReadingThroughFailures(h, 100, Duration.ofSeconds(90));
            assertThat(h.admin().stats().ordersAccepted()).as("orders the venue accepted, each copied once")
                    .isEqualTo(h.outcomes(TradeOutcome.COPIED));
            assertThat(h.admin().stats().duplicateOrdersRejected()).as("orders sent twice").isZero();
            assertThat(h.store().deadLetters()).as("a letter for each failed trade")
                    .hasSize((int) h.outcomes(TradeOutcome.FAILED));
            h.assertAccountingIdentity();
        });
    }

    /**
     * The database's host vanishes from the network without closing anything (a failover whose old primary died):
     * every open connection goes silent, and new ones reach the new primary at the same address. A statement waiting
     * on a silent connection fails after the store's socket timeout, and its work goes on over a new connection.
     * Before, with the driver's default of no timeout, it waited for ever (the kernel's keep-alive, two hours by
     * default, is off on the driver's sockets): detection stopped, and every trade after it stayed uncopied.
     */
    @Test
    @Timeout(120)
    void shouldGoOnCopyingWhenTheDatabasesConnectionsGoSilentInAFailover() throws Exception {
        onPostgresBehind((relay, h) -> {
            h.emit(10);
            h.awaitSettled(10, Duration.ofSeconds(30));

            relay.blackhole();
            h.emit(10);
            awaitSettledReadingThroughFailures(h, 20, Duration.ofSeconds(60));
            assertThat(h.admin().stats().ordersAccepted()).isEqualTo(h.outcomes(TradeOutcome.COPIED));
            assertThat(h.admin().stats().duplicateOrdersRejected()).isZero();
            h.assertAccountingIdentity();
        });
    }

    @Test
    void shouldCopyOnceATradeWhoseAdmissionWasCommittedThoughItsAnswerWasLostOnPostgres() throws Exception {
        onPostgresBehind((relay, h) -> {
            // 1. the database commits alice's second trade, and the network loses its answer: the engine sees an
            //    error, as for a write that never happened
            relay.loseTheAnswerTo("alice:alice-2");
            h.emit(3);
            // 2. read again, it is a duplicate to the store; it is the engine's own admission, and nothing handles
            //    it: copied once, as the other two (before: in flight, unhandled, until a restart)
            h.awaitSettled(3, Duration.ofSeconds(30));
            assertThat(relay.answersLost()).isEqualTo(1);
            assertThat(h.store().deadLetters()).isEmpty();
            h.assertCopiedOnceEach(3);
        });
    }

    /**
     * The connection drops under the write of an order's intent, before anything was sent: under the insert (the
     * transaction rolls back, nothing is written), or after its commit (written, the answer lost). The write is tried
     * again in place, and the order sent once. Before: the first failed the trade to the dead letters (replayable by
     * hand); the second took the order written as placed before, looked it up at the venue, which had never had it,
     * and failed the trade after the grace period.
     */
    @ParameterizedTest
    @CsvSource({"false", "true"})
    void shouldWriteAnIntentAgainAfterTheStoreDroppedItsConnectionAndSendTheOrderOnce(boolean itsCommit)
            throws Exception {
        onPostgresBehind((relay, h) -> {
            ClientOrderId id = ClientOrderId.of(new TraderId(EngineHarness.TRADER), new SourceTradeId("alice-2"));
            // the insert's bound values: the order's client order id and its first state
            relay.loseTheAnswerTo(List.of(id.value(), OrderRecordState.SUBMITTING.name()), 1, itsCommit);
            h.emit(3);
            h.awaitSettled(3, Duration.ofSeconds(30));
            assertThat(h.store().deadLetters()).isEmpty();
            assertThat(h.store().order(id).orElseThrow().state()).isEqualTo(OrderRecordState.FILLED);
            assertThat(relay.answersLost()).isEqualTo(1);
            assertThat(h.counter("copytrader.store.writes.retried")).isEqualTo(1);
            // one order a trade reached the venue: none for a trade lost, none twice
            assertThat(h.admin().stats().ordersRejected()).isZero();
            h.assertCopiedOnceEach(3);
        });
    }

    /**
     * The venue accepted (and filled) the order, and the store's write of that answer failed: the connection dropped
     * under the write of the order's new state, or under the trade's outcome in the same transaction (the write
     * rolled back); or the transaction committed and its answer was lost.
     */
    @ParameterizedTest
    @CsvSource({"order,false", "trade,false", "trade,true"})
    void shouldLookUpAnAcceptedOrderWhoseAnswerTheStoreFailedToRecordNeverFailIt(String row, boolean itsCommit)
            throws Exception {
        onPostgresBehind((relay, h) -> {
            ClientOrderId id = ClientOrderId.of(new TraderId(EngineHarness.TRADER), new SourceTradeId("alice-2"));
            String key = EngineHarness.TRADER + ":alice-2";
            // the statement's bound values (its SQL text is not sent once the statement is prepared on the server):
            // the order's new state, or the trade's outcome; with itsCommit, the answer to the transaction's commit
            relay.loseTheAnswerTo(row.equals("order") ? List.of(id.value(), "FILLED") : List.of(key, "COPIED"), 1,
                    itsCommit);
            h.emit(3);
            // the order may be at the venue (it is): looked up by its id and copied, not failed to the dead letters
            // (where a replay would have sent it a second time, and the book forgot what it holds)
            h.awaitSettled(3, Duration.ofSeconds(30));
            assertThat(relay.answersLost()).isEqualTo(1);
            assertThat(h.store().order(id).orElseThrow().state()).isEqualTo(OrderRecordState.FILLED);
            assertThat(h.store().deadLetters()).isEmpty();
            h.assertCopiedOnceEach(3);
        });
    }

    @Test
    void shouldCopyATradeWhoseLookupFoundItsOrderThoughTheStoreLostTheAnswerToThatWrite() throws Exception {
        onPostgresBehind((relay, h) -> {
            // 1. the venue takes alice's orders and their answers never come: each is UNKNOWN, looked up by the monitor
            h.admin().injectFault(FaultSpec.withProbability(FaultKind.TIMEOUT_AFTER_ACCEPT, 1.0));
            ClientOrderId id = ClientOrderId.of(new TraderId(EngineHarness.TRADER), new SourceTradeId("alice-2"));
            // 2. the lookup finds the second FILLED; the store commits that, and its answer is lost
            relay.loseTheAnswerTo(List.of(id.value(), "FILLED"), 1, false);
            h.emit(3);
            // 3. the monitor takes the order as moved, and the trade is copied (before: the order FILLED, no longer
            //    watched, and its trade in flight, unhandled, until a restart)
            h.awaitSettled(3, Duration.ofSeconds(30));
            assertThat(relay.answersLost()).isEqualTo(1);
            assertThat(h.outcomes(TradeOutcome.COPIED)).isEqualTo(3);
            assertThat(h.admin().stats().ordersAccepted()).isEqualTo(3);
            assertThat(h.store().deadLetters()).isEmpty();
            h.assertAccountingIdentity();
        });
    }

    @Test
    void shouldCountASkipWhoseWriteWasCommittedThoughItsAnswerWasLost() throws Exception {
        onPostgresBehind(Map.of("copytrader.filter.min-trade-size-usd", "100000"), (relay, h) -> {
            // every trade is under the minimum: skipped; the store commits the first skip, and its answer is lost
            relay.loseTheAnswerTo(List.of("SKIPPED"), 1, false);
            h.emit(3);
            h.awaitSettled(3, Duration.ofSeconds(30));
            assertThat(relay.answersLost()).isEqualTo(1);
            assertThat(h.outcomes(TradeOutcome.SKIPPED)).isEqualTo(3);
            // read back and counted as any skip (before: 3 skipped in the store, 2 in the metrics)
            h.assertAccountingIdentity();
        });
    }

    private interface OnPostgres {
        void run(TcpCutter relay, EngineHarness h) throws Exception;
    }

    /** An engine whose store is PostgreSQL reached through a relay that can lose the database's answers. */
    private static void onPostgresBehind(OnPostgres scenario) throws Exception {
        onPostgresBehind(Map.of(), scenario);
    }

    private static void onPostgresBehind(Map<String, String> settings, OnPostgres scenario) throws Exception {
        String schema = TestPostgres.createSchema();
        java.net.URI direct = java.net.URI.create(TestPostgres.requireUrl().substring("jdbc:".length()));
        try (TcpCutter relay = new TcpCutter(direct.getPort())) {
            String url = TestPostgres.schemaUrl(schema).replaceFirst("//[^/]+/", "//127.0.0.1:" + relay.port() + "/")
                    + (TestPostgres.user() == null ? "" : "&user=" + TestPostgres.user())
                    + (TestPostgres.password() == null ? "" : "&password=" + TestPostgres.password())
                    // no statement prepared on the server: each request carries its SQL text (a COMMIT its "COMMIT"),
                    // which the relay recognises
                    + "&prepareThreshold=0";
            EngineHarness.Builder builder = EngineHarness.builder().set("copytrader.store.url", url);
            settings.forEach(builder::set);
            try (EngineHarness h = builder.start()) {
                scenario.run(relay, h);
            }
        } finally {
            TestPostgres.dropSchema(schema);
        }
    }

    /**
     * As {@link EngineHarness#awaitSettled}, through the test's own store reads failing meanwhile: they go through the
     * same database as the engine's, and one on a connection the outage broke fails as the engine's do.
     */
    private static void awaitSettledReadingThroughFailures(EngineHarness h, long detected, Duration timeout) {
        org.awaitility.Awaitility.await().atMost(timeout).ignoreExceptions().untilAsserted(() -> {
            assertThat(h.store().detectedCount()).isEqualTo(detected);
            assertThat(h.store().inFlightCount()).isZero();
        });
    }

    private static void sql(String url, String statement) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    @Test
    void shouldNeverLetAMalformedFeedRowReachTheQueue() {
        try (EngineHarness h = EngineHarness.builder().start()) {
            // 1. the next 4 fills alice emits are malformed rows
            h.admin().injectFault(FaultSpec.burst(FaultKind.MALFORMED_ROW, 4));
            h.emit(10);
            // 2. they are counted as rejected rows and never admitted; the 6 good ones go through; no order for
            //    the bad ones
            h.awaitSettled(6, Duration.ofSeconds(20));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                    .until(() -> h.counter("copytrader.feed.rows.rejected") >= 4);
            assertThat(h.counter("copytrader.feed.rows.rejected")).isEqualTo(4);
            h.assertOnlySkipped(Reason.RISK_NOTHING_TO_SELL);
            assertThat(h.outcomes(TradeOutcome.COPIED) + h.outcomes(TradeOutcome.SKIPPED)).isEqualTo(6);
            assertThat(h.admin().stats().ordersAccepted()).isEqualTo(h.outcomes(TradeOutcome.COPIED));
            h.assertAccountingIdentity();
        }
    }
}
