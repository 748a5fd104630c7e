package io.copytrader.polymarket;

import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.Reason;
import io.copytrader.venue.FeedPage;
import io.copytrader.venue.FeedRow;
import io.copytrader.venue.HttpReply;
import io.copytrader.venue.TransientVenueException;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import static io.copytrader.polymarket.PolymarketFeedAdapterTest.NOW;
import static io.copytrader.polymarket.PolymarketFeedAdapterTest.TARGET;
import static io.copytrader.polymarket.PolymarketFeedAdapterTest.TX;
import static io.copytrader.polymarket.PolymarketFeedAdapterTest.YES;
import static io.copytrader.polymarket.PolymarketFeedAdapterTest.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The v2 reader ({@code GET /v2/activity}) page by page: its requests, rows, envelope, errors and cursors. */
class PolymarketKeysetFeedTest {
    private final PolymarketFeedAdapter feed = new PolymarketFeedAdapter("https://data-api.example/", 3,
            Duration.ofSeconds(60), Duration.ZERO, Clock.fixed(NOW, ZoneOffset.UTC), FeedApi.V2);
    private final PolymarketFeedAdapter v1 = new PolymarketFeedAdapter("https://data-api.example/", 3,
            Duration.ofSeconds(60), Duration.ZERO, Clock.fixed(NOW, ZoneOffset.UTC), FeedApi.V1);

    static String row(String tx, long ts, String side, String size, String price) {
        return ActivityV2Fake.row(TARGET.value(), tx, ts, YES, side, size, price);
    }

    static String page(boolean hasMore, String next, String... rows) {
        return "{\"data\":[" + String.join(",", rows) + "],\"pagination\":{\"has_more\":" + hasMore
                + ",\"next_cursor\":" + (next == null ? "null" : "\"" + next + "\"") + "}}";
    }

    private static DetectedTrade trade(FeedPage page, int i) {
        return ((FeedRow.Trade) page.rows().get(i)).trade();
    }

    /**
     * A row dated far ahead is a trade dated ahead of the time it was read (the filter skips it), never the head; a
     * page ending with it ends the walk before it.
     */
    @Test
    void shouldRejectARowDatedTooFarAheadAndEndTheWalkBeforeIt() {
        long now = NOW.getEpochSecond();
        String cursor = feed.onPage(TARGET, null, ok(page(false, null, row(TX, now - 5, "BUY", "1", "0.5"))), NOW)
                .nextCursor();
        FeedPage read = feed.onPage(TARGET, cursor, ok(page(true, "after-the-row-ahead",
                row("0x" + "cd".repeat(32), now - 4, "BUY", "1", "0.5"),
                row("0x" + "ef".repeat(32), now + 3600, "BUY", "1", "0.5"))), NOW);

        assertThat(read.rows().get(0)).isInstanceOf(FeedRow.Trade.class);
        assertThat(trade(read, 1).tsEvent()).isEqualTo(NOW.plusSeconds(3600));
        assertThat(trade(read, 1).tsInit()).isEqualTo(NOW);
        assertThat(read.hasMore()).as("the rows after it are dated further ahead still").isFalse();
        assertThat(read.nextCursor()).as("head: the newest row not ahead; no anchor past the row ahead")
                .startsWith("k1:" + (now - 4) + ":").doesNotContain(java.util.Base64.getUrlEncoder()
                        .withoutPadding().encodeToString("after-the-row-ahead".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    /** As in the v1 reader: a cursor moved far ahead before such rows were refused reads the window behind now. */
    @Test
    void shouldReadACursorMovedFarAheadAgainFromTheWindowBehindTheClock() {
        long now = NOW.getEpochSecond();
        long far = now + 10L * 365 * 86_400;

        assertThat(feed.fetchPage(TARGET, "k1:" + far + ":" + (far - 60) + ":" + (far - 60) + ":-:S:-:-").url())
                .endsWith("&limit=3&start=" + (now - 60));
        assertThat(feed.fetchPage(TARGET, "v2:" + far + ":" + (far - 60) + ":-").url())
                .endsWith("&limit=3&start=" + (now - 60));
    }

    @Test
    void shouldAskForTradesAscendingWithTheSameFiltersAsTheCursorWasMintedUnder() {
        assertThat(feed.fetchPage(TARGET, null).url()).isEqualTo("https://data-api.example/v2/activity?user="
                + TARGET.value() + "&type=TRADE&sort_direction=ASC&limit=3");
        FeedPage first = feed.onPage(TARGET, null, ok(page(true, "abc+/=", row(TX, 1762077590, "BUY", "1", "0.5"))), NOW);
        assertThat(first.hasMore()).isTrue();
        assertThat(first.continuesPoll()).isTrue();
        assertThat(feed.fetchPage(TARGET, first.nextCursor()).url())
                .as("the tail goes on from the anchor, with the filters it was minted under, the cursor URL-encoded")
                .endsWith("&limit=3&cursor=abc%2B%2F%3D");
        FeedPage tail = feed.onPage(TARGET, first.nextCursor(), ok(page(false, null)), NOW);
        assertThat(tail.hasMore()).isFalse();
        assertThat(feed.fetchPage(TARGET, tail.nextCursor()).url()).as("the next poll's sweep goes on from its anchor")
                .endsWith("&limit=3&cursor=abc%2B%2F%3D");
        FeedPage swept = feed.onPage(TARGET, tail.nextCursor(), ok(page(false, null)), NOW);
        assertThat(swept.hasMore()).as("the sweep reached the newest row: the poll is done").isFalse();
        assertThat(feed.fetchPage(TARGET, swept.nextCursor()).url()).as("and the next poll sweeps the window again")
                .endsWith("&limit=3&start=" + (1762077590 - 60));
    }

    /** v1 answers amounts as JSON numbers, v2 (here) as strings with trailing zeros and a lower-case side. */
    @Test
    void shouldGiveAFillTheDedupIdTheV1ReaderGivesIt() {
        String v1Row = PolymarketFeedAdapterTest.row(TX.toUpperCase().replace("0X", "0x"), 1762077601, "BUY", "21.04", "0.56");
        DetectedTrade byV1 = ((FeedRow.Trade) v1.onPage(TARGET, null, ok("[" + v1Row + "]"), NOW).rows().get(0)).trade();
        for (String[] amounts : new String[][]{{"21.040000", "0.560000"}, {"21.04", "0.56"}, {"2.104E+1", "0.5600"}}) {
            DetectedTrade byV2 = trade(feed.onPage(TARGET, null,
                    ok(page(false, null, row(TX, 1762077601, "buy", amounts[0], amounts[1]))), NOW), 0);
            assertThat(byV2.sourceTradeId()).as(amounts[0] + "@" + amounts[1]).isEqualTo(byV1.sourceTradeId());
            assertThat(byV2.quantity()).isEqualByComparingTo("21.04");
            assertThat(byV2.price()).isEqualByComparingTo("0.56");
            assertThat(byV2.instrument()).isEqualTo(byV1.instrument());
            assertThat(byV2.tsEvent()).isEqualTo(byV1.tsEvent());
        }
        assertThat(byV1.sourceTradeId().value()).isEqualTo(TX + ":" + YES + ":BUY:21.04@0.56");
        // numbers unquoted in a v2 row too: read exactly, never through double
        String unquoted = row(TX, 1762077601, "BUY", "x", "y").replace("\"size\":\"x\"", "\"size\":21.040")
                .replace("\"price\":\"y\"", "\"price\":0.56");
        DetectedTrade exact = trade(feed.onPage(TARGET, null, ok(page(false, null, unquoted)), NOW), 0);
        assertThat(exact.sourceTradeId()).isEqualTo(byV1.sourceTradeId());
        assertThat(exact.notional()).isEqualByComparingTo(new BigDecimal("11.7824"));
    }

    @Test
    void shouldReadTheBlockTimeWhenTheRowHasNoTimestamp() {
        String iso = row(TX, 1, "BUY", "1", "0.5").replace("\"timestamp\":1,", "\"block_timestamp\":\"2026-11-02T10:00:01Z\",");
        assertThat(trade(feed.onPage(TARGET, null, ok(page(false, null, iso)), NOW), 0).tsEvent())
                .isEqualTo(Instant.parse("2026-11-02T10:00:01Z"));
        String epoch = row(TX, 1, "BUY", "1", "0.5").replace("\"timestamp\":1,", "\"block_timestamp\":1762077601,");
        assertThat(trade(feed.onPage(TARGET, null, ok(page(false, null, epoch)), NOW), 0).tsEvent())
                .isEqualTo(Instant.ofEpochSecond(1762077601));
    }

    /** A row that names its token under both names is read when they agree (only a disagreement is refused). */
    @Test
    void shouldReadARowThatNamesItsTokenTwiceAlike() {
        String both = row(TX, 1762077601, "BUY", "1", "0.5").replace("\"title\"", "\"asset\":\"" + YES + "\",\"title\"");
        assertThat(trade(feed.onPage(TARGET, null, ok(page(false, null, both)), NOW), 0).sourceTradeId().value())
                .isEqualTo(TX + ":" + YES + ":BUY:1@0.5");
    }

    @Test
    void shouldRejectBadRowsOneByOne() {
        String good = row(TX, 1762077605, "SELL", "2", "0.4");
        String body = page(false, null, row(TX, 1762077601, "BUY", "10", "1.5"),
                row(TX, 1762077601, "BUY", "1", "0.5").replace("\"token_id\"", "\"token\""),
                row(TX, 1762077601, "BUY", "1", "0.5").replace("\"title\"", "\"asset\":\"42\",\"title\""),
                ActivityV2Fake.row("0x" + "1".repeat(40), TX, 1762077601, YES, "BUY", "1", "0.5"),
                "42", good);
        FeedPage page = feed.onPage(TARGET, null, ok(body), NOW);
        assertThat(page.rows()).hasSize(6);
        assertThat(page.rows().subList(0, 5)).extracting(r -> ((FeedRow.Malformed) r).reason())
                .containsOnly(Reason.FEED_MALFORMED_ROW);
        assertThat(page.rows().subList(0, 4)).extracting(r -> ((FeedRow.Malformed) r).detail()).satisfiesExactly(
                d -> assertThat(d).contains("price 1.5 is outside (0,1)"),
                d -> assertThat(d).contains("asset is missing"),
                d -> assertThat(d).as("token_id and asset disagree: refused, not guessed").contains("asset"),
                d -> assertThat(d).contains("is not the requested trader"));
        assertThat(((FeedRow.Malformed) page.rows().get(4)).rowKey()).isEqualTo("row#4");
        assertThat(trade(page, 5).sourceTradeId().value()).isEqualTo(TX + ":" + YES + ":SELL:2@0.4");
    }

    @Test
    void shouldRefuseAnEnvelopeItCannotWalkOn() {
        for (String bad : new String[]{"[]", "{\"data\":{},\"pagination\":{\"has_more\":false}}",
                "{\"data\":[]}", "{\"data\":[],\"pagination\":{}}", "{\"data\":[],\"pagination\":{\"has_more\":\"no\"}}",
                page(true, null), "{\"data\":[],\"pagination\":{\"has_more\":true,\"next_cursor\":7}}",
                page(true, "a b"), page(true, "x".repeat(KeysetFeed.MAX_API_CURSOR + 1)), "not json"}) {
            assertThatThrownBy(() -> feed.onPage(TARGET, null, ok(bad), NOW)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Data API /v2/activity");
        }
        FeedPage miss = feed.onPage(TARGET, null, ok("{\"data\":null,\"pagination\":{\"has_more\":false}}"), NOW);
        assertThat(miss.rows()).as("data: null is the documented miss: no rows").isEmpty();
    }

    /**
     * A refused anchor (400: expired, or minted under other filters) restarts the reading from the newest second less the
     * overlap, without a cursor, in the same poll; a 400 to a request without a cursor is an error (no loop).
     */
    @Test
    void shouldRestartFromTheWindowWhenTheVenueRefusesTheStoredCursor() {
        FeedPage first = feed.onPage(TARGET, null, ok(page(true, "anchor", row(TX, 1762077600, "BUY", "1", "0.5"))), NOW);
        HttpReply refused = new HttpReply(400, Map.of(), "{\"error\":\"invalid or expired cursor\"}");
        FeedPage restarted = feed.onPage(TARGET, first.nextCursor(), refused, NOW);
        assertThat(restarted.rows()).isEmpty();
        assertThat(restarted.hasMore()).isTrue();
        assertThat(restarted.continuesPoll()).as("read again in this tick").isTrue();
        assertThat(feed.fetchPage(TARGET, restarted.nextCursor()).url()).endsWith("&limit=3&start=1762077540");
        assertThatThrownBy(() -> feed.onPage(TARGET, restarted.nextCursor(), refused, NOW))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("answered HTTP 400");
        assertThatThrownBy(() -> feed.onPage(TARGET, null, new HttpReply(401, Map.of(), ""), NOW))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("answered HTTP 401");
        assertThatThrownBy(() -> feed.onPage(TARGET, null, new HttpReply(429, Map.of("retry-after", "3"), ""), NOW))
                .isInstanceOfSatisfying(TransientVenueException.class,
                        e -> assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(3)));
    }

    /** Switching POLY_FEED_API between runs: each reader reads the other's stored cursor from head - overlap. */
    @Test
    void shouldReadTheOtherReadersCursorFromItsNewestSecondLessTheOverlap() {
        assertThat(feed.fetchPage(TARGET, "v2:1762077600:1762077550+3:-").url()).endsWith("&limit=3&start=1762077540");
        assertThat(feed.fetchPage(TARGET, "v1:1762077600:3").url()).endsWith("&limit=3&start=1762077540");
        String keyset = feed.onPage(TARGET, null, ok(page(false, null, row(TX, 1762077600, "BUY", "1", "0.5"))), NOW)
                .nextCursor();
        assertThat(keyset).startsWith("k1:1762077600:");
        assertThat(v1.fetchPage(TARGET, keyset).url()).as("the v1 reader sweeps from the keyset cursor's head less 60 s")
                .endsWith("/activity?user=" + TARGET.value() + "&type=TRADE&sortBy=TIMESTAMP&sortDirection=ASC&limit=3"
                        + "&start=1762077540");
        for (String bad : new String[]{"k1:1:2:3:-:T:-:-", "k1:1:2:3:!!:S:-:-", "k1:1:2:3:-:S:4", "k1:x", "k2:1:2:3:-:S:-:-"}) {
            assertThatThrownBy(() -> feed.fetchPage(TARGET, bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not a Polymarket feed cursor");
        }
    }
}
