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
    void shouldAskForTradesAscendingFromTheWatermarkMinusTheOverlap() {
        assertThat(feed.fetchPage(TARGET, null).url()).isEqualTo("https://data-api.example/activity?user=" + TARGET.value()
                + "&type=TRADE&sortBy=TIMESTAMP&sortDirection=ASC&limit=3");
        assertThat(feed.fetchPage(TARGET, "v1:1762077600:0").url()).endsWith("&limit=3&start=1762077540");
        assertThat(feed.fetchPage(TARGET, "v1:1762077600:3").url()).endsWith("&start=1762077540&offset=3");
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
        assertThat(page.nextCursor()).isEqualTo("v1:1762077601:0");
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
        assertThat(page.nextCursor()).isEqualTo("v1:1762077605:0");
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

    @Test
    void shouldPageInsideOneWindowWhenAFullPageDoesNotMoveTheWatermark() {
        String cursor = "v1:1762077600:0"; // asks from 1762077540
        String full = "[" + row(TX, 1762077590, "BUY", "1", "0.5") + "," + row(TX, 1762077595, "BUY", "2", "0.5") + ","
                + row(TX, 1762077599, "BUY", "3", "0.5") + "]";
        FeedPage page = feed.onPage(TARGET, cursor, ok(full), NOW);
        assertThat(page.hasMore()).isTrue();
        assertThat(page.nextCursor()).isEqualTo("v1:1762077600:3");
        // a full page that moves past the window: back to offset 0 from the newest row
        String moving = "[" + row(TX, 1762077600, "BUY", "1", "0.5") + "," + row(TX, 1762077650, "BUY", "2", "0.5") + ","
                + row(TX, 1762077700, "BUY", "3", "0.5") + "]";
        FeedPage next = feed.onPage(TARGET, page.nextCursor(), ok(moving), NOW);
        assertThat(next.nextCursor()).isEqualTo("v1:1762077700:0");
        assertThat(next.hasMore()).isTrue();
        // an empty page keeps the watermark
        assertThat(feed.onPage(TARGET, next.nextCursor(), ok("[]"), NOW).nextCursor()).isEqualTo("v1:1762077700:0");
    }

    /**
     * A full page is all the Data API says of more rows (it answers no count): "maybe more", read at once by the
     * engine only because a full page always moves the cursor, so the next page is never the same request again.
     */
    @Test
    void shouldSayMoreForAFullPageOnlyAndMoveTheCursorWithEveryFullPage() {
        String atWatermark = "[" + row(TX, 1762077600, "BUY", "1", "0.5") + "," + row(TX, 1762077600, "BUY", "2", "0.5")
                + "," + row(TX, 1762077600, "BUY", "3", "0.5") + "]";
        // a full page read again inside the window (rows the watermark has passed): on by offset
        FeedPage reread = feed.onPage(TARGET, "v1:1762077600:0", ok(atWatermark), NOW);
        assertThat(reread.hasMore()).isTrue();
        assertThat(reread.nextCursor()).isEqualTo("v1:1762077600:3");
        // a full page at the deepest offset: past the window's oldest second
        String deepest = "v1:1762077600:" + PolymarketFeedAdapter.MAX_OFFSET;
        FeedPage capped = feed.onPage(TARGET, deepest, ok(atWatermark), NOW);
        assertThat(capped.hasMore()).isTrue();
        assertThat(capped.nextCursor()).isNotEqualTo(deepest).isEqualTo("v1:1762077601:0");
        // a page short of full: nothing more now, whatever the cursor did
        FeedPage shortPage = feed.onPage(TARGET, "v1:1762077600:3", ok("[" + row(TX, 1762077650, "BUY", "1", "0.5")
                + "]"), NOW);
        assertThat(shortPage.hasMore()).isFalse();
        assertThat(shortPage.nextCursor()).isEqualTo("v1:1762077650:0");
        assertThat(feed.onPage(TARGET, "v1:1762077650:0", ok("[]"), NOW).hasMore()).isFalse();
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
