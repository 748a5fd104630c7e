package io.copytrader.paper;

import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.Side;
import io.copytrader.domain.TraderId;
import io.copytrader.venue.FeedPage;
import io.copytrader.venue.FeedRow;
import io.copytrader.venue.JdkVenueHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The feed side of the contract over real HTTP, through {@link PaperFeedAdapter}. */
@Timeout(60)
class PaperFeedHttpTest {
    private static final TraderId ALICE = new TraderId("alice");
    private final JdkVenueHttpClient http = new JdkVenueHttpClient(Duration.ofSeconds(2), Duration.ofSeconds(5));

    private static PaperVenueConfig.Builder paused(long seed) {
        return PaperVenueConfig.builder().seed(seed).traders(Map.of("alice", 0.0));
    }

    /** Reads pages until the venue says there is nothing more; returns the trades in order. */
    private List<DetectedTrade> readAll(PaperFeedAdapter feed, List<Long> seqs, String[] cursor) throws Exception {
        List<DetectedTrade> trades = new ArrayList<>();
        FeedPage page;
        do {
            page = feed.onPage(ALICE, cursor[0], http.execute(feed.fetchPage(ALICE, cursor[0])), Instant.now());
            for (FeedRow row : page.rows()) {
                DetectedTrade trade = ((FeedRow.Trade) row).trade();
                trades.add(trade);
                seqs.add(Long.parseLong(trade.sourceTradeId().value().substring("alice-".length())));
            }
            cursor[0] = page.nextCursor();
        } while (page.hasMore());
        return trades;
    }

    @Test
    void shouldPageWithoutGapOrRepeatWhileTheTraderEmitsTwoThousandPerSecond() throws Exception {
        try (PaperVenue venue = PaperVenue.start(PaperVenueConfig.builder().traders(Map.of("alice", 2000.0)).build())) {
            PaperFeedAdapter feed = new PaperFeedAdapter(venue.baseUrl(), 7);
            PaperVenueAdmin admin = new PaperVenueAdmin(venue.baseUrl(), http);
            List<Long> seqs = new ArrayList<>();
            String[] cursor = {null};

            // 1. read small pages while emission runs, until 3000 fills have been read
            while (seqs.size() < 3000) {
                readAll(feed, seqs, cursor);
            }
            // 2. pause the trader, then drain what is left
            admin.setRate("alice", 0);
            readAll(feed, seqs, cursor);
            long emitted = admin.stats().traders().get("alice").emitted();

            // 3. every seq from 1 to the last, once, in order
            assertThat(seqs).containsExactlyElementsOf(LongStream.rangeClosed(1, emitted).boxed().toList());
        }
    }

    @Test
    void shouldServeTheSameTradesForTheSameSeedWhateverTheTiming() throws Exception {
        List<String> first;
        List<String> second;
        List<String> otherSeed;
        try (PaperVenue a = PaperVenue.start(paused(7).build()); PaperVenue b = PaperVenue.start(paused(7).build());
             PaperVenue c = PaperVenue.start(paused(8).build())) {
            new PaperVenueAdmin(a.baseUrl(), http).emit("alice", 300);
            PaperVenueAdmin adminB = new PaperVenueAdmin(b.baseUrl(), http);
            adminB.emit("alice", 100);
            adminB.emit("alice", 200);
            new PaperVenueAdmin(c.baseUrl(), http).emit("alice", 300);
            first = describe(readAll(new PaperFeedAdapter(a.baseUrl(), 1000), new ArrayList<>(), new String[1]));
            second = describe(readAll(new PaperFeedAdapter(b.baseUrl(), 33), new ArrayList<>(), new String[1]));
            otherSeed = describe(readAll(new PaperFeedAdapter(c.baseUrl(), 1000), new ArrayList<>(), new String[1]));
        }
        assertThat(first).hasSize(300).isEqualTo(second).isNotEqualTo(otherSeed);
    }

    private static List<String> describe(List<DetectedTrade> trades) {
        return trades.stream().map(t -> t.sourceTradeId() + " " + t.instrument() + " " + t.outcome() + " " + t.side()
                + " " + t.price().toPlainString() + " " + t.quantity().toPlainString()).toList();
    }

    @Test
    void shouldDrawPricesSidesAndSizesFromTheDocumentedDistribution() throws Exception {
        try (PaperVenue venue = PaperVenue.start(paused(42).build())) {
            new PaperVenueAdmin(venue.baseUrl(), http).emit("alice", 2000);
            List<DetectedTrade> trades = readAll(new PaperFeedAdapter(venue.baseUrl(), 1000), new ArrayList<>(), new String[1]);

            assertThat(trades).hasSize(2000).allSatisfy(t -> {
                assertThat(t.price()).isGreaterThan(new BigDecimal("0.01")).isLessThan(new BigDecimal("0.99"));
                assertThat(t.price().scale()).isBetween(2, 3);
                assertThat(t.instrument().value()).matches("tok-([1-9]|1[0-9]|20)");
                assertThat(t.outcome()).isIn("YES", "NO");
            });
            long buys = trades.stream().filter(t -> t.side() == Side.BUY).count();
            long small = trades.stream().filter(t -> t.notional().compareTo(new BigDecimal("0.5")) < 0).count();
            long large = trades.stream().filter(t -> t.notional().compareTo(new BigDecimal("1000")) > 0).count();
            assertThat(buys).isBetween(1300L, 1500L);
            assertThat(small).isBetween(150L, 500L);
            assertThat(large).isPositive();
        }
    }

    @Test
    void shouldEmitAtTheRateOfTheInjectedClockAndStampFillsWithIt() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        try (PaperVenue venue = PaperVenue.start(PaperVenueConfig.builder().clock(clock).traders(Map.of("alice", 10.0)).build())) {
            clock.advance(Duration.ofSeconds(3));
            await().atMost(Duration.ofSeconds(5)).until(() -> venue.stats().tradesEmitted() == 30);

            List<DetectedTrade> trades = readAll(new PaperFeedAdapter(venue.baseUrl()), new ArrayList<>(), new String[1]);
            assertThat(trades).hasSize(30).allSatisfy(t -> assertThat(t.tsEvent()).isEqualTo(clock.instant()));
            assertThat(venue.stats().tradesEmitted()).isEqualTo(30);
        }
    }

    @Test
    void shouldAnswerAnUnknownTraderWith404() throws Exception {
        try (PaperVenue venue = PaperVenue.start(paused(1).build())) {
            PaperFeedAdapter feed = new PaperFeedAdapter(venue.baseUrl());
            TraderId bob = new TraderId("bob");
            assertThatThrownBy(() -> feed.onPage(bob, null, http.execute(feed.fetchPage(bob, null)), Instant.now()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no trader 'bob'");
        }
    }

    @Test
    void shouldKeepOnlyTheRetainedFillsAndServeTheOldestKept() throws Exception {
        try (PaperVenue venue = PaperVenue.start(paused(1).feedRetention(50).build())) {
            new PaperVenueAdmin(venue.baseUrl(), http).emit("alice", 120);
            List<Long> seqs = new ArrayList<>();
            readAll(new PaperFeedAdapter(venue.baseUrl(), 1000), seqs, new String[1]);
            assertThat(seqs).containsExactlyElementsOf(LongStream.rangeClosed(71, 120).boxed().toList());
        }
    }
}
