package io.copytrader.paper;

import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.TraderId;
import io.copytrader.venue.FeedPage;
import io.copytrader.venue.FeedRow;
import io.copytrader.venue.JdkVenueHttpClient;
import io.copytrader.venue.OrderState;
import io.copytrader.venue.PlaceResult;
import io.copytrader.domain.CopyIntent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The venue's timer sleeps until its next event instead of ticking every 10 ms, and still emits each fill and fills
 * each resting order when due: never early, and well within the second it may sleep at most. Real clock, real HTTP.
 */
@Timeout(30)
class VenueTimerTest {
    /** Generous: the machine may be loaded; a timer that slept its full second would miss it. */
    private static final long LATE_MILLIS = 500;
    private final JdkVenueHttpClient http = new JdkVenueHttpClient(Duration.ofSeconds(2), Duration.ofSeconds(5));
    private final Clock clock = Clock.systemUTC();

    @Test
    void shouldEmitEachFillWhenItsRateOwesItAndSleepBetween() throws Exception {
        // 1. alice trades 5 times a second: a fill owed every 200 ms
        long started = clock.millis();
        try (PaperVenue venue = PaperVenue.start(PaperVenueConfig.builder().traders(Map.of("alice", 5.0)).build())) {
            await().atMost(Duration.ofSeconds(10)).until(() -> venue.stats().tradesEmitted() >= 5);
            long runs = venue.timerRuns();

            // 2. the n-th fill is stamped no earlier than n x 200 ms after the start, and not much later
            List<DetectedTrade> fills = read(venue, 5);
            for (int n = 1; n <= 5; n++) {
                long owed = started + n * 200L;
                assertThat(fills.get(n - 1).tsEvent().toEpochMilli()).as("fill %d", n)
                        .isBetween(owed - 1, owed + 200 + LATE_MILLIS);
            }
            // 3. about one run per fill, where a 10 ms tick would have run 100 times in that second
            assertThat(runs).isLessThan(30);
        }
    }

    @Test
    void shouldWakeWhenARateChangesAndSpreadTheFillsOverTime() throws Exception {
        // 1. a paused trader: the timer sleeps its longest (1 s)
        try (PaperVenue venue = PaperVenue.start(PaperVenueConfig.builder().traders(Map.of("alice", 0.0)).build())) {
            await().atMost(Duration.ofSeconds(5)).until(() -> venue.timerRuns() >= 2);

            // 2. alice starts trading 100 times a second
            long changed = clock.millis();
            new PaperVenueAdmin(venue.baseUrl(), http).setRate("alice", 100);
            await().atMost(Duration.ofSeconds(10)).until(() -> venue.stats().tradesEmitted() >= 30);

            // 3. the first fill came soon after the change, and the fills were emitted as they fell due, not in one lump
            List<DetectedTrade> fills = read(venue, 30);
            assertThat(fills.get(0).tsEvent().toEpochMilli()).isBetween(changed, changed + 10 + LATE_MILLIS);
            assertThat(fills.stream().map(DetectedTrade::tsEvent).distinct().count()).isGreaterThanOrEqualTo(5);
        }
    }

    @Test
    void shouldFillARestingOrderWhenItComesDue() throws Exception {
        // 1. every order rests 300 ms; no trader, so the timer sleeps its longest until the order comes
        FillModelSettings resting = new FillModelSettings(0, 0, 1, 0, Duration.ofMillis(300), Duration.ofMillis(300));
        try (PaperVenue venue = PaperVenue.start(PaperVenueConfig.builder().traders(Map.of())
                .startingCash(new BigDecimal("1000")).fillModel(resting).build())) {
            await().atMost(Duration.ofSeconds(5)).until(() -> venue.timerRuns() >= 2);
            PaperExchangeAdapter exchange = new PaperExchangeAdapter(venue.baseUrl());
            CopyIntent warmUp = Intents.buy("t-0", "0.10", "10");
            exchange.onPlaceReply(warmUp, http.execute(exchange.prepareOrder(warmUp).call()));
            await().atMost(Duration.ofSeconds(5)).until(() -> venue.stats().ordersFilled() == 1);
            CopyIntent buy = Intents.buy("t-1", "0.25", "40");

            // 2. placed (the venue took it between these two instants): open
            long sent = clock.millis();
            PlaceResult result = exchange.onPlaceReply(buy, http.execute(exchange.prepareOrder(buy).call()));
            long answered = clock.millis();
            assertThat(result).isInstanceOfSatisfying(PlaceResult.Accepted.class,
                    a -> assertThat(a.status().state()).isEqualTo(OrderState.OPEN));

            // 3. filled once due, not before and not a sleep's length after
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5)).until(() ->
                    exchange.onLookupReply(buy, http.execute(exchange.lookupOrder(buy, null))).state() == OrderState.FILLED);
            long filled = clock.millis();
            assertThat(filled).isBetween(sent + 300, answered + 300 + LATE_MILLIS);
        }
    }

    private List<DetectedTrade> read(PaperVenue venue, int count) throws Exception {
        PaperFeedAdapter feed = new PaperFeedAdapter(venue.baseUrl(), count);
        TraderId alice = new TraderId("alice");
        FeedPage page = feed.onPage(alice, null, http.execute(feed.fetchPage(alice, null)), Instant.now());
        List<DetectedTrade> fills = new ArrayList<>();
        for (FeedRow row : page.rows()) {
            fills.add(((FeedRow.Trade) row).trade());
        }
        assertThat(fills).hasSizeGreaterThanOrEqualTo(count);
        return fills.subList(0, count);
    }
}
