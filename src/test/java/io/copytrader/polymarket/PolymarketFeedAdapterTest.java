package io.copytrader.polymarket;

import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.Reason;
import io.copytrader.domain.Side;
import io.copytrader.domain.TraderId;
import io.copytrader.venue.FeedPage;
import io.copytrader.venue.FeedRow;
import io.copytrader.venue.HttpReply;
import io.copytrader.venue.TransientVenueException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PolymarketFeedAdapterTest {
    static final TraderId TARGET = new TraderId("0x56687bf447db6ffa42ffe2204a05edaa20f55839");
    static final Instant NOW = Instant.parse("2026-11-02T10:00:00Z");
    static final String TX = "0x" + "ab".repeat(32);
    static final String YES = "21742633143463906290569050155826241533067272736897614950488156847949938836455";

    private final PolymarketFeedAdapter feed = new PolymarketFeedAdapter("https://data-api.example/", 3,
            Duration.ofSeconds(60), Duration.ZERO, Clock.fixed(NOW, ZoneOffset.UTC));

    static String row(String tx, long ts, String side, String size, String price) {
        return PolymarketFake.activityRow(TARGET.value(), "TRADE", tx, ts, YES, side, size, price);
    }

    static HttpReply ok(String body) {
        return new HttpReply(200, Map.of(), body);
    }

    @Test
    void shouldAskForTradesAscendingFromTheSweepOrTheHead() {
        assertThat(feed.fetchPage(TARGET, null).url()).isEqualTo("https://data-api.example/activity?user=" + TARGET.value()
                + "&type=TRADE&sortBy=TIMESTAMP&sortDirection=ASC&limit=3");
        // the sweep: from a second on, or inside one second of more than a page
        assertThat(feed.fetchPage(TARGET, "v2:1762077600:1762077540:-").url()).endsWith("&limit=3&start=1762077540");
        assertThat(feed.fetchPage(TARGET, "v2:1762077600:1762077550+3:-").url())
                .endsWith("&limit=3&start=1762077550&end=1762077550&offset=3");
        assertThat(feed.fetchPage(TARGET, "v2:1762077600:1762077550+0:-").url())
                .endsWith("&limit=3&start=1762077550&end=1762077550");
        // the head, in the same poll: from the newest second on
        assertThat(feed.fetchPage(TARGET, "v2:1762077600:1762077550:1762077600").url()).endsWith("&limit=3&start=1762077600");
        // a cursor stored before: swept again from its watermark less the overlap
        assertThat(feed.fetchPage(TARGET, "v1:1762077600:3").url()).endsWith("&limit=3&start=1762077540");
    }

    /**
     * A row dated far ahead of the engine's clock moves neither the head nor the sweep; the rows around it count. One
     * that reads as a fill is a trade dated ahead of the time it was read (the filter skips it, FILTER_DATED_AHEAD);
     * one that does not is malformed. A row dated just inside the tolerance (30 s) moves the head, but the window
     * stays behind the clock.
     */
    @Test
    void shouldReadARowDatedTooFarAheadWithoutMovingTheCursor() {
        long now = NOW.getEpochSecond();
        FeedPage page = feed.onPage(TARGET, "v2:" + now + ":" + (now - 60) + ":-", ok("[" + row(TX, now - 5, "BUY", "1",
                "0.5") + "," + row("0x" + "cd".repeat(32), now + 30, "BUY", "1", "0.5") + "," + row("0x" + "ef".repeat(32),
                now + 31, "BUY", "1", "0.5") + "," + row("0xnot-a-hash", now + 31, "BUY", "1", "0.5") + "]"), NOW);

        assertThat(page.rows()).hasSize(4);
        assertThat(page.rows().get(0)).isInstanceOf(FeedRow.Trade.class);
        assertThat(page.rows().get(1)).as("within the tolerance").isInstanceOf(FeedRow.Trade.class);
        DetectedTrade ahead = ((FeedRow.Trade) page.rows().get(2)).trade();
        assertThat(ahead.sourceOrder()).isEqualTo("0x" + "ef".repeat(32));
        assertThat(ahead.tsEvent()).isEqualTo(NOW.plusSeconds(31));
        assertThat(ahead.tsInit()).as("read now: dated ahead of it for good").isEqualTo(NOW);
        FeedRow.Malformed unreadable = (FeedRow.Malformed) page.rows().get(3);
        assertThat(unreadable.reason()).isEqualTo(Reason.FEED_MALFORMED_ROW);
        assertThat(unreadable.detail()).contains("31 s ahead of this engine's clock").contains("transactionHash");
        // more than a page (3) that ends with rows dated too far ahead read up to the present: the poll is over
        assertThat(page.hasMore()).isFalse();
        assertThat(page.nextCursor()).as("the head at the row 30 s ahead, the window still 60 s behind the clock")
                .isEqualTo("v2:" + (now + 30) + ":" + (now - 60) + ":-");
    }

    /** A cursor moved far ahead by such a row before they were refused is read again from the window behind now. */
    @Test
    void shouldReadACursorMovedFarAheadAgainFromTheWindowBehindTheClock() {
        long now = NOW.getEpochSecond();
        long far = now + 10L * 365 * 86_400;
        String moved = "v2:" + far + ":" + (far - 60) + ":-";

        assertThat(feed.fetchPage(TARGET, moved).url()).endsWith("&limit=3&start=" + (now - 60));
        FeedPage page = feed.onPage(TARGET, moved, ok("[" + row(TX, now - 5, "BUY", "1", "0.5") + "]"), NOW);
        assertThat(page.rows()).singleElement().isInstanceOf(FeedRow.Trade.class);
        assertThat(page.nextCursor()).isEqualTo("v2:" + now + ":" + (now - 60) + ":-");
        // one inside the tolerance is kept as it is
        assertThat(feed.fetchPage(TARGET, "v2:" + (now + 30) + ":" + (now - 30) + ":-").url())
                .endsWith("&limit=3&start=" + (now - 30));
    }

    @Test
    void shouldRefuseACursorItDidNotWrite() {
        for (String bad : new String[]{"v2:1762077600:1762077550+5001:-", "v2:-1:0:-", "v2:1:2:3+99999999",
                "v2:1762077600:1762077550", "v3:1:2:-", "1762077600", "v2:1:2:-:extra"}) {
            assertThatThrownBy(() -> feed.fetchPage(TARGET, bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not a Polymarket feed cursor");
        }
    }

    @Test
    void shouldTurnTradeRowsIntoExactDetectedTradesOfTheSameOutcomeToken() {
        FeedPage page = feed.onPage(TARGET, null, ok("[" + row(TX, 1762077601, "BUY", "21.04", "0.56") + "]"), NOW);
        DetectedTrade trade = ((FeedRow.Trade) page.rows().get(0)).trade();
        assertThat(trade.instrument().value()).isEqualTo(YES);
        assertThat(trade.outcome()).isEqualTo("Yes");
        assertThat(trade.side()).isEqualTo(Side.BUY);
        assertThat(trade.price()).isEqualByComparingTo("0.56");
        assertThat(trade.quantity()).isEqualTo(new BigDecimal("21.04"));
        assertThat(trade.notional()).isEqualTo(new BigDecimal("11.782400"));
        assertThat(trade.tsEvent()).isEqualTo(Instant.ofEpochSecond(1762077601));
        assertThat(trade.tsInit()).isEqualTo(NOW);
        assertThat(trade.sourceTradeId().value()).isEqualTo(TX + ":" + YES + ":BUY:21.04@0.56");
        assertThat(page.nextCursor()).as("read to the newest row: the next poll sweeps the window again")
                .isEqualTo("v2:1762077601:1762077541:-");
        assertThat(page.hasMore()).isFalse();
    }

    @Test
    void shouldKeepTwoFillsOfOneTransactionApart() {
        FeedPage page = feed.onPage(TARGET, null, ok("[" + row(TX, 1762077601, "BUY", "10", "0.5") + ","
                + row(TX, 1762077601, "BUY", "5", "0.51") + "]"), NOW);
        assertThat(page.rows()).extracting(r -> ((FeedRow.Trade) r).trade().sourceTradeId()).doesNotHaveDuplicates();
    }

    @Test
    void shouldRejectBadRowsOneByOneAndIgnoreNonTrades() {
        String redeem = "{\"type\":\"REDEEM\",\"timestamp\":1762077601,\"size\":3}";
        String body = "[" + row(TX, 1762077601, "BUY", "10", "1.5") + "," + redeem + ","
                + row("0xnothex", 1762077602, "BUY", "1", "0.5") + "," + row(TX, 1762077603000L, "SELL", "1", "0.5") + ","
                + row(TX, 1762077604, "HOLD", "1", "0.5") + ",42," + row(TX, 1762077605, "SELL", "2", "0.4") + "]";
        FeedPage page = feed.onPage(TARGET, null, ok(body), NOW);
        assertThat(page.rows()).hasSize(6);
        assertThat(page.rows().subList(0, 5)).allSatisfy(r -> assertThat(r).isInstanceOfSatisfying(FeedRow.Malformed.class,
                m -> assertThat(m.reason()).isEqualTo(Reason.FEED_MALFORMED_ROW)));
        assertThat(((FeedRow.Malformed) page.rows().get(0)).detail()).contains("price 1.5 is outside (0,1)");
        assertThat(((FeedRow.Malformed) page.rows().get(1)).rowKey()).isEqualTo("row#2");
        assertThat(((FeedRow.Malformed) page.rows().get(2)).detail()).contains("not epoch seconds");
        assertThat(page.rows().get(5)).isInstanceOf(FeedRow.Trade.class);
        assertThat(page.nextCursor()).isEqualTo("v2:1762077605:1762077605:1762077605");
    }

    @Test
    void shouldRefuseRowsAtTheEdgesOfWhatAFillCanBe() {
        String body = "[" + row(TX, 1762077601, "BUY", "10", "1") + "," + row(TX, 1762077601, "BUY", "10", "0") + ","
                + row(TX, 1762077601, "BUY", "0", "0.5") + "," + row(TX, 0, "BUY", "1", "0.5") + ","
                + row(TX, 1762077601, "BUY", "-1", "0.5") + ","
                + row(TX, 1762077601, "BUY", "0.01", "0.001") + "," + row(TX, 1762077601, "SELL", "1", "0.999") + "]";
        FeedPage page = feed.onPage(TARGET, null, ok(body), NOW);
        assertThat(page.rows()).hasSize(7);
        assertThat(page.rows().subList(0, 5)).extracting(r -> ((FeedRow.Malformed) r).detail()).satisfiesExactly(
                d -> assertThat(d).contains("price 1 is outside (0,1)"),
                d -> assertThat(d).contains("price 0 is outside (0,1)"),
                d -> assertThat(d).contains("size 0 is not positive"),
                d -> assertThat(d).contains("timestamp 0 is not epoch seconds"),
                d -> assertThat(d).contains("size -1 is not positive"));
        assertThat(page.rows().subList(5, 7)).allSatisfy(r -> assertThat(r).isInstanceOf(FeedRow.Trade.class));
    }

    /** A short text for a number of a billion digits: refused as it is read, not rounded for minutes. */
    @Test
    @Timeout(10)
    void shouldRefuseAmountsOfAbsurdMagnitudeAsTheyAreRead() {
        String body = "[" + row(TX, 1762077601, "BUY", "1e999999999", "0.5") + ","
                + row(TX, 1762077601, "BUY", "\"1e999999999\"", "0.5") + ","
                + row(TX, 1762077601, "BUY", "10", "1e-999999999") + ","
                + row(TX, 1762077601, "BUY", "1000000000000000000000000000000", "0.5") + ","
                + row(TX, 1762077601, "BUY", "100000000000000000000000000000.000000000000000000000000000000", "0.5") + "]";
        FeedPage page = feed.onPage(TARGET, null, ok(body), NOW);
        assertThat(page.rows()).hasSize(5);
        assertThat(page.rows().subList(0, 4)).extracting(r -> ((FeedRow.Malformed) r).detail()).satisfiesExactly(
                d -> assertThat(d).contains("size 1E+999999999 is out of range"),
                d -> assertThat(d).contains("size 1E+999999999 is out of range"),
                d -> assertThat(d).contains("price 1E-999999999 is out of range"),
                d -> assertThat(d).contains("size 1000000000000000000000000000000 is out of range"));
        assertThat(page.rows().get(4)).as("30 digits each side, trailing zeros aside").isInstanceOf(FeedRow.Trade.class);
    }

    @Test
    void shouldKeepAShortKeyAsItIsAndHashALongOne() {
        String shortKey = PolymarketFeedAdapter.sourceTradeId(TX, YES, io.copytrader.domain.Side.BUY,
                new java.math.BigDecimal("10.50"), new java.math.BigDecimal("0.5")).value();
        assertThat(shortKey).isEqualTo(TX + ":" + YES + ":BUY:10.5@0.5");
        String longKey = PolymarketFeedAdapter.sourceTradeId(TX, YES + YES, io.copytrader.domain.Side.BUY,
                new java.math.BigDecimal("10.5"), new java.math.BigDecimal("0.5")).value();
        assertThat(longKey).startsWith("sha256:").hasSize("sha256:".length() + 64);
    }

    /**
     * A poll sweeps a page of the window (for rows indexed late) and, when that page was full, reads on at once from
     * the newest second seen (the head, where new fills are) in the same poll; the sweep goes on from where it stopped
     * at the next poll, and starts again at the window's start once it reached the newest row.
     */
    @Test
    void shouldSweepAPageOfTheWindowThenReadTheHeadInTheSamePoll() {
        String sweepCursor = "v2:1762077600:1762077540:-";
        String full = "[" + row(TX, 1762077590, "BUY", "1", "0.5") + "," + row(TX, 1762077595, "BUY", "2", "0.5") + ","
                + row(TX, 1762077599, "BUY", "3", "0.5") + "]";
        FeedPage swept = feed.onPage(TARGET, sweepCursor, ok(full), NOW);
        assertThat(swept.hasMore()).isTrue();
        assertThat(swept.continuesPoll()).as("the head is read in this poll, new rows or not").isTrue();
        assertThat(swept.nextCursor()).as("sweep on from 1762077599 next poll; the head from 1762077600 now")
                .isEqualTo("v2:1762077600:1762077599:1762077600");
        // the head: a full page goes on from its newest second, a short one ends the poll
        String moving = "[" + row(TX, 1762077600, "BUY", "1", "0.5") + "," + row(TX, 1762077650, "BUY", "2", "0.5") + ","
                + row(TX, 1762077700, "BUY", "3", "0.5") + "]";
        FeedPage head = feed.onPage(TARGET, swept.nextCursor(), ok(moving), NOW);
        assertThat(head.nextCursor()).as("the window's start passed the sweep: it starts there")
                .isEqualTo("v2:1762077700:1762077640:1762077700");
        assertThat(head.hasMore()).isTrue();
        FeedPage last = feed.onPage(TARGET, head.nextCursor(), ok("[" + row(TX, 1762077700, "BUY", "3", "0.5") + "]"), NOW);
        assertThat(last.hasMore()).isFalse();
        assertThat(last.nextCursor()).isEqualTo("v2:1762077700:1762077640:-");
        // a short sweep page read up to the newest row: nothing more this poll, the next sweeps from the window's start
        FeedPage shortSweep = feed.onPage(TARGET, "v2:1762077700:1762077690:-",
                ok("[" + row(TX, 1762077710, "BUY", "3", "0.5") + "]"), NOW);
        assertThat(shortSweep.hasMore()).isFalse();
        assertThat(shortSweep.nextCursor()).isEqualTo("v2:1762077710:1762077650:-");
        // an empty page keeps the head
        assertThat(feed.onPage(TARGET, "v2:1762077700:1762077640:-", ok("[]"), NOW).nextCursor())
                .isEqualTo("v2:1762077700:1762077640:-");
    }

    /**
     * A full page of one second cannot be followed by timestamp: the second is paged by offset (start = end = that
     * second), down to the Data API's deepest offset; past it the rest of that second is given up, not asked for with
     * an offset the Data API refuses. A page short of full ends the second; the head leaves a second of more than a
     * page to the sweep.
     */
    @Test
    void shouldPageInsideASecondOfMoreThanAPageUpToTheDeepestOffset() {
        String oneSecond = "[" + row(TX, 1762077600, "BUY", "1", "0.5") + "," + row(TX, 1762077600, "BUY", "2", "0.5")
                + "," + row(TX, 1762077600, "BUY", "3", "0.5") + "]";
        FeedPage first = feed.onPage(TARGET, "v2:1762077600:1762077540:1762077600", ok(oneSecond), NOW);
        assertThat(first.nextCursor()).as("inside 1762077600 from its first row, in that query's own order")
                .isEqualTo("v2:1762077600:1762077540:1762077600+0");
        FeedPage inside = feed.onPage(TARGET, first.nextCursor(), ok(oneSecond), NOW);
        assertThat(inside.hasMore()).isTrue();
        assertThat(inside.nextCursor()).as("a second of more than a page: the next poll's head starts after it")
                .isEqualTo("v2:1762077601:1762077541:1762077600+3");
        String deepest = "v2:1762077601:1762077541:1762077600+" + PolymarketFeedAdapter.MAX_OFFSET;
        FeedPage capped = feed.onPage(TARGET, deepest, ok(oneSecond), NOW);
        assertThat(capped.hasMore()).isTrue();
        assertThat(capped.nextCursor()).isNotEqualTo(deepest).isEqualTo("v2:1762077601:1762077541:1762077601");
        FeedPage shortPage = feed.onPage(TARGET, "v2:1762077601:1762077541:1762077600+3",
                ok("[" + row(TX, 1762077600, "BUY", "1", "0.5") + "]"), NOW);
        assertThat(shortPage.hasMore()).as("the second is read; the head goes on after it").isTrue();
        assertThat(shortPage.nextCursor()).isEqualTo("v2:1762077601:1762077541:1762077601");
        // the sweep pages inside a second the same way, one page a poll, and then reads the head
        FeedPage sweep = feed.onPage(TARGET, "v2:1762077700:1762077650+3:-", ok(oneSecond.replace("1762077600",
                "1762077650")), NOW);
        assertThat(sweep.nextCursor()).isEqualTo("v2:1762077700:1762077650+6:1762077700");
        assertThat(sweep.continuesPoll()).isTrue();
    }

    @Test
    void shouldThrowTransientOn429WithRetryAfterAndRefuseABadEnvelope() {
        assertThatThrownBy(() -> feed.onPage(TARGET, null, new HttpReply(429, Map.of("retry-after", "7"), ""), NOW))
                .isInstanceOfSatisfying(TransientVenueException.class,
                        e -> assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(7)));
        assertThatThrownBy(() -> feed.onPage(TARGET, null, ok("{\"error\":\"x\"}"), NOW))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> feed.fetchPage(new TraderId("alice"), null))
                .hasMessageContaining("0x wallet address");
    }

    @Test
    void shouldStartFromTheLookbackWhenConfigured() {
        PolymarketFeedAdapter recent = new PolymarketFeedAdapter("https://d", 100, Duration.ofSeconds(60),
                Duration.ofMinutes(5), Clock.fixed(NOW, ZoneOffset.UTC));
        assertThat(recent.fetchPage(TARGET, null).url()).endsWith("&start=" + (NOW.getEpochSecond() - 300));
    }

    @Test
    void shouldReadTheTargetsPositionsToSeedProportionalSells() {
        assertThat(feed.fetchPositions(TARGET)).get().extracting(c -> c.url())
                .isEqualTo("https://data-api.example/positions?user=" + TARGET.value() + "&sizeThreshold=0&limit=500");
        String body = "[{\"asset\": \"123\", \"size\": 250.5, \"outcome\": \"Yes\"},"
                + " {\"asset\": \"456\", \"size\": 0},"
                + " {\"asset\": \"not-a-token\", \"size\": 3}]";
        assertThat(feed.onPositions(TARGET, new HttpReply(200, Map.of(), body)))
                .containsExactly(Map.entry(new io.copytrader.domain.InstrumentId("123"), new java.math.BigDecimal("250.5")));
        assertThatThrownBy(() -> feed.onPositions(TARGET, new HttpReply(503, Map.of(), "")))
                .isInstanceOf(io.copytrader.venue.TransientVenueException.class);
    }
}
