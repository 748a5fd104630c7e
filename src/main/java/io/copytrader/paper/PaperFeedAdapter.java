package io.copytrader.paper;

import com.fasterxml.jackson.databind.JsonNode;
import io.copytrader.domain.Decimals;
import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.InstrumentId;
import io.copytrader.domain.Reason;
import io.copytrader.domain.Side;
import io.copytrader.domain.SourceTradeId;
import io.copytrader.domain.TraderId;
import io.copytrader.venue.FeedAdapter;
import io.copytrader.venue.FeedPage;
import io.copytrader.venue.FeedRow;
import io.copytrader.venue.HttpCall;
import io.copytrader.venue.HttpReply;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The paper venue's feed contract ({@code GET /feed/traders/{trader}/fills}) as pure request building and parsing.
 * Each row is validated on its own: a row that is not an object, lacks a field, has a quantity that is not positive
 * or above {@link #MAX_QUANTITY}, or a price outside (0,1) becomes a {@link FeedRow.Malformed} and the rest of the
 * page still counts. Thread-safe (stateless).
 */
public final class PaperFeedAdapter implements FeedAdapter {
    /** Quantities above this are absurd and rejected as malformed. */
    public static final BigDecimal MAX_QUANTITY = new BigDecimal("10000000");
    public static final int DEFAULT_PAGE_LIMIT = 100;

    private final String baseUrl;
    private final int pageLimit;

    public PaperFeedAdapter(String baseUrl) {
        this(baseUrl, DEFAULT_PAGE_LIMIT);
    }

    /** @param pageLimit rows per page, 1..1000 */
    public PaperFeedAdapter(String baseUrl, int pageLimit) {
        if (pageLimit < 1 || pageLimit > 1000) {
            throw new IllegalArgumentException("paper feed page limit must be in [1, 1000], but was " + pageLimit);
        }
        this.baseUrl = PaperReplies.trimBaseUrl(baseUrl);
        this.pageLimit = pageLimit;
    }

    @Override
    public String name() {
        return "paper";
    }

    @Override
    public HttpCall fetchPage(TraderId trader, String cursor) {
        String after = cursor == null || cursor.isBlank() ? "0" : cursor;
        return HttpCall.get(baseUrl + "/feed/traders/" + PaperReplies.encode(trader.value()) + "/fills?after="
                + PaperReplies.encode(after) + "&limit=" + pageLimit);
    }

    @Override
    public FeedPage onPage(TraderId trader, String cursor, HttpReply reply, Instant now) {
        String what = "paper feed of " + trader;
        PaperReplies.throwIfTransient(reply, what);
        if (reply.status() == 404) {
            throw new IllegalArgumentException("the paper venue has no trader '" + trader + "' (404)");
        }
        JsonNode body = PaperReplies.success(reply, what);
        JsonNode fills = body.get("fills");
        if (fills == null || !fills.isArray()) {
            throw new IllegalArgumentException(what + " answer has no 'fills' array");
        }
        String nextCursor = PaperJson.text(body, "nextCursor");
        JsonNode hasMore = body.get("hasMore");
        List<FeedRow> rows = new ArrayList<>(fills.size());
        for (int i = 0; i < fills.size(); i++) {
            rows.add(row(trader, cursor, i, fills.get(i), now));
        }
        return new FeedPage(rows, nextCursor, hasMore != null && hasMore.asBoolean());
    }

    private static FeedRow row(TraderId trader, String cursor, int index, JsonNode node, Instant now) {
        String key = "row " + index + " after cursor " + (cursor == null ? "0" : cursor);
        if (!node.isObject()) {
            String text = node.toString();
            return malformed(key, "row is not a JSON object: " + (text.length() > 80 ? text.substring(0, 80) + "..." : text));
        }
        JsonNode tradeId = node.get("tradeId");
        if (tradeId != null && tradeId.isTextual() && !tradeId.asText().isBlank()) {
            key = tradeId.asText();
        }
        try {
            String rowTrader = PaperJson.text(node, "trader");
            if (!rowTrader.equals(trader.value())) {
                throw new IllegalArgumentException("trader '" + rowTrader + "' is not the trader asked for, '" + trader + "'");
            }
            SourceTradeId sourceTradeId = new SourceTradeId(PaperJson.text(node, "tradeId"));
            InstrumentId instrument = new InstrumentId(PaperJson.text(node, "instrument"));
            JsonNode outcome = node.get("outcome");
            Side side = Side.parse(PaperJson.text(node, "side"));
            BigDecimal price = PaperJson.price(node, "price");
            BigDecimal quantity = PaperJson.quantity(node, "quantity");
            if (quantity.compareTo(MAX_QUANTITY) > 0) {
                throw new IllegalArgumentException("quantity " + quantity.toPlainString() + " is absurd (above "
                        + MAX_QUANTITY.toPlainString() + ")");
            }
            Instant tsEvent = Instant.ofEpochMilli(PaperJson.integer(node, "timestamp"));
            JsonNode orderId = node.get("orderId");
            return new FeedRow.Trade(new DetectedTrade(sourceTradeId, trader, instrument,
                    outcome != null && outcome.isTextual() ? outcome.asText() : null, side, price, quantity,
                    Decimals.notional(price, quantity), tsEvent, now,
                    orderId != null && orderId.isTextual() ? orderId.asText() : null));
        } catch (IllegalArgumentException e) {
            return malformed(key, e.getMessage());
        }
    }

    private static FeedRow.Malformed malformed(String key, String detail) {
        return new FeedRow.Malformed(key, Reason.FEED_MALFORMED_ROW, detail);
    }
}
