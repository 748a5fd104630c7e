package io.copytrader.paper;

import io.copytrader.domain.Reason;
import io.copytrader.domain.TraderId;
import io.copytrader.venue.FeedPage;
import io.copytrader.venue.FeedRow;
import io.copytrader.venue.HttpReply;
import io.copytrader.venue.TransientVenueException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How {@link PaperFeedAdapter} builds page requests and validates every row on its own. */
class PaperFeedAdapterTest {
    private static final TraderId ALICE = new TraderId("alice");
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:01Z");
    private static final String GOOD = "{\"seq\":5,\"tradeId\":\"alice-5\",\"trader\":\"alice\",\"instrument\":\"tok-7\","
            + "\"outcome\":\"YES\",\"side\":\"BUY\",\"price\":0.530,\"quantity\":120.5,\"timestamp\":1767225600000}";
    private final PaperFeedAdapter adapter = new PaperFeedAdapter("http://127.0.0.1:9", 50);

    private static HttpReply page(String rows, String next, boolean more) {
        return new HttpReply(200, Map.of(), "{\"trader\":\"alice\",\"fills\":[" + rows + "],\"nextCursor\":\"" + next
                + "\",\"hasMore\":" + more + "}");
    }

    @Test
    void shouldAskForTheFillsAfterTheCursor() {
        assertThat(adapter.fetchPage(ALICE, null).url()).isEqualTo("http://127.0.0.1:9/feed/traders/alice/fills?after=0&limit=50");
        assertThat(adapter.fetchPage(ALICE, "412").url()).endsWith("?after=412&limit=50");
    }

    @Test
    void shouldReadAGoodRowExactly() {
        FeedPage result = adapter.onPage(ALICE, "4", page(GOOD, "5", true), NOW);

        assertThat(result.nextCursor()).isEqualTo("5");
        assertThat(result.hasMore()).isTrue();
        assertThat(result.rows()).singleElement().isInstanceOfSatisfying(FeedRow.Trade.class, row -> {
            assertThat(row.trade().price()).isEqualTo("0.530");
            assertThat(row.trade().quantity()).isEqualTo("120.5");
            assertThat(row.trade().notional()).isEqualTo("63.865000");
            assertThat(row.trade().tsEvent()).isEqualTo(Instant.ofEpochMilli(1767225600000L));
            assertThat(row.trade().tsInit()).isEqualTo(NOW);
            assertThat(row.trade().sourceTradeId().value()).isEqualTo("alice-5");
        });
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "\"{\\\"seq\\\":6,\\\"tradeId\"                           | row 0 after cursor 4 | row is not a JSON object",
            "{\"seq\":6,\"tradeId\":\"alice-6\",\"trader\":\"alice\"} | alice-6              | missing field 'instrument'",
            "QUANTITY:0                                                | alice-5              | quantity 0 must be positive",
            "QUANTITY:-3                                               | alice-5              | quantity -3 must be positive",
            "QUANTITY:10000000.01                                      | alice-5              | quantity 10000000.01 is absurd",
            "PRICE:1                                                   | alice-5              | price 1 is outside (0,1)",
            "PRICE:0                                                   | alice-5              | price 0 is outside (0,1)",
            "PRICE:\"0.5\"                                             | alice-5              | field 'price' must be a number",
            "TRADER:\"bob\"                                            | alice-5              | trader 'bob' is not the trader asked for"})
    void shouldTurnABadRowIntoAMalformedRowWithAPreciseDetail(String row, String key, String detail) {
        String json = row.startsWith("QUANTITY:") ? GOOD.replace("120.5", row.substring(9))
                : row.startsWith("PRICE:") ? GOOD.replace("0.530", row.substring(6))
                : row.startsWith("TRADER:") ? GOOD.replace("\"trader\":\"alice\"", "\"trader\":" + row.substring(7))
                : row;

        FeedPage result = adapter.onPage(ALICE, "4", page(json + "," + GOOD.replace("alice-5", "alice-7"), "7", false), NOW);

        assertThat(result.rows()).hasSize(2);
        assertThat(result.rows().get(0)).isEqualTo(new FeedRow.Malformed(key, Reason.FEED_MALFORMED_ROW,
                ((FeedRow.Malformed) result.rows().get(0)).detail()));
        assertThat(((FeedRow.Malformed) result.rows().get(0)).detail()).contains(detail);
        assertThat(result.rows().get(1)).isInstanceOf(FeedRow.Trade.class);
    }

    @Test
    void shouldFailTheWholePageOnlyWhenTheEnvelopeIsUnreadableOrTheVenueSaysTryAgain() {
        assertThatThrownBy(() -> adapter.onPage(ALICE, null, new HttpReply(200, Map.of(), "{\"fills\":[{\"seq\":1,"), NOW))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> adapter.onPage(ALICE, null, new HttpReply(200, Map.of(), "{\"trader\":\"alice\"}"), NOW))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no 'fills' array");
        assertThatThrownBy(() -> adapter.onPage(ALICE, null, new HttpReply(503, Map.of("retry-after", "2"), "{}"), NOW))
                .isInstanceOfSatisfying(TransientVenueException.class, e -> assertThat(e.retryAfter()).hasSeconds(2));
        assertThatThrownBy(() -> adapter.onPage(ALICE, null, new HttpReply(404, Map.of(), "{\"error\":\"UNKNOWN_TRADER\"}"), NOW))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no trader 'alice'");
    }

    @Test
    void shouldKeepTheCursorOnAnEmptyPage() {
        FeedPage empty = adapter.onPage(ALICE, "9", page("", "9", false), NOW);

        assertThat(empty.rows()).isEmpty();
        assertThat(empty.nextCursor()).isEqualTo("9");
        assertThat(empty.hasMore()).isFalse();
    }
}
