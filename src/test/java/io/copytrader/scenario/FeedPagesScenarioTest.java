package io.copytrader.scenario;

import io.copytrader.cli.DeadLettersCommand;
import io.copytrader.domain.Reason;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.domain.TraderId;
import io.copytrader.engine.PipelineMetrics;
import io.copytrader.paper.PaperVenueAdmin;
import io.copytrader.store.DeadLetter;
import io.copytrader.store.TradeStore;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A burst larger than a feed page, read end to end against the paper venue: the poll that finds it reads page after
 * page while the feed says it has more, up to FEED_MAX_PAGES_PER_POLL pages; a page that failed, a page whose trade
 * the store refused, or a page of trades admitted before ends the poll's reading. The engine here polls once, at its
 * start (the poll interval is an hour); the later polls are sent as the timer sends them, one at a time.
 */
@Timeout(180)
class FeedPagesScenarioTest {
    private static final TraderId ALICE = new TraderId(EngineHarness.TRADER);

    /** 100 fills a page, a poll at the start and then an hour later, room in the queue for every trade. */
    private static EngineHarness.Builder pollingOnceAtStart() {
        return EngineHarness.builder()
                .set("copytrader.feed.poll-interval-ms", 3_600_000)
                .set("copytrader.feed.page-size", 100)
                .set("copytrader.queue.size", 1000);
    }

    /** Waits until the poll at the engine's start is over. */
    private static void awaitStartPoll(EngineHarness h) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> h.counter(PipelineMetrics.FEED_POLLS) >= 1
                        && h.context().getInflightRepository().size("tick-traders") == 0);
    }

    /** One poll of alice as the timer sends it (a direct call on one instance); returns once the poll is over. */
    private static void poll(EngineHarness h) throws Exception {
        try (ProducerTemplate ticks = h.context().createProducerTemplate()) {
            ticks.sendBody("{{copytrader.detect.tick-uri}}", EngineHarness.TRADER);
        }
    }

    private static double polls(EngineHarness h) {
        return h.counter(PipelineMetrics.FEED_POLLS);
    }

    private static void sql(String url, String statement) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    @Test
    void shouldReadABurstOfSeveralPagesInThePollThatFindsIt() {
        // 1. alice's burst of 350 fills is on the venue when the engine starts: four pages of 100
        try (EngineHarness h = pollingOnceAtStart()
                .beforeEngine(venue -> new PaperVenueAdmin(venue.baseUrl()).emit(EngineHarness.TRADER, 350))
                .start()) {
            // 2. every fill is detected and copied (or skipped) though no second poll comes for an hour
            h.awaitSettled(350, Duration.ofSeconds(60));
            awaitStartPoll(h);
            assertThat(polls(h)).as("pages read by the one poll: 100, 100, 100, then the last 50").isEqualTo(4);
            assertThat(h.counter(PipelineMetrics.FEED_POLLS_FAILED)).isZero();
            assertThat(h.outcomes(TradeOutcome.COPIED) + h.outcomes(TradeOutcome.SKIPPED)).isEqualTo(350);
            h.assertOnlySkipped(Reason.RISK_NOTHING_TO_SELL);
            assertThat(h.admin().stats().ordersAccepted()).isEqualTo(h.outcomes(TradeOutcome.COPIED));
            assertThat(h.admin().stats().duplicateOrdersRejected()).isZero();
            h.assertAccountingIdentity();
        }
    }

    @Test
    void shouldReadNoMorePagesAPollThanItsBoundAndTheRestAtTheNextPoll() throws Exception {
        try (EngineHarness h = pollingOnceAtStart()
                .set("copytrader.feed.max-pages-per-poll", 2)
                .beforeEngine(venue -> new PaperVenueAdmin(venue.baseUrl()).emit(EngineHarness.TRADER, 350))
                .start()) {
            // 1. the poll at the start reads two pages of the four, and stops there though the feed has more
            awaitStartPoll(h);
            assertThat(polls(h)).isEqualTo(2);
            assertThat(h.store().detectedCount()).isEqualTo(200);
            assertThat(h.store().cursor(ALICE)).contains("200");

            // 2. the next poll reads on from the cursor: the last two pages
            poll(h);
            assertThat(polls(h)).isEqualTo(4);
            h.awaitSettled(350, Duration.ofSeconds(60));
            assertThat(h.store().cursor(ALICE)).contains("350");
            h.assertAccountingIdentity();
        }
    }

    @Test
    void shouldStopReadingAtAPageTheFeedFailedAndReadItAtTheNextPoll() throws Exception {
        try (FeedOutageProxy proxy = new FeedOutageProxy();
             EngineHarness h = pollingOnceAtStart()
                     .set("copytrader.paper.url", proxy.url())
                     .beforeEngine(venue -> proxy.forwardTo(venue.baseUrl()))
                     .start()) {
            awaitStartPoll(h); // feed request 1: nothing yet
            assertThat(proxy.feedRequests()).isEqualTo(1);

            // 1. a burst of 350; the feed fails the second page of the next poll
            h.emit(350);
            proxy.failFeedRequest(3);
            poll(h);

            // 2. the poll read page 1, met the failure at page 2 and read nothing more: not the failed page again,
            //    not the pages after it
            assertThat(proxy.feedRequests()).isEqualTo(3);
            assertThat(polls(h)).isEqualTo(3);
            assertThat(h.counter(PipelineMetrics.FEED_POLLS_FAILED)).isEqualTo(1);
            assertThat(h.store().detectedCount()).isEqualTo(100);
            assertThat(h.store().cursor(ALICE)).contains("100");

            // 3. the next poll reads on from page 2: the three pages left
            poll(h);
            assertThat(proxy.feedRequests()).isEqualTo(6);
            h.awaitSettled(350, Duration.ofSeconds(60));
            h.assertAccountingIdentity();
        }
    }

    @Test
    void shouldReadNoFurtherPageAfterAPageWhoseTradeTheStoreRefused(@TempDir Path dir) throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("copytrader.db");
        try (EngineHarness h = pollingOnceAtStart().set("copytrader.store.url", url).start()) {
            awaitStartPoll(h);
            // 1. the store refuses alice's second fill (as a full disk would); a burst of 350 comes
            sql(url, "CREATE TRIGGER refuse BEFORE INSERT ON trades WHEN NEW.trade_key = 'alice:alice-2' "
                    + "BEGIN SELECT RAISE(ABORT, 'no room for this one'); END");
            h.emit(350);
            poll(h);

            // 2. page 1 went through but for the refused fill: its cursor stays before it, and the poll reads no
            //    further page (the next would be read after a cursor that was not stored)
            assertThat(h.counter("copytrader.trades.admission.held")).isEqualTo(1);
            assertThat(polls(h)).as("the start's poll, then page 1").isEqualTo(2);
            assertThat(h.store().detectedCount()).isEqualTo(99);
            assertThat(h.store().cursor(ALICE)).contains("0");

            // 3. the store takes it again: the next poll reads page 1 again (the refused fill admitted, the 99 passed
            //    over) and the three pages after it
            sql(url, "DROP TRIGGER refuse");
            poll(h);
            assertThat(polls(h)).isEqualTo(6);
            h.awaitSettled(350, Duration.ofSeconds(60));
            assertThat(h.store().deadLetters()).isEmpty();
            h.assertAccountingIdentity();
        }
    }

    @Test
    void shouldHoldTheCursorOfATradeNeitherAdmittedNorDeadLetteredAndLogNoErrorForIt(@TempDir Path dir)
            throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("copytrader.db");
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
        logged.start();
        root.addAppender(logged);
        // every trade is too old to hold its cursor when the store refuses it (a maximum age of 1 ms): a refused one
        // goes to the dead letters
        try (EngineHarness h = pollingOnceAtStart().set("copytrader.store.url", url)
                .set("copytrader.filter.max-trade-age-ms", 1).start()) {
            awaitStartPoll(h);
            // 1. a store that takes neither alice's second fill nor its dead letter (as a full disk takes neither)
            sql(url, "CREATE TRIGGER refuse BEFORE INSERT ON trades WHEN NEW.trade_key = 'alice:alice-2' "
                    + "BEGIN SELECT RAISE(ABORT, 'no room for this one'); END");
            sql(url, "CREATE TRIGGER refuse_letter BEFORE INSERT ON dead_letters WHEN NEW.source_trade_id = "
                    + "'alice-2' BEGIN SELECT RAISE(ABORT, 'no room for its letter'); END");
            h.emit(3);
            logged.list.clear();

            // 2. the poll ends without an error; the fill is in no table, so its cursor stays before it, to be read
            //    again; the fills beside it are admitted
            poll(h);
            assertThat(h.store().cursor(ALICE)).contains("0");
            assertThat(h.store().trade("alice:alice-2")).isEmpty();
            assertThat(h.store().detectedCount()).isEqualTo(2);
            assertThat(h.store().deadLetters()).isEmpty();
            assertThat(h.counter("copytrader.trades.admission.held")).isEqualTo(1);
            // and no line at ERROR: before, each poll logged the failed letter with its stack and message history
            assertThat(logged.list).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.ERROR))
                    .extracting(ILoggingEvent::getFormattedMessage).isEmpty();
            assertThat(logged.list).filteredOn(e -> e.getLevel() == Level.WARN)
                    .extracting(ILoggingEvent::getFormattedMessage)
                    .anySatisfy(m -> assertThat(m).contains("alice:alice-2").doesNotContain("\tat "));

            // 3. the store takes it again: the next poll admits it (skipped as stale), and the cursor moves past it
            sql(url, "DROP TRIGGER refuse");
            sql(url, "DROP TRIGGER refuse_letter");
            poll(h);
            assertThat(h.store().cursor(ALICE)).contains("3");
            h.awaitSettled(3, Duration.ofSeconds(60));
            assertThat(h.store().deadLetters()).isEmpty();
            h.assertOnlySkipped(Reason.FILTER_STALE);
            h.assertAccountingIdentity();
        } finally {
            root.detachAppender(logged);
        }
    }

    @Test
    void shouldStopCountingTheLetterOfARefusedTradePendingOnceALaterPollAdmitsIt(@TempDir Path dir) throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("copytrader.db");
        // every trade is too old to hold its cursor when the store refuses it (a maximum age of 1 ms): a refused one
        // goes to the dead letters
        try (EngineHarness h = pollingOnceAtStart().set("copytrader.store.url", url)
                .set("copytrader.filter.max-trade-age-ms", 1).start()) {
            awaitStartPoll(h);
            // 1. the store refuses alice's second fill but takes its letter; it takes neither alice's third fill nor
            //    its letter, so the page's cursor is held, and the next poll reads the second fill again
            sql(url, "CREATE TRIGGER refuse BEFORE INSERT ON trades WHEN NEW.trade_key IN ('alice:alice-2', "
                    + "'alice:alice-3') BEGIN SELECT RAISE(ABORT, 'no room for this one'); END");
            sql(url, "CREATE TRIGGER refuse_letter BEFORE INSERT ON dead_letters WHEN NEW.source_trade_id = "
                    + "'alice-3' BEGIN SELECT RAISE(ABORT, 'no room for its letter'); END");
            h.emit(3);
            poll(h);
            assertThat(h.store().cursor(ALICE)).contains("0");
            assertThat(h.store().trade("alice:alice-2")).isEmpty();
            long letter = h.store().deadLetters().stream().filter(d -> d.trade().key().equals("alice:alice-2"))
                    .findFirst().orElseThrow().id();
            assertThat(h.store().deadLetterCounts()).isEqualTo(new TradeStore.DeadLetterCounts(1, 1));
            await().atMost(Duration.ofSeconds(10)).until(() -> h.gauge(PipelineMetrics.DEAD_LETTERS_PENDING) == 1);

            // 2. the store takes them again: the next poll admits both (skipped as stale), and the cursor moves on
            sql(url, "DROP TRIGGER refuse");
            sql(url, "DROP TRIGGER refuse_letter");
            poll(h);
            assertThat(h.store().cursor(ALICE)).contains("3");
            h.awaitSettled(3, Duration.ofSeconds(60));
            h.assertOnlySkipped(Reason.FILTER_STALE);
            h.assertAccountingIdentity();

            // 3. its letter is kept, shown as admitted later, and no longer waits for a person: before, it stayed
            //    pending (in the store's count, the gauge and the dashboard) for a trade that was not failed
            DeadLetter kept = h.store().deadLetter(letter).orElseThrow();
            assertThat(kept.admittedAt()).isNotNull();
            assertThat(kept.replayedAt()).isNull();
            assertThat(h.store().deadLetterCounts()).isEqualTo(new TradeStore.DeadLetterCounts(0, 1));
            await().atMost(Duration.ofSeconds(10)).until(() -> h.gauge(PipelineMetrics.DEAD_LETTERS_PENDING) == 0);
            ByteArrayOutputStream listed = new ByteArrayOutputStream();
            PrintStream out = System.out;
            System.setOut(new PrintStream(listed, true, StandardCharsets.UTF_8));
            try {
                assertThat(new CommandLine(new DeadLettersCommand()).execute("--store", url, "list")).isZero();
                // 4. a replay of it sends nothing: the trade ended once, from its admission
                assertThat(new CommandLine(new DeadLettersCommand()).execute("--store", url, "replay",
                        String.valueOf(letter))).isZero();
            } finally {
                System.setOut(out);
            }
            assertThat(listed.toString(StandardCharsets.UTF_8)).contains("alice:alice-2").contains("admitted later")
                    .contains("nothing to replay").contains("0 letter(s) replayed");
            assertThat(h.store().outcome("alice:alice-2")).contains(TradeOutcome.SKIPPED);
            assertThat(h.store().replayedInFlight()).isEmpty();
            assertThat(h.store().deadLetter(letter).orElseThrow().replayedAt()).isNull();
            assertThat(h.admin().stats().ordersAccepted()).isZero();
        }
    }

    @Test
    void shouldReadAPageOfTradesAdmittedBeforeWithoutReadingOnAtOnce(@TempDir Path dir) throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("copytrader.db");
        try (EngineHarness h = pollingOnceAtStart().set("copytrader.store.url", url)
                .beforeEngine(venue -> new PaperVenueAdmin(venue.baseUrl()).emit(EngineHarness.TRADER, 350))
                .start()) {
            h.awaitSettled(350, Duration.ofSeconds(60));
            awaitStartPoll(h);
            assertThat(polls(h)).isEqualTo(4);

            // 1. the cursor is lost while the engine is stopped (as a store restored from an older copy, or a feed that
            //    reads an overlap again): its trades are read again from the start
            h.stopEngine();
            sql(url, "DELETE FROM feed_cursors");
            h.restartEngine();

            // 2. the poll at the start finds a page of trades all admitted before, which says the feed has more: it
            //    does not read the next page at once (a feed reading what it has read would spend its requests)
            awaitStartPoll(h);
            assertThat(polls(h)).as("polls since the restart").isEqualTo(1);
            assertThat(h.store().cursor(ALICE)).contains("100");
            assertThat(h.store().detectedCount()).isEqualTo(350);
            h.assertAccountingIdentity();
        }
    }
}
