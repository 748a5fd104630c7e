package io.copytrader.polymarket;

import io.copytrader.domain.WallClock;
import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The CLOB's market data an order is built from: the order version, each token's book (best prices, minimum size),
 * and its tick size and neg-risk flag, cached for the configured TTL (a fresher tick size in the book wins).
 */
final class ClobMarketData {
    private final ClobClient client;
    private final Clock clock;
    private final Map<String, Cached> metadata = new ConcurrentHashMap<>();

    private record Cached(BigDecimal tickSize, boolean negRisk, Instant fetchedAt) {
    }

    ClobMarketData(ClobClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    /** Asks {@code GET /version} which order version the CLOB takes. */
    int resolveVersion() {
        JsonNode node = Json.read("CLOB /version", client.fetch(ClobRateLimits.Bucket.GENERAL, "CLOB /version", client.get("/version")).body());
        JsonNode v = node.isObject() ? node.get("version") : node;
        String text = v == null ? null : v.asText().trim();
        try {
            return Integer.parseInt(text == null ? "" : text.replaceFirst("^[vV]", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("CLOB /version: no integer version in the answer");
        }
    }

    /** Tick size and neg-risk (cached with the TTL), min size and best prices from the fresh book. */
    TokenMarket market(String token) {
        JsonNode book = Json.read("CLOB /book", client.fetch(ClobRateLimits.Bucket.BOOK, "CLOB /book", client.get("/book?token_id=" + token)).body());
        Cached meta = metadata.get(token);
        Instant now = clock.instant();
        if (meta == null || WallClock.due(meta.fetchedAt(), client.config().metadataTtl(), now)) {
            BigDecimal tick = Json.decimal(Json.read("CLOB /tick-size", client.fetch(ClobRateLimits.Bucket.TICK_SIZE, "CLOB /tick-size",
                    client.get("/tick-size?token_id=" + token)).body()), "minimum_tick_size");
            JsonNode negRisk = Json.read("CLOB /neg-risk", client.fetch(ClobRateLimits.Bucket.GENERAL, "CLOB /neg-risk",
                    client.get("/neg-risk?token_id=" + token)).body()).get("neg_risk");
            if (negRisk == null || !negRisk.isBoolean()) {
                throw new IllegalArgumentException("CLOB /neg-risk: neg_risk is missing or not a boolean");
            }
            meta = new Cached(tick, negRisk.booleanValue(), now);
            metadata.put(token, meta);
        }
        BigDecimal bookTick = Json.optionalDecimal(book, "tick_size");
        if (bookTick != null && bookTick.compareTo(meta.tickSize()) != 0) {
            meta = new Cached(bookTick, meta.negRisk(), meta.fetchedAt()); // the book is fresher: the tick changed
            metadata.put(token, meta);
        }
        OrderAmounts.rounding(meta.tickSize()); // an unknown tick fails here, before anything is signed
        BigDecimal minSize = Optional.ofNullable(Json.optionalDecimal(book, "min_order_size")).orElse(BigDecimal.ZERO);
        return new TokenMarket(meta.tickSize(), meta.negRisk(), minSize, best(book.path("bids"), true),
                best(book.path("asks"), false));
    }

    /** The best level by price (max bid, min ask), whatever order the venue lists them in. */
    private static Optional<BigDecimal> best(JsonNode levels, boolean highest) {
        BigDecimal best = null;
        for (JsonNode level : levels) {
            BigDecimal price = Json.decimal(level, "price");
            BigDecimal size = Json.decimal(level, "size");
            if (size.signum() > 0 && (best == null || (highest ? price.compareTo(best) > 0 : price.compareTo(best) < 0))) {
                best = price;
            }
        }
        return Optional.ofNullable(best);
    }
}
