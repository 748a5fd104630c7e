package io.copytrader.paper;

import com.fasterxml.jackson.databind.JsonNode;
import io.copytrader.domain.Side;

import java.math.BigDecimal;

/**
 * The body of {@code POST /exchange/orders}. {@code price} is the limit price; the paper venue fills at it.
 */
public record OrderRequest(String clientOrderId, String instrument, Side side, BigDecimal price, BigDecimal quantity) {
    /** Reads and validates a request; an {@link IllegalArgumentException} says what is wrong. */
    public static OrderRequest parse(JsonNode body) {
        if (!body.isObject()) {
            throw new IllegalArgumentException("order must be a JSON object");
        }
        return new OrderRequest(PaperJson.text(body, "clientOrderId"), PaperJson.text(body, "instrument"),
                Side.parse(PaperJson.text(body, "side")), PaperJson.price(body, "price"),
                PaperJson.quantity(body, "quantity"));
    }

    /** What a buy reserves: price * quantity, exact. */
    public BigDecimal notional() {
        return price.multiply(quantity);
    }
}
