package io.copytrader.polymarket;

import io.copytrader.domain.DetectedTrade;
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
import java.util.HashMap;
import java.util.IntSummaryStatistics;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The adapter polled tick after tick, as the engine polls it, against {@link ActivityFake} (the Data API's ordering,
 * ties, late indexing and offset ceiling on loopback): the engine's {@link TradeDetector} reads the pages, commits the
 * cursor and decides whether the tick reads on ({@link TradeDetector#readsOn(TradeDetector.Poll, int, boolean)}, the
 * rule of the detect-trades route); the engine's dedup is the set of trades admitted. A tick is a poll interval
 * (200 ms: five ticks a second of the fake's timestamps). Each case says how many ticks a fill takes to be admitted
 * (1: the first poll after it was indexed) and how many requests a poll sends.
 */
@Timeout(120)
class PolymarketFeedAdapterPollingTest {
    static final TraderId TARGET = PolymarketFeedAdapterTest.TARGET;
    static final long T0 = 1_762_077_600L;
    static final int PAGE = 500;
    static final int MAX_PAGES = 10;

    private final ActivityFake fake = ActivityFake.start(TARGET.value(), PolymarketFeedAdapterTest.YES);
    private final Clock clock = new SecondsClock(this::second);
    private final TradeDetector detector = new TradeDetector(List.of(TARGET),
            new PolymarketFeedAdapter(fake.url(), PAGE, Duration.ofSeconds(60), Duration.ZERO, clock),
            new JdkVenueHttpClient(Duration.ofSeconds(2), Duration.ofSeconds(10)), new InMemoryTradeStore(clock),
            new PipelineMetrics(new SimpleMeterRegistry()), clock).readingAtMostPagesPerPoll(MAX_PAGES);

    /** Each admitted fill's tick, by transaction hash; each fill indexed's first tick after it. */
    private final Map<String, Integer> admittedAt = new HashMap<>();
    private final Map<String, Integer> indexedBefore = new HashMap<>();
    private final List<Integer> requestsPerTick = new ArrayList<>();
    private int tick;
    private int duplicatesAdmitted;
    private int outOfOrder;

    @AfterEach
    void stop() {
        fake.close();
    }

    /** The second of the fake's clock at the current tick. */
    private long second() {
        return T0 + tick / 5;
    }

    private List<String> index(long ts, int count) {
        List<String> txs = fake.index(ts, count);
        txs.forEach(tx -> indexedBefore.put(tx, tick + 1));
        return txs;
    }

    /** One poll tick of the target, page after page while the engine's rule says read on. */
    private void tick() {
        tick++;
        int before = fake.requests();
        int pages = 0;
        boolean admitted = false;
        TradeDetector.Poll page;
        do {
            page = pages == 0 ? detector.pollTrader(TARGET.value()) : detector.pollNextPage(TARGET);
            pages++;
            long newestAdmitted = Long.MIN_VALUE;
            for (DetectedTrade trade : page.trades()) {
                if (admittedAt.putIfAbsent(trade.sourceOrder(), tick) == null) {
                    admitted = true;
                    long ts = trade.tsEvent().getEpochSecond();
                    if (ts < newestAdmitted && indexedBefore.get(trade.sourceOrder()) == tick) {
                        outOfOrder++;
                    }
                    newestAdmitted = Math.max(newestAdmitted, ts);
                } else if (admittedAt.get(trade.sourceOrder()) == tick && pages == 1) {
                    duplicatesAdmitted++; // the same fill twice on one page
                }
            }
            detector.commit(page);
        } while (detector.readsOn(page, pages, admitted));
        requestsPerTick.add(fake.requests() - before);
    }

    private void ticks(int count) {
        for (int i = 0; i < count; i++) {
            tick();
        }
    }

    /** Ticks from the poll after the fill was indexed to the poll that admitted it (1: the next poll); -1 if never. */
    private int ticksToDetect(String tx) {
        Integer at = admittedAt.get(tx);
        return at == null ? -1 : at - indexedBefore.get(tx) + 1;
    }

    private IntSummaryStatistics detection(List<String> txs) {
        return txs.stream().mapToInt(this::ticksToDetect).summaryStatistics();
    }

    private IntSummaryStatistics requests(int fromTick, int toTick) {
        return requestsPerTick.subList(fromTick - 1, toTick).stream().mapToInt(Integer::intValue).summaryStatistics();
    }

    /** 600 fills in the minute before T0, ten a second: more than a page inside the overlap window. */
    private void busyTarget() {
        for (long s = T0 - 60; s < T0; s++) {
            index(s, 10);
        }
        ticks(3); // the first poll reads them all (two pages, both new)
        assertThat(admittedAt).hasSize(600);
    }

    /** (a) A target with more fills inside the overlap window than a page, and a steady trickle of new fills. */
    @Test
    void shouldDetectATrickleAtTheNextPollHoweverManyOldRowsShareTheWindow() {
        busyTarget();
        int from = tick + 1;
        List<String> trickle = new ArrayList<>();
        for (int i = 0; i < 300; i++) { // a minute: two fills a tick, ten a second
            trickle.addAll(index(second(), 2));
            tick();
        }
        IntSummaryStatistics detect = detection(trickle);
        IntSummaryStatistics requests = requests(from + 150, tick);
        System.out.printf("(a) trickle: ticks to detect min %d max %d mean %.2f; requests/poll min %d max %d mean %.2f%n",
                detect.getMin(), detect.getMax(), detect.getAverage(), requests.getMin(), requests.getMax(),
                requests.getAverage());
        assertThat(detect.getMin()).as("never missed").isPositive();
        assertThat(detect.getMax()).as("every fill admitted at the poll after it was indexed").isEqualTo(1);
        // the window holds 600-610 rows: two pages (the second starts again at the first one's last second)
        assertThat(requests.getMax()).as("requests a poll: the window's pages, no more").isLessThanOrEqualTo(2);
        assertThat(duplicatesAdmitted + outOfOrder).isZero();
    }

    /** (b) A burst of 2,000 fills in one second, then one fill a tick: the burst stays in the window for a minute. */
    @Test
    void shouldReadABurstOfOneSecondAndStillDetectEachLaterFillAtTheNextPoll() {
        index(T0 - 30, 5);
        ticks(2);
        long burstSecond = second();
        List<String> burst = index(burstSecond, 2000);
        tick();
        int from = tick + 1;
        List<String> trickle = new ArrayList<>();
        List<String> sameSecond = new ArrayList<>();
        for (int i = 0; i < 400; i++) { // 80 s: the burst's second leaves the window after 60
            (second() == burstSecond ? sameSecond : trickle).addAll(index(second(), 1));
            tick();
        }
        assertThat(sameSecond).as("fills in the burst's own second after it").isNotEmpty();
        IntSummaryStatistics tied = detection(sameSecond);
        IntSummaryStatistics burstDetect = detection(burst);
        IntSummaryStatistics detect = detection(trickle);
        IntSummaryStatistics inWindow = requests(from + 5, from + 250);
        IntSummaryStatistics after = requests(from + 320, tick);
        System.out.printf("(b) burst: burst ticks to detect max %d; in its second after it max %d; later fills ticks to"
                        + " detect min %d max %d mean %.2f; requests/poll while the burst is in the window min %d max %d"
                        + " mean %.2f, after it %d-%d%n",
                burstDetect.getMax(), tied.getMax(), detect.getMin(), detect.getMax(), detect.getAverage(), inWindow.getMin(),
                inWindow.getMax(), inWindow.getAverage(), after.getMin(), after.getMax());
        assertThat(burstDetect.getMin()).as("no fill of the burst missed").isPositive();
        assertThat(burstDetect.getMax()).as("the burst read in the poll after it").isEqualTo(1);
        assertThat(detect.getMin()).as("never missed").isPositive();
        assertThat(detect.getMax()).as("every fill of a later second admitted at the poll after it").isEqualTo(1);
        // a second of more than a page is read again only by the sweep: the Data API pages inside a second by offset
        // alone, in an order it does not give, so a fill joining it is found where the sweep passes it
        assertThat(tied.getMin()).as("never missed").isPositive();
        assertThat(tied.getMax()).as("found within one sweep of the window").isLessThanOrEqualTo(8);
        assertThat(inWindow.getMax()).as("a sweep page and a head page a poll").isLessThanOrEqualTo(2);
        assertThat(after.getMax()).as("one request a poll once the burst left the window").isEqualTo(1);
        assertThat(duplicatesAdmitted + outOfOrder).isZero();
    }

    /**
     * (c) Rows indexed late: older timestamps than rows already read, inside the window, deep in it or near its top. The
     * window (600 rows) is swept a page a poll: a late row is found within one sweep, two polls.
     */
    @Test
    void shouldFindRowsIndexedLateWithinOneSweepOfTheWindow() {
        busyTarget();
        List<String> late = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            index(second(), 2);
            if (i % 10 == 3) {
                late.addAll(index(second() - 50, 1)); // among the window's oldest page
            } else if (i % 10 == 7) {
                late.addAll(index(second() - 5, 1)); // among its newest rows
            }
            tick();
        }
        IntSummaryStatistics detect = detection(late);
        System.out.printf("(c) late rows: ticks to detect min %d max %d mean %.2f%n", detect.getMin(), detect.getMax(),
                detect.getAverage());
        assertThat(detect.getMin()).as("no late row missed").isPositive();
        assertThat(detect.getMax()).as("a late row inside the window admitted within a sweep: its two pages")
                .isLessThanOrEqualTo(2);
    }

    /**
     * (d) Equal timestamps across a page boundary, the ties in an order that changes with the query's window: a second
     * straddling the first page's end, and a second of more rows than a page.
     */
    @Test
    void shouldMissNoRowOfASecondThatCrossesAPageBoundary() {
        List<String> all = new ArrayList<>(index(T0 - 20, 495));
        all.addAll(index(T0 - 19, 12)); // rows 496 to 507: the first page ends inside this second
        ticks(1);
        all.addAll(index(T0 - 10, 700)); // a second of more than a page
        all.addAll(index(T0 - 9, 3));
        ticks(1);
        List<String> trickle = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            trickle.addAll(index(second(), 1));
            tick();
        }
        assertThat(detection(all).getMin()).as("no row of a tie missed").isPositive();
        assertThat(detection(all).getMax()).isEqualTo(1);
        IntSummaryStatistics detect = detection(trickle);
        System.out.printf("(d) ties: ticks to detect max %d; later fills max %d; requests/poll %s%n",
                detection(all).getMax(), detect.getMax(), requests(3, tick));
        assertThat(detect.getMin()).isPositive();
        assertThat(detect.getMax()).isEqualTo(1);
        assertThat(admittedAt).hasSize(all.size() + trickle.size());
        assertThat(duplicatesAdmitted + outOfOrder).isZero();
    }
}
