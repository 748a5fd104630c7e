package io.copytrader.polymarket;

import com.fasterxml.jackson.databind.JsonNode;
import io.copytrader.domain.CopyIntent;
import io.copytrader.domain.Side;
import io.copytrader.domain.VenueOrderId;
import io.copytrader.venue.HttpReply;
import io.copytrader.venue.OrderState;
import io.copytrader.venue.OrderStatus;
import io.copytrader.venue.PlaceResult;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;
import java.util.Optional;

/**
 * What the CLOB's answers mean for an order: taken (filled, in part with the rest killed, or open), its state on
 * look-up, canceled or not. Errors are classified by {@link PolymarketErrors}; the version re-resolution stays with
 * the adapter, which holds the version.
 */
final class ClobReplies {
    private ClobReplies() {
    }

    /**
     * An order the CLOB took: matched (with what it gave and got), or left open ({@code live}, {@code delayed}).
     *
     * @param planned   the shares we signed for, for answers that do not say
     * @param signed    the amounts we signed, or null when this process did not sign the order
     * @param orderType our order type (a FAK matched in part ends there)
     */
    static PlaceResult accepted(CopyIntent intent, JsonNode body, OrderState state, BigDecimal planned,
                                OrderAmounts signed, String orderType) {
        String id = Json.text(body, "orderID");
        VenueOrderId venueId = id == null || id.isBlank() ? null : new VenueOrderId(id);
        BigDecimal filled = BigDecimal.ZERO;
        BigDecimal avg = null;
        if (state == OrderState.FILLED) {
            BigDecimal making = Json.optionalDecimal(body, "makingAmount");
            BigDecimal taking = Json.optionalDecimal(body, "takingAmount");
            BigDecimal shares = intent.side() == Side.BUY ? taking : making;
            BigDecimal usdc = intent.side() == Side.BUY ? making : taking;
            if (shares == null && "FAK".equals(orderType)) {
                // only the trade ids came back (contract 2.2): a FAK may have matched any part of its size, so what
                // it filled is looked up (GET /data/order, else our trades), never assumed to be all of it
                return new PlaceResult.Accepted(new OrderStatus(intent.clientOrderId(), venueId, OrderState.OPEN,
                        BigDecimal.ZERO, null));
            }
            if (shares != null && usdc != null && signed != null) {
                // both amounts in one unit, told by what we gave: never more than we signed to give
                if (inBaseUnits(intent.side() == Side.BUY ? usdc : shares, signed.makerAmount())) {
                    shares = OrderAmounts.fromBaseUnits(shares);
                    usdc = OrderAmounts.fromBaseUnits(usdc);
                }
                filled = shares;
            } else {
                // a FOK that matched filled all of its size
                filled = shares == null ? planned : inShares(shares, planned);
            }
            if (shares != null && usdc != null && shares.signum() > 0) {
                avg = usdc.divide(shares, MathContext.DECIMAL64).stripTrailingZeros(); // same unit both sides
            }
            if ("FAK".equals(orderType) && filled.compareTo(planned) < 0) {
                state = OrderState.CANCELED; // the venue killed the remainder: terminal, with what filled
            }
        }
        return new PlaceResult.Accepted(new OrderStatus(intent.clientOrderId(), venueId, state, filled, avg));
    }

    /**
     * True when {@code making}, what the reply says we gave, can only be in 6-decimal base units: the exchange never
     * takes more than the signed maker amount (plus a fee, far below the amount itself), so a figure above twice it
     * in shares or pUSD is base units. Only a fill below two millionths of the signed amount, dust, could be read
     * either way; it is read as shares or pUSD. (The earlier test, "an integer at least 1000 times the planned
     * shares", read a FAK that matched less than a thousandth of its size, 0.05 of 100 shares, as 50,000 shares.)
     */
    static boolean inBaseUnits(BigDecimal making, long signedMakerUnits) {
        BigDecimal signed = OrderAmounts.fromBaseUnits(BigDecimal.valueOf(signedMakerUnits));
        return making.compareTo(signed.multiply(BigDecimal.valueOf(2))) > 0;
    }

    /**
     * The reply's amounts are written in shares ("21.04") by some CLOB versions and in 6-decimal base units
     * ("21040000") by others [contract: unverified]: an integer at least 1000 times the planned quantity is base units.
     */
    static BigDecimal inShares(BigDecimal amount, BigDecimal planned) {
        boolean integer = amount.stripTrailingZeros().scale() <= 0;
        if (integer && amount.compareTo(planned.multiply(BigDecimal.valueOf(1000))) >= 0) {
            return OrderAmounts.fromBaseUnits(amount);
        }
        return amount;
    }

    /** An order's state from {@code GET /data/order/{hash}}; {@link OrderStatus#notFound} for an order the CLOB never took. */
    static OrderStatus lookup(CopyIntent intent, HttpReply reply, String orderType) {
        if (PolymarketErrors.isTransientStatus(reply.status())) {
            throw PolymarketErrors.transientFor("GET /data/order", reply);
        }
        String text = reply.body().trim();
        if (reply.status() == 404 || text.isEmpty() || text.equals("null") || text.equals("{}")) {
            return OrderStatus.notFound(intent.clientOrderId());
        }
        if (!reply.isSuccess()) {
            throw new IllegalArgumentException("CLOB GET /data/order answered HTTP " + reply.status() + ": " + abbreviate(text));
        }
        JsonNode order = Json.read("CLOB GET /data/order", text);
        String status = textOr(order, "status", "").toUpperCase(Locale.ROOT).replaceFirst("^ORDER_STATUS_", "");
        BigDecimal original = Json.decimal(order, "original_size");
        BigDecimal matched = Optional.ofNullable(Json.optionalDecimal(order, "size_matched")).orElse(BigDecimal.ZERO);
        BigDecimal price = Json.optionalDecimal(order, "price");
        OrderState state;
        if (status.startsWith("CANCELED") || status.equals("UNMATCHED")) {
            state = OrderState.CANCELED;
        } else if (status.equals("INVALID")) {
            state = OrderState.REJECTED;
        } else if (matched.signum() > 0 && matched.compareTo(original) >= 0) {
            state = OrderState.FILLED;
        } else if (status.equals("MATCHED")) {
            // a FAK (or FOK) matched in part had the rest killed: it ends there, it never rests
            state = matched.signum() == 0 ? OrderState.FILLED
                    : isImmediate(order, orderType) ? OrderState.CANCELED : OrderState.PARTIALLY_FILLED;
            if (matched.signum() == 0) {
                matched = original;
            }
        } else {
            state = matched.signum() > 0 ? OrderState.PARTIALLY_FILLED : OrderState.OPEN;
        }
        String id = Json.text(order, "id");
        // the CLOB reports the order's limit price, not the fills': the fill price is at most this for a BUY
        return new OrderStatus(intent.clientOrderId(), id == null ? null : new VenueOrderId(id), state, matched,
                matched.signum() > 0 ? price : null);
    }

    /** Fill-and-kill or fill-or-kill: what did not match at once is gone. Our own orders are of the configured type. */
    static boolean isImmediate(JsonNode order, String orderType) {
        String type = textOr(order, "order_type", orderType).toUpperCase(Locale.ROOT);
        return type.equals("FAK") || type.equals("FOK");
    }

    /** True when the CLOB canceled the order, or it was gone already (matched, unknown). */
    static boolean canceled(HttpReply reply) {
        if (PolymarketErrors.isTransientStatus(reply.status())) {
            throw PolymarketErrors.transientFor("DELETE /order", reply);
        }
        if (reply.status() == 404) {
            return true;
        }
        if (!reply.isSuccess()) {
            return false;
        }
        JsonNode body = Json.read("CLOB DELETE /order", reply.body());
        if (body.path("canceled").isArray() && !body.path("canceled").isEmpty()) {
            return true;
        }
        for (JsonNode reason : body.path("not_canceled")) {
            String r = reason.asText().toLowerCase(Locale.ROOT);
            if (!(r.contains("not found") || r.contains("can't be found") || r.contains("already") || r.contains("matched"))) {
                return false;
            }
        }
        return body.path("not_canceled").size() > 0;
    }

    static String firstNonBlank(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }

    static String textOr(JsonNode node, String field, String fallback) {
        String v = Json.text(node, field);
        return v == null || v.isBlank() ? fallback : v;
    }

    static String abbreviate(String text) {
        return PolymarketFeedAdapter.abbreviate(text);
    }
}
