package io.copytrader.paper;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.copytrader.domain.Side;

import java.math.BigDecimal;

/**
 * One fill of a target trader on the paper venue.
 *
 * @param seq       the trader's fill number, from 1, with no gaps
 * @param timestamp epoch milliseconds from the venue's clock
 * @param malformed how a MALFORMED_ROW fault spoils this row on the wire, or null
 * @param orderId   the target's order this fill belongs to: one order that sweeps the book is several fills with
 *                  the same order id (a generated fill is an order of its own)
 */
public record FeedFill(long seq, String trader, String instrument, String outcome, Side side, BigDecimal price,
                       BigDecimal quantity, long timestamp, MalformedVariant malformed, String orderId) {
    private static final BigDecimal ABSURD_QUANTITY = new BigDecimal("1000000000000");
    private static final BigDecimal OUT_OF_RANGE_PRICE = new BigDecimal("1.5");

    /** The order id of a fill that is an order of its own. */
    static String ownOrderId(String trader, long seq) {
        return trader + "-o" + seq;
    }

    public String tradeId() {
        return trader + "-" + seq;
    }

    /** The row as the feed serves it, spoiled as {@link #malformed} says. */
    public JsonNode toJson() {
        ObjectNode row = PaperJson.MAPPER.createObjectNode()
                .put("seq", seq).put("tradeId", tradeId()).put("trader", trader).put("instrument", instrument)
                .put("outcome", outcome).put("side", side.name()).put("price", price).put("quantity", quantity)
                .put("timestamp", timestamp).put("orderId", orderId);
        if (malformed == null) {
            return row;
        }
        return switch (malformed) {
            case BAD_JSON -> {
                String text = row.toString();
                yield TextNode.valueOf(text.substring(0, text.length() / 2));
            }
            case MISSING_FIELD -> row.without("price");
            case ZERO_QUANTITY -> row.put("quantity", BigDecimal.ZERO);
            case NEGATIVE_QUANTITY -> row.put("quantity", quantity.negate());
            case ABSURD_QUANTITY -> row.put("quantity", ABSURD_QUANTITY);
            case PRICE_OUT_OF_RANGE -> row.put("price", OUT_OF_RANGE_PRICE);
        };
    }

    public FeedFill spoiled(MalformedVariant variant) {
        return new FeedFill(seq, trader, instrument, outcome, side, price, quantity, timestamp, variant, orderId);
    }
}
