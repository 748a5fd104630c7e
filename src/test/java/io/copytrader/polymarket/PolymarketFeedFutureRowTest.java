package io.copytrader.polymarket;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.copytrader.domain.Reason;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.domain.TraderId;
import io.copytrader.engine.PipelineMetrics;
import io.copytrader.engine.TradeDetector;
import io.copytrader.engine.TradeFilter;
import io.copytrader.engine.TradeLedger;
import io.copytrader.store.InMemoryTradeStore;
import io.copytrader.store.StoreFactory;
import io.copytrader.store.TradeStore;
import io.copytrader.venue.FeedClock;
import io.copytrader.venue.JdkVenueHttpClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A row dated far ahead of the engine's clock (a venue bug, a corrupted row, a broken proxy) among a target's real
 * fills, read by the engine's {@link TradeDetector} tick after tick from both Data API routes: the row never moves the
 * cursor, so every real fill after it is still read at the next poll; it is admitted at its first reading and skipped
 * as dated ahead of the time it was read, so it is never copied, however long polling pauses, across a restart too.
 * The engine's clock moves with the ticks (five a second) as the fakes' timestamps do, and jumps when polling pauses.
 */
@Timeout(120)
class PolymarketFeedFutureRowTest {
    static final TraderId TARGET = PolymarketFeedAdapterTest.TARGET;
    static final long T0 = PolymarketFeedAdapterPollingTest.T0;
    static final int PAGE = PolymarketFeedAdapterPollingTest.PAGE;
    /** Ten years ahead: well under the reader's epoch-seconds ceiling, so only the clock can tell it is wrong. */
    static final long FAR_AHEAD = T0 + 10L * 365 * 86_400;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final List<Logger> loggers = List.of((Logger) LoggerFactory.getLogger(TradeDetector.class),
            (Logger) LoggerFactory.getLogger(TradeFilter.class));
    private FeedTicks ticks;
    /** The ticks of the engines run before this one on the same store (a restart). */
    private int ticksBefore;
    /** Seconds the engine's clock moved while no poll ran (a 429's wait, a stall, a stopped engine). */
    private long paused;
    /** The engine's filter: what it lets through is copied. */
    private final List<String> copied = new ArrayList<>();

    @TempDir
    Path dir;

    /** The engine's clock: the fakes' second at the current tick, plus any pause. */
    private final Clock clock = new SecondsClock(this::second);

    private long second() {
        return T0 + (ticksBefore + (ticks == null ? 0 : ticks.tick())) / 5 + paused;
    }

    @BeforeEach
    void captureLogs() {
        logged.start();
        loggers.forEach(l -> l.addAppender(logged));
    }

    @AfterEach
    void releaseLogs() {
        loggers.forEach(l -> l.detachAppender(logged));
    }

    /** A Data API fake of either route, on loopback. */
    private record Fake(String url, java.util.function.IntSupplier requests, BiFunction<Long, Integer, List<String>> index,
                        AutoCloseable server) implements AutoCloseable {
        static Fake of(FeedApi api) {
            if (api == FeedApi.V1) {
                ActivityFake fake = ActivityFake.start(TARGET.value(), PolymarketFeedAdapterTest.YES);
                return new Fake(fake.url(), fake::requests, fake::index, fake);
            }
            ActivityV2Fake fake = ActivityV2Fake.start(TARGET.value(), PolymarketFeedAdapterTest.YES);
            return new Fake(fake.url(), fake::requests, fake::index, fake);
        }

        @Override
        public void close() throws Exception {
            server.close();
        }
    }

    private FeedTicks ticks(String url, FeedApi api, java.util.function.IntSupplier requests) {
        return ticks(url, api, requests, new InMemoryTradeStore(clock), Duration.ofSeconds(60));
    }

    /** An engine on {@code store}: the detector's ticks, each new trade admitted and filtered as in the route. */
    private FeedTicks ticks(String url, FeedApi api, java.util.function.IntSupplier requests, TradeStore store,
                            Duration overlap) {
        if (ticks != null) {
            ticksBefore += ticks.tick();
        }
        TradeDetector detector = new TradeDetector(List.of(TARGET),
                new PolymarketFeedAdapter(url, PAGE, overlap, Duration.ZERO, clock, api),
                new JdkVenueHttpClient(Duration.ofSeconds(2), Duration.ofSeconds(10)), store,
                new PipelineMetrics(registry), clock).readingAtMostPagesPerPoll(PolymarketFeedAdapterPollingTest.MAX_PAGES);
        TradeLedger ledger = new TradeLedger(store, new PipelineMetrics(registry));
        TradeFilter filter = new TradeFilter(BigDecimal.ZERO, Duration.ofSeconds(30), ledger, clock);
        return new FeedTicks(detector, TARGET, requests).admitting(trade -> {
            if (ledger.admit(trade) && filter.accepts(trade)) {
                copied.add(trade.sourceOrder());
            }
        });
    }

    private double malformedRows() {
        return registry.get(PipelineMetrics.ROWS_REJECTED).tag("reason", Reason.FEED_MALFORMED_ROW.name()).counter()
                .count();
    }

    private double skipped(Reason reason) {
        var counter = registry.find(PipelineMetrics.TRADES_SKIPPED).tag(PipelineMetrics.REASON_TAG, reason.name())
                .counter();
        return counter == null ? 0 : counter.count();
    }

    /** The WARN lines of the detector and the filter that name this fill. */
    private List<String> warnings(String tx) {
        return logged.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage)
                .filter(m -> m.contains(tx)).toList();
    }

    private static String key(String tx) {
        return TARGET.value() + ":" + PolymarketFeedAdapter.sourceTradeId(tx, PolymarketFeedAdapterTest.YES,
                io.copytrader.domain.Side.BUY, BigDecimal.ONE, new BigDecimal("0.5")).value();
    }

    @Test
    void shouldReadEveryRealFillAfterARowDatedFarAheadOnTheV1Route() {
        try (ActivityFake fake = ActivityFake.start(TARGET.value(), PolymarketFeedAdapterTest.YES)) {
            ticks = ticks(fake.url(), FeedApi.V1, fake::requests);
            shouldReadEveryRealFillAfterARowDatedFarAhead(fake::index);
        }
    }

    @Test
    void shouldReadEveryRealFillAfterARowDatedFarAheadOnTheV2Route() {
        try (ActivityV2Fake fake = ActivityV2Fake.start(TARGET.value(), PolymarketFeedAdapterTest.YES)) {
            ticks = ticks(fake.url(), FeedApi.V2, fake::requests);
            shouldReadEveryRealFillAfterARowDatedFarAhead(fake::index);
        }
    }

    /**
     * A row read 40 s ahead, then polling pauses 35 s (a 429's Retry-After, a stalled feed, a long GC): read again it
     * is only 5 s ahead, inside the filter's tolerance. It was admitted at its first reading and skipped as dated
     * ahead of the time it was read, so the later readings are duplicates: never copied, one outcome, one WARN.
     */
    @ParameterizedTest
    @EnumSource(FeedApi.class)
    void shouldNeverCopyARowDatedAheadReadAgainAfterAPause(FeedApi api) throws Exception {
        try (Fake fake = Fake.of(api)) {
            InMemoryTradeStore store = new InMemoryTradeStore(clock);
            ticks = ticks(fake.url(), api, fake.requests(), store, Duration.ofSeconds(60));
            List<String> real = new ArrayList<>(ticks.indexed(fake.index().apply(T0 - 20, 3)));
            ticks.run(2);
            String ahead = ticks.indexed(fake.index().apply(second() + 40, 1)).get(0);
            for (int i = 0; i < 10; i++) { // 2 s of polls: the row read at each, 40 to 38 s ahead
                real.addAll(ticks.indexed(fake.index().apply(second(), 1)));
                ticks.run();
            }
            paused += 35; // no poll for 35 s: the row is now 3 s ahead
            for (int i = 0; i < 75; i++) { // 15 s: the row read again, its date comes and goes
                real.addAll(ticks.indexed(fake.index().apply(second(), 1)));
                ticks.run();
            }

            assertThat(copied).as("every real fill copied, the row dated ahead never").containsAll(real)
                    .doesNotContain(ahead);
            assertThat(store.ended(key(ahead))).contains(new TradeStore.Ended(TradeOutcome.SKIPPED,
                    Reason.FILTER_DATED_AHEAD));
            assertThat(store.outcomeCounts()).containsEntry(TradeOutcome.SKIPPED, 1L);
            assertThat(skipped(Reason.FILTER_DATED_AHEAD)).as("counted once").isEqualTo(1.0);
            assertThat(malformedRows()).isZero();
            assertThat(warnings(ahead)).as("logged once").hasSize(1);
        }
    }

    /**
     * The same across a restart on the same SQLite store: the first engine reads the row 40 s ahead and stops; the
     * next starts 35 s later, when the row is 5 s ahead. The stored outcome is the dedup: never copied, one outcome.
     */
    @ParameterizedTest
    @EnumSource(FeedApi.class)
    void shouldNeverCopyARowDatedAheadReadAgainAfterARestart(FeedApi api) throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("copytrader.db");
        try (Fake fake = Fake.of(api)) {
            List<String> real = new ArrayList<>();
            String ahead;
            try (TradeStore store = StoreFactory.open(url, clock)) {
                ticks = ticks(fake.url(), api, fake.requests(), store, Duration.ofSeconds(60));
                real.addAll(ticks.indexed(fake.index().apply(T0 - 20, 3)));
                ticks.run(2);
                ahead = ticks.indexed(fake.index().apply(second() + 40, 1)).get(0);
                ticks.run(5);
            }
            paused += 35; // stopped for 35 s
            try (TradeStore store = StoreFactory.open(url, clock)) {
                ticks = ticks(fake.url(), api, fake.requests(), store, Duration.ofSeconds(60));
                for (int i = 0; i < 50; i++) { // 10 s: the row read again, its date comes and goes
                    real.addAll(ticks.indexed(fake.index().apply(second(), 1)));
                    ticks.run();
                }
                assertThat(ticks.admittedAt()).as("read again by the engine after the restart").containsKey(ahead);
                assertThat(copied).containsAll(real).doesNotContain(ahead);
                assertThat(store.ended(key(ahead))).contains(new TradeStore.Ended(TradeOutcome.SKIPPED,
                        Reason.FILTER_DATED_AHEAD));
                assertThat(store.outcomeCounts()).containsEntry(TradeOutcome.SKIPPED, 1L);
            }
            assertThat(skipped(Reason.FILTER_DATED_AHEAD)).isEqualTo(1.0);
            assertThat(warnings(ahead)).as("logged once").hasSize(1);
        }
    }

    /**
     * With an overlap shorter than the row tolerance (10 s, allowed: 0 to 3600), a row dated 25 s ahead, inside the
     * row tolerance, moves the head 25 s past the clock: the window stays behind the clock all the same, so the real
     * fills dated before the row, indexed after it, are all read at the next poll. The row itself is skipped.
     */
    @ParameterizedTest
    @EnumSource(FeedApi.class)
    void shouldKeepTheWindowBehindTheClockWhenARowInsideTheToleranceIsAheadOfIt(FeedApi api) throws Exception {
        try (Fake fake = Fake.of(api)) {
            ticks = ticks(fake.url(), api, fake.requests(), new InMemoryTradeStore(clock), Duration.ofSeconds(10));
            List<String> real = new ArrayList<>(ticks.indexed(fake.index().apply(T0 - 5, 3)));
            ticks.run(2);
            String ahead = ticks.indexed(fake.index().apply(second() + FeedClock.ROW_TOLERANCE.toSeconds() - 5, 1))
                    .get(0);
            ticks.run();
            for (int i = 0; i < 50; i++) { // 10 s of real fills, dated before the row, one a tick
                real.addAll(ticks.indexed(fake.index().apply(second(), 1)));
                ticks.run();
            }

            assertThat(ticks.detection(real).getMin()).as("no real fill missed").isPositive();
            assertThat(ticks.detection(real).getMax()).as("every real fill admitted at the poll after it").isEqualTo(1);
            assertThat(copied).containsAll(real).doesNotContain(ahead);
        }
    }

    private void shouldReadEveryRealFillAfterARowDatedFarAhead(BiFunction<Long, Integer, List<String>> index) {
        // a busy target: more fills in the overlap window than a page, so each poll reads on past the sweep's page
        List<String> real = new ArrayList<>();
        for (long s = T0 - 60; s < T0; s++) {
            real.addAll(ticks.indexed(index.apply(s, 10)));
        }
        ticks.run(3);
        // more than a page of rows dated far ahead (a broken proxy), and one an hour ahead
        List<String> ahead = new ArrayList<>(ticks.indexed(index.apply(FAR_AHEAD, PAGE + 1)));
        ahead.addAll(ticks.indexed(index.apply(second() + 3600, 1)));
        ticks.run();
        List<String> pastTheWindow = new ArrayList<>();
        for (int i = 0; i < 200; i++) { // 40 s of real fills, one a tick, the engine's clock moving with them
            real.addAll(ticks.indexed(index.apply(second(), 1)));
            if (i == 100) { // indexed a day late: behind the window, not read; it disturbs nothing
                pastTheWindow.addAll(ticks.indexed(index.apply(second() - 86_400, 1)));
            }
            ticks.run();
        }

        assertThat(ticks.detection(real).getMin()).as("no real fill missed").isPositive();
        // a page ending with rows dated too far ahead ends the reading: those after it on the venue are not read
        List<String> read = ahead.stream().filter(ticks.admittedAt()::containsKey).toList();
        assertThat(read).as("the rows dated ahead that were read, each admitted at its first reading").isNotEmpty();
        assertThat(copied).as("and skipped as dated ahead, never copied").doesNotContainAnyElementsOf(ahead);
        assertThat(skipped(Reason.FILTER_DATED_AHEAD)).isEqualTo(read.size());
        assertThat(ticks.detection(real).getMax()).as("every real fill admitted at the poll after it").isEqualTo(1);
        assertThat(ticks.anomalies()).isZero();
        assertThat(malformedRows()).as("rows that read as fills are not malformed").isZero();
        assertThat(pastTheWindow).hasSize(1);
    }
}
