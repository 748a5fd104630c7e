package io.copytrader.polymarket;

import io.copytrader.domain.TraderId;
import io.copytrader.engine.PipelineMetrics;
import io.copytrader.engine.TradeDetector;
import io.copytrader.store.InMemoryTradeStore;
import io.copytrader.venue.JdkVenueHttpClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IntSummaryStatistics;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The v2 reader ({@code GET /v2/activity}, keyset cursor) polled tick after tick by the engine's {@link TradeDetector}
 * against {@link ActivityV2Fake}: the cases of {@link PolymarketFeedAdapterPollingTest} (same ticks, page size and
 * overlap), and the ones only a keyset cursor can read: a second of more than 5,500 fills, a refused cursor, 429s.
 */
@Timeout(120)
class PolymarketKeysetFeedPollingTest {
    static final TraderId TARGET = PolymarketFeedAdapterTest.TARGET;
    static final long T0 = PolymarketFeedAdapterPollingTest.T0;
    static final int PAGE = PolymarketFeedAdapterPollingTest.PAGE;

    private final ActivityV2Fake fake = ActivityV2Fake.start(TARGET.value(), PolymarketFeedAdapterTest.YES);
    private final Clock clock = new SecondsClock(this::clockSecond);
    private final InMemoryTradeStore store = new InMemoryTradeStore(clock);
    private final FeedTicks ticks = new FeedTicks(detector(FeedApi.V2), TARGET, fake::requests);

    private TradeDetector detector(FeedApi api) {
        return new TradeDetector(List.of(TARGET),
                new PolymarketFeedAdapter(fake.url(), PAGE, Duration.ofSeconds(60), Duration.ZERO, clock, api),
                new JdkVenueHttpClient(Duration.ofSeconds(2), Duration.ofSeconds(10)), store,
                new PipelineMetrics(new SimpleMeterRegistry()), clock)
                .readingAtMostPagesPerPoll(PolymarketFeedAdapterPollingTest.MAX_PAGES);
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    private long second() {
        return T0 + ticks.tick() / 5;
    }

    /** The engine's clock: the fake's second, from before the first tick on. */
    private long clockSecond() {
        return ticks == null ? T0 : second();
    }

    private List<String> index(long ts, int count) {
        return ticks.indexed(fake.index(ts, count));
    }

    private void busyTarget() {
        for (long s = T0 - 60; s < T0; s++) {
            index(s, 10);
        }
        ticks.run(3);
        assertThat(ticks.admittedAt()).hasSize(600);
    }

    /** (a) More fills inside the overlap window than a page, and a steady trickle of new fills. */
    @Test
    void shouldDetectATrickleAtTheNextPollHoweverManyOldRowsShareTheWindow() {
        busyTarget();
        int from = ticks.tick() + 1;
        List<String> trickle = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            trickle.addAll(index(second(), 2));
            ticks.run();
        }
        IntSummaryStatistics detect = ticks.detection(trickle);
        IntSummaryStatistics requests = ticks.requests(from + 150, ticks.tick());
        System.out.printf("v2 (a) trickle: ticks to detect min %d max %d mean %.2f; requests/poll min %d max %d mean"
                        + " %.2f%n", detect.getMin(), detect.getMax(), detect.getAverage(), requests.getMin(),
                requests.getMax(), requests.getAverage());
        assertThat(detect.getMin()).as("never missed").isPositive();
        assertThat(detect.getMax()).as("every fill admitted at the poll after it was indexed").isEqualTo(1);
        assertThat(requests.getMax()).as("a sweep page, and the tail when that page said more").isLessThanOrEqualTo(2);
        assertThat(ticks.anomalies()).isZero();
    }

    /** (b) A burst of 2,000 fills in one second, then one fill a tick, some in the burst's own second. */
    @Test
    void shouldReadABurstOfOneSecondAndDetectEveryLaterFillAtTheNextPoll() {
        index(T0 - 30, 5);
        ticks.run(2);
        long burstSecond = second();
        List<String> burst = index(burstSecond, 2000);
        ticks.run();
        int from = ticks.tick() + 1;
        List<String> trickle = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            trickle.addAll(index(second(), 1)); // the first few in the burst's own second: keyset orders them after it
            ticks.run();
        }
        IntSummaryStatistics burstDetect = ticks.detection(burst);
        IntSummaryStatistics detect = ticks.detection(trickle);
        IntSummaryStatistics inWindow = ticks.requests(from + 5, from + 250);
        IntSummaryStatistics after = ticks.requests(from + 320, ticks.tick());
        System.out.printf("v2 (b) burst: burst ticks to detect max %d; later fills ticks to detect min %d max %d mean"
                        + " %.2f; requests/poll while the burst is in the window min %d max %d mean %.2f, after it %d-%d%n",
                burstDetect.getMax(), detect.getMin(), detect.getMax(), detect.getAverage(), inWindow.getMin(),
                inWindow.getMax(), inWindow.getAverage(), after.getMin(), after.getMax());
        assertThat(burstDetect.getMin()).as("no fill of the burst missed").isPositive();
        assertThat(burstDetect.getMax()).as("the burst read in the poll after it").isEqualTo(1);
        assertThat(detect.getMin()).as("never missed").isPositive();
        assertThat(detect.getMax()).as("every later fill, in the burst's second or after, at the next poll").isEqualTo(1);
        assertThat(inWindow.getMax()).isLessThanOrEqualTo(2);
        assertThat(after.getMax()).as("one request a poll once the burst left the window").isEqualTo(1);
        assertThat(ticks.anomalies()).isZero();
    }

    /** (c) Rows indexed late, behind the keyset anchor: found by the sweep of the window. */
    @Test
    void shouldFindRowsIndexedLateBehindTheKeysetAnchorWithinOneSweep() {
        busyTarget();
        List<String> late = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            index(second(), 2);
            if (i % 10 == 3) {
                late.addAll(index(second() - 50, 1));
            } else if (i % 10 == 7) {
                late.addAll(index(second() - 5, 1));
            }
            ticks.run();
        }
        IntSummaryStatistics detect = ticks.detection(late);
        System.out.printf("v2 (c) late rows: ticks to detect min %d max %d mean %.2f%n", detect.getMin(),
                detect.getMax(), detect.getAverage());
        assertThat(detect.getMin()).as("no late row missed").isPositive();
        assertThat(detect.getMax()).as("within a sweep of the window: its two pages").isLessThanOrEqualTo(2);
    }

    /** (d) Equal block seconds across a page boundary, and a second of more rows than a page. */
    @Test
    void shouldMissNoRowOfASecondThatCrossesAPageBoundary() {
        List<String> all = new ArrayList<>(index(T0 - 20, 495));
        all.addAll(index(T0 - 19, 12));
        ticks.run(1);
        all.addAll(index(T0 - 10, 700));
        all.addAll(index(T0 - 9, 3));
        ticks.run(1);
        List<String> trickle = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            trickle.addAll(index(second(), 1));
            ticks.run();
        }
        IntSummaryStatistics detect = ticks.detection(trickle);
        System.out.printf("v2 (d) ties: ticks to detect max %d; later fills max %d; requests/poll %s%n",
                ticks.detection(all).getMax(), detect.getMax(), ticks.requests(3, ticks.tick()));
        assertThat(ticks.detection(all).getMin()).as("no row of a tie missed").isPositive();
        assertThat(ticks.detection(all).getMax()).isEqualTo(1);
        assertThat(detect.getMax()).isEqualTo(1);
        assertThat(ticks.admittedAt()).hasSize(all.size() + trickle.size());
        assertThat(ticks.anomalies()).isZero();
    }

    /** (e) 6,000 fills in one second: past what offset paging can read (5,500), read whole by the keyset cursor. */
    @Test
    void shouldReadASecondOfMoreFillsThanOffsetPagingCanReach() {
        index(T0 - 30, 5);
        ticks.run(2);
        List<String> burst = index(second(), 6000);
        ticks.run();
        List<String> trickle = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            trickle.addAll(index(second(), 1));
            ticks.run();
        }
        IntSummaryStatistics burstDetect = ticks.detection(burst);
        IntSummaryStatistics detect = ticks.detection(trickle);
        System.out.printf("v2 (e) 6,000 in one second: burst ticks to detect min %d max %d; later fills max %d;"
                + " requests/poll %s%n", burstDetect.getMin(), burstDetect.getMax(), detect.getMax(),
                ticks.requests(3, ticks.tick()));
        assertThat(burstDetect.getMin()).as("every fill of the second read").isPositive();
        assertThat(burstDetect.getMax()).as("ten pages a poll: 12 pages in two polls").isLessThanOrEqualTo(2);
        assertThat(detect.getMin()).isPositive();
        assertThat(detect.getMax()).as("a later fill waits at most for the burst's reading").isLessThanOrEqualTo(2);
        assertThat(ticks.admittedAt()).hasSize(5 + 6000 + 30);
        assertThat(ticks.anomalies()).isZero();
    }

    /**
     * Every stored API cursor expires (400): the poll reads again from the newest second less the overlap, in the same
     * tick, without a cursor: no fill missed, none admitted twice, no request loop.
     */
    @Test
    void shouldRestartFromTheWindowWhenTheStoredCursorIsRefused() {
        busyTarget();
        List<String> fills = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            fills.addAll(index(second(), 2));
            if (i % 7 == 2) {
                fake.expireCursors();
            }
            ticks.run();
        }
        IntSummaryStatistics detect = ticks.detection(fills);
        System.out.printf("v2 refused cursors: %d refused; ticks to detect max %d%n", fake.cursorsRefused(),
                detect.getMax());
        assertThat(fake.cursorsRefused()).as("the fake did refuse stored cursors").isPositive();
        assertThat(detect.getMin()).isPositive();
        assertThat(detect.getMax()).as("restarted in the same tick").isEqualTo(1);
        assertThat(ticks.admittedAt()).hasSize(600 + fills.size());
        assertThat(ticks.anomalies()).isZero();
    }

    /** Short pages with has_more, and 429s: the walk follows has_more, a refused poll is retried at the next tick. */
    @Test
    void shouldFollowHasMoreOverShortPagesAndRetryAfterA429() {
        fake.shortPages(true);
        busyTarget();
        List<String> fills = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            fills.addAll(index(second(), 2));
            if (i == 10 || i == 20) {
                fake.refuseNext(1);
            }
            ticks.run();
        }
        IntSummaryStatistics detect = ticks.detection(fills);
        assertThat(fake.refused()).isEqualTo(2);
        assertThat(detect.getMin()).isPositive();
        assertThat(detect.getMax()).as("a refused poll's fills at the next one").isLessThanOrEqualTo(2);
        assertThat(ticks.admittedAt()).hasSize(600 + fills.size());
        assertThat(fake.urls()).as("never past the documented cap, never an offset")
                .allSatisfy(u -> assertThat(u).contains("limit=" + PAGE).doesNotContain("offset="));
    }

    /**
     * The setting switched between runs, either way, with the same store: each reader reads the other's stored cursor
     * again from its newest second less the overlap, and gives each fill the id the other gave it (v1 answers amounts
     * as JSON numbers, v2 as strings with trailing zeros), so the engine's dedup admits no fill twice and misses none.
     */
    @Test
    void shouldMissAndDoubleNothingWhenTheSettingIsSwitched() {
        try (ActivityFake v1 = ActivityFake.start(TARGET.value(), PolymarketFeedAdapterTest.YES)) {
            for (long s = T0 - 40; s < T0; s++) { // the same fills on both routes, the same hashes
                fake.index(s, 5);
                v1.index(s, 5);
            }
            ticks.run(2);
            assertThat(ticks.ids()).hasSize(200);
            TradeDetector v1Reader = new TradeDetector(List.of(TARGET),
                    new PolymarketFeedAdapter(v1.url(), PAGE, Duration.ofSeconds(60), Duration.ZERO, clock, FeedApi.V1),
                    new JdkVenueHttpClient(Duration.ofSeconds(2), Duration.ofSeconds(10)), store,
                    new PipelineMetrics(new SimpleMeterRegistry()), clock);
            FeedTicks switched = new FeedTicks(v1Reader, TARGET, v1::requests);
            fake.index(T0, 3);
            v1.index(T0, 3);
            switched.run(2);
            assertThat(switched.ids()).as("the window read again: the same ids, and the 3 new fills").hasSize(203)
                    .containsAll(ticks.ids());
            fake.index(T0 + 1, 2);
            v1.index(T0 + 1, 2);
            ticks.run(2); // back to v2, from the v1 reader's cursor
            assertThat(ticks.ids()).as("the v2 reader read the window again: the same 203 ids, and 2 new")
                    .hasSize(205).containsAll(switched.ids());
        }
    }
}
