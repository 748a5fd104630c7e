package io.copytrader.paper;

import com.fasterxml.jackson.databind.JsonNode;
import io.copytrader.domain.Side;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The trading patterns copy semantics must handle, as scripted fills (served by
 * {@code POST /admin/traders/{id}/patterns}): one target order filled in N pieces, a buy then a sell within one
 * poll, and partial exits. Seeded: the same arguments give the same fills. Quantities are exact at 2 decimals.
 */
public final class FeedPatterns {
    private static final BigDecimal TICK = new BigDecimal("0.001");
    private static final BigDecimal MAX_PRICE = new BigDecimal("0.989");
    private static final BigDecimal MIN_PRICE = new BigDecimal("0.011");

    private FeedPatterns() {
    }

    /**
     * One order sweeping the book: {@code pieces} fills of order {@code orderId} whose quantities (random, at least
     * 0.01 each) sum to {@code quantity}, each a tick worse than the last (a buy pays more, a sell gets less).
     */
    public static List<ScriptedFill> splitOrder(String orderId, String instrument, Side side, int pieces,
                                                BigDecimal quantity, BigDecimal price, long seed) {
        long total = quantity.movePointRight(2).longValueExact();
        if (pieces < 1 || pieces > 1000 || total < pieces) {
            throw new IllegalArgumentException("pieces must be in [1, 1000] and at most quantity / 0.01, but was " + pieces);
        }
        Random random = new Random(seed);
        long[] cuts = new long[pieces];
        long left = total - pieces; // every piece gets 0.01, the rest is spread at random
        for (int i = 0; i < pieces - 1; i++) {
            long extra = left == 0 ? 0 : (long) (random.nextDouble() * (left / (double) (pieces - i)) * 2);
            extra = Math.min(extra, left);
            cuts[i] = 1 + extra;
            left -= extra;
        }
        cuts[pieces - 1] = 1 + left;
        List<ScriptedFill> fills = new ArrayList<>(pieces);
        for (int i = 0; i < pieces; i++) {
            BigDecimal step = TICK.multiply(BigDecimal.valueOf(i));
            BigDecimal p = (side == Side.BUY ? price.add(step) : price.subtract(step)).min(MAX_PRICE).max(MIN_PRICE);
            fills.add(new ScriptedFill(instrument, "YES", side, p, BigDecimal.valueOf(cuts[i], 2), orderId));
        }
        return fills;
    }

    /** A buy and, right after it, a sell of the same quantity: a round trip within one poll. */
    public static List<ScriptedFill> buyThenSell(String instrument, BigDecimal quantity, BigDecimal price) {
        return List.of(new ScriptedFill(instrument, "YES", Side.BUY, price, quantity, null),
                new ScriptedFill(instrument, "YES", Side.SELL, price, quantity, null));
    }

    /** A buy of {@code quantity}, then {@code exits} sells of equal parts, the last one selling the rest. */
    public static List<ScriptedFill> partialExits(String instrument, BigDecimal quantity, BigDecimal price, int exits) {
        if (exits < 1 || exits > 100) {
            throw new IllegalArgumentException("exits must be in [1, 100], but was " + exits);
        }
        List<ScriptedFill> fills = new ArrayList<>();
        fills.add(new ScriptedFill(instrument, "YES", Side.BUY, price, quantity, null));
        BigDecimal part = quantity.divide(BigDecimal.valueOf(exits), 2, RoundingMode.DOWN);
        BigDecimal sold = BigDecimal.ZERO;
        for (int i = 1; i <= exits; i++) {
            BigDecimal q = i == exits ? quantity.subtract(sold) : part;
            fills.add(new ScriptedFill(instrument, "YES", Side.SELL, price, q, null));
            sold = sold.add(q);
        }
        return fills;
    }

    /** Builds a pattern from an admin request body ({@code pattern}: SPLIT_ORDER, BUY_THEN_SELL, PARTIAL_EXITS). */
    static List<ScriptedFill> fromJson(JsonNode body, String trader, long seed) {
        String pattern = PaperJson.text(body, "pattern").toUpperCase(Locale.ROOT);
        String instrument = PaperJson.text(body, "instrument");
        BigDecimal quantity = PaperJson.quantity(body, "quantity");
        BigDecimal price = PaperJson.price(body, "price");
        return switch (pattern) {
            case "SPLIT_ORDER" -> {
                JsonNode orderId = body.get("orderId");
                yield splitOrder(orderId == null ? trader + "-order-" + Long.toHexString(seed) : orderId.asText(), instrument,
                        Side.parse(PaperJson.text(body, "side")), (int) PaperJson.integer(body, "pieces"), quantity,
                        price, seed);
            }
            case "BUY_THEN_SELL" -> buyThenSell(instrument, quantity, price);
            case "PARTIAL_EXITS" -> partialExits(instrument, quantity, price, (int) PaperJson.integer(body, "exits"));
            default -> throw new IllegalArgumentException("pattern must be SPLIT_ORDER, BUY_THEN_SELL or PARTIAL_EXITS, but was '"
                    + pattern + "'");
        };
    }
}
