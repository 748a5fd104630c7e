package io.copytrader.polymarket;

import com.fasterxml.jackson.databind.JsonNode;
import io.copytrader.domain.CopyIntent;
import io.copytrader.domain.VenueOrderId;
import io.copytrader.venue.HttpReply;
import io.copytrader.venue.OrderState;
import io.copytrader.venue.OrderStatus;
import io.copytrader.venue.TransientVenueException;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * What an order filled, read from our trades ({@code GET /data/trades}, L2) for an order {@code GET /data/order}
 * does not list. The CLOB stops listing a FOK or FAK order once it is done (py-clob-client issue #217: the lookup of
 * a matched FAK returns nothing; its fills are in the trades), so "not found" by hash alone would call an order
 * that filled absent: failed as an unknown outcome, and signed again by a replay.
 *
 * <p>Our trades in the order's token since shortly before its source trade are read page by page (cursor
 * {@code next_cursor}, ending at {@code LTE=}); a trade is the order's when its {@code taker_order_id} is the order's
 * hash (our marketable orders are takers), or one of its {@code maker_orders} has it as {@code order_id}. A trade
 * whose settlement {@code FAILED} moved nothing and is not counted. The venue's document is silent on the query
 * parameters' semantics, so the match is always made here, on the hash; the filters only narrow what is read.
 */
final class ClobTrades {
    /** More pages than this and we do not conclude anything: the order is neither found nor absent. */
    static final int MAX_PAGES = 20;
    /** How far before the source trade's venue time the trades are read (clock skew between feed and CLOB). */
    static final long LOOKBACK_SECONDS = 300;
    private static final String END = "LTE=";

    private final ClobClient client;

    ClobTrades(ClobClient client) {
        this.client = client;
    }

    /**
     * The order's status from its trades: filled (an immediate order ends with what matched; a FAK that matched
     * less than {@code planned} had the rest killed), or {@link OrderStatus#notFound} when no trade is the order's.
     *
     * @throws TransientVenueException when the CLOB could not answer now
     * @throws IllegalStateException   when the trades run past {@link #MAX_PAGES} pages (nothing concluded)
     */
    OrderStatus statusOf(CopyIntent intent, VenueOrderId hash, BigDecimal planned, String orderType) {
        long after = Math.max(0, intent.source().tsEvent().getEpochSecond() - LOOKBACK_SECONDS);
        // L2 answers only our own trades; no maker_address filter, whose letter case the venue may compare exactly
        String filter = "?asset_id=" + intent.instrument().value() + "&after=" + after;
        BigDecimal shares = BigDecimal.ZERO;
        BigDecimal usdc = BigDecimal.ZERO;
        boolean found = false;
        String cursor = null;
        for (int page = 1; page <= MAX_PAGES; page++) {
            String query = cursor == null ? filter
                    : filter + "&next_cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8);
            HttpReply reply = call(query);
            if (reply.status() == 404) {
                if (page > 1) {
                    // a page the cursor pointed to is gone: what it held is unknown, so nothing is concluded
                    throw new IllegalStateException("CLOB GET /data/trades: page " + page + " answered HTTP 404");
                }
                // the CLOB answers any "not found" with 404 (contract 2.5): no trades of ours to read
                return OrderStatus.notFound(intent.clientOrderId());
            }
            JsonNode body = read(reply);
            JsonNode data = body.isArray() ? body : body.path("data");
            if (body.isNull() || data.isNull()) {
                data = Json.MAPPER.createArrayNode(); // "null": no trades of ours
            }
            if (!data.isArray()) {
                throw new IllegalArgumentException("CLOB GET /data/trades: expected a list of trades");
            }
            for (JsonNode trade : data) {
                if ("FAILED".equalsIgnoreCase(ClobReplies.textOr(trade, "status", ""))) {
                    continue; // its settlement failed on chain: nothing changed hands
                }
                if (hash.value().equalsIgnoreCase(ClobReplies.textOr(trade, "taker_order_id", ""))) {
                    BigDecimal size = Json.decimal(trade, "size");
                    shares = shares.add(size);
                    usdc = cost(usdc, size, Json.optionalDecimal(trade, "price"));
                    found = true;
                    continue;
                }
                for (JsonNode maker : trade.path("maker_orders")) {
                    if (hash.value().equalsIgnoreCase(ClobReplies.textOr(maker, "order_id", ""))) {
                        BigDecimal size = Json.decimal(maker, "matched_amount");
                        shares = shares.add(size);
                        usdc = cost(usdc, size, Json.optionalDecimal(maker, "price"));
                        found = true;
                    }
                }
            }
            String next = body.isObject() ? Json.text(body, "next_cursor") : null;
            if (next == null || next.isBlank() || next.equals(END) || data.isEmpty()) {
                return found ? filled(intent, hash, shares, usdc, planned, orderType) : OrderStatus.notFound(intent.clientOrderId());
            }
            cursor = next;
        }
        throw new IllegalStateException("CLOB GET /data/trades: more than " + MAX_PAGES + " pages of our trades in token "
                + intent.instrument().value() + "; order " + hash.value() + " is neither found nor confirmed absent");
    }

    /** The cost so far plus this fill's; unknown (null) once any fill's price is missing: the size still counts. */
    private static BigDecimal cost(BigDecimal sofar, BigDecimal size, BigDecimal price) {
        return sofar == null || price == null ? null : sofar.add(size.multiply(price));
    }

    private static OrderStatus filled(CopyIntent intent, VenueOrderId hash, BigDecimal shares, BigDecimal usdc,
                                      BigDecimal planned, String orderType) {
        BigDecimal avg = usdc != null && shares.signum() > 0
                ? usdc.divide(shares, MathContext.DECIMAL64).stripTrailingZeros() : null;
        // our orders are FOK or FAK and never rest: with trades, the order is done; a FAK short of its size was killed
        boolean killedRest = "FAK".equals(orderType.toUpperCase(Locale.ROOT)) && shares.compareTo(planned) < 0;
        return new OrderStatus(intent.clientOrderId(), hash, killedRest ? OrderState.CANCELED : OrderState.FILLED,
                shares, avg);
    }

    private HttpReply call(String query) {
        HttpReply reply;
        try {
            reply = client.execute(ClobRateLimits.Bucket.DATA, "GET /data/trades",
                    client.l2("GET", "/data/trades", query, null));
        } catch (IOException e) {
            throw new TransientVenueException("Polymarket GET /data/trades failed: " + e.getClass().getSimpleName(), 0, null);
        }
        if (PolymarketErrors.isTransientStatus(reply.status())) {
            throw PolymarketErrors.transientFor("GET /data/trades", reply);
        }
        if (!reply.isSuccess() && reply.status() != 404) {
            throw new IllegalArgumentException("CLOB GET /data/trades answered HTTP " + reply.status());
        }
        return reply;
    }

    private static JsonNode read(HttpReply reply) {
        return Json.read("CLOB GET /data/trades", reply.body());
    }
}
