package io.copytrader.polymarket;

import io.copytrader.domain.Reason;
import io.copytrader.domain.TraderId;
import io.copytrader.engine.PipelineMetrics;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.engine.TradeDetector;
import io.copytrader.engine.TradeFilter;
import io.copytrader.engine.TradeLedger;
import io.copytrader.store.InMemoryTradeStore;
import io.copytrader.venue.JdkVenueHttpClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A row dated far ahead of the engine's clock (a venue bug, a corrupted row, a broken proxy) among a target's real
 * fills, read by the engine's {@link TradeDetector} tick after tick from both Data API routes: the row is rejected as
 * malformed and never moves the cursor, so every real fill after it is still read at the next poll. The engine's
 * clock moves with the ticks (five a second) as the fakes' timestamps do.
 */
@Timeout(120)
class PolymarketFeedFutureRowTest {
    static final TraderId TARGET = PolymarketFeedAdapterTest.TARGET;
    static final long T0 = PolymarketFeedAdapterPollingTest.T0;
    static final int PAGE = PolymarketFeedAdapterPollingTest.PAGE;
    /** Ten years ahead: well under the reader's epoch-seconds ceiling, so only the clock can tell it is wrong. */
    static final long FAR_AHEAD = T0 + 10L * 365 * 86_400;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private FeedTicks ticks;

    /** The engine's clock: the fakes' second at the current tick. */
    private final Clock clock = new SecondsClock(this::second);

    private long second() {
        return T0 + (ticks == null ? 0 : ticks.tick()) / 5;
    }

    private FeedTicks ticks(String url, FeedApi api, java.util.function.IntSupplier requests) {
        TradeDetector detector = new TradeDetector(List.of(TARGET),
                new PolymarketFeedAdapter(url, PAGE, Duration.ofSeconds(60), Duration.ZERO, clock, api),
                new JdkVenueHttpClient(Duration.ofSeconds(2), Duration.ofSeconds(10)), new InMemoryTradeStore(clock),
                new PipelineMetrics(registry), clock).readingAtMostPagesPerPoll(PolymarketFeedAdapterPollingTest.MAX_PAGES);
        return new FeedTicks(detector, TARGET, requests);
    }

    private double malformedRows() {
        return registry.get(PipelineMetrics.ROWS_REJECTED).tag("reason", Reason.FEED_MALFORMED_ROW.name()).counter()
                .count();
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
     * A row rejected as too far ahead moves no cursor, so it is read again at every poll until it comes within the
     * row tolerance; it is then admitted, still further ahead than the filter's tolerance: skipped and recorded, and
     * never copied, not even once its date has passed. The engine's dedup and filter run as in the route.
     */
    @Test
    void shouldNeverCopyARowRejectedAsTooFarAheadWhenItIsReadAgainLater() {
        try (ActivityFake fake = ActivityFake.start(TARGET.value(), PolymarketFeedAdapterTest.YES)) {
            InMemoryTradeStore store = new InMemoryTradeStore(clock);
            TradeLedger ledger = new TradeLedger(store, new PipelineMetrics(registry));
            TradeFilter filter = new TradeFilter(BigDecimal.ZERO, Duration.ofSeconds(30), ledger, clock);
            List<String> copied = new ArrayList<>();
            ticks = ticks(fake.url(), FeedApi.V1, fake::requests).admitting(trade -> {
                if (ledger.admit(trade) && filter.accepts(trade)) {
                    copied.add(trade.sourceOrder());
                }
            });
            List<String> real = new ArrayList<>(ticks.indexed(fake.index(T0 - 20, 3)));
            ticks.run(2);
            String ahead = ticks.indexed(fake.index(second() + 45, 1)).get(0);
            for (int i = 0; i < 300; i++) { // a minute: the row's date comes and goes
                real.addAll(ticks.indexed(fake.index(second(), 1)));
                ticks.run();
            }

            assertThat(malformedRows()).as("rejected while more than the row tolerance ahead").isPositive();
            assertThat(ticks.admittedAt()).as("then read again and admitted").containsKey(ahead);
            assertThat(copied).as("but never copied").doesNotContain(ahead).containsAll(real);
            assertThat(store.outcomeCounts()).containsEntry(TradeOutcome.SKIPPED, 1L);
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
        assertThat(ticks.admittedAt().keySet()).as("the rows dated ahead of the engine's clock are never admitted")
                .doesNotContainAnyElementsOf(ahead);
        assertThat(ticks.detection(real).getMax()).as("every real fill admitted at the poll after it").isEqualTo(1);
        assertThat(ticks.anomalies()).isZero();
        assertThat(malformedRows()).as("rejected as malformed rows, counted").isPositive();
        assertThat(pastTheWindow).hasSize(1);
    }
}
