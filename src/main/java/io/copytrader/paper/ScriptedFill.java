package io.copytrader.paper;

import com.fasterxml.jackson.databind.JsonNode;
import io.copytrader.domain.InstrumentId;
import io.copytrader.domain.Side;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * A fill a test or a person scripts through the admin API ({@code POST /admin/traders/{id}/fills}), emitted as given.
 *
 * @param orderId the target's order it belongs to, or null for an order of its own
 */
public record ScriptedFill(String instrument, String outcome, Side side, BigDecimal price, BigDecimal quantity,
                           String orderId) {
    public ScriptedFill {
        new InstrumentId(instrument);
        Objects.requireNonNull(side, "side");
        if (price == null || price.signum() <= 0 || price.compareTo(BigDecimal.ONE) >= 0) {
            throw new IllegalArgumentException("price must be in (0, 1), but was " + price);
        }
        if (quantity == null || quantity.signum() <= 0) {
            throw new IllegalArgumentException("quantity must be positive, but was " + quantity);
        }
    }

    public static ScriptedFill buy(String instrument, String price, String quantity) {
        return new ScriptedFill(instrument, "YES", Side.BUY, new BigDecimal(price), new BigDecimal(quantity), null);
    }

    public static ScriptedFill sell(String instrument, String price, String quantity) {
        return new ScriptedFill(instrument, "YES", Side.SELL, new BigDecimal(price), new BigDecimal(quantity), null);
    }

    public ScriptedFill ofOrder(String id) {
        return new ScriptedFill(instrument, outcome, side, price, quantity, id);
    }

    static ScriptedFill parse(JsonNode node) {
        JsonNode outcome = node.get("outcome");
        JsonNode orderId = node.get("orderId");
        return new ScriptedFill(PaperJson.text(node, "instrument"),
                outcome == null || outcome.isNull() ? "YES" : outcome.asText(),
                Side.parse(PaperJson.text(node, "side")), PaperJson.price(node, "price"),
                PaperJson.quantity(node, "quantity"), orderId == null || orderId.isNull() ? null : orderId.asText());
    }
}
