package io.copytrader.engine;

import io.copytrader.domain.DetectedTrade;
import org.apache.camel.Exchange;
import org.apache.camel.Expression;
import org.apache.camel.support.ExpressionAdapter;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The keys the routes read off a trade, as Camel expressions the routes name with the {@code ref} language
 * ({@code ref: tradeKey}). They replace simple-language calls such as {@code ${body.key()}}: Camel evaluates those
 * through its bean language, which parses the call and builds a bean holder for the body at every trade (about a
 * twentieth of the copy pipeline's CPU in a profile at 1,000 trades/s); these call the method. A body that is not a
 * trade gives null, as a missing key.
 */
public final class TradeExpressions {

    /** The trade's unique key (dedup). */
    public static final String TRADE_KEY = "tradeKey";
    /** Fills of one target order share it (fill aggregation, {@link FillAggregation#groupKey}). */
    public static final String AGGREGATION_KEY = "aggregationKey";
    /** Trades of one key are copied in order (the copy queue's key). */
    public static final String ORDERING_KEY = "orderingKey";
    /** A polled page's trades (split-trades); none for a body that is not a page. */
    public static final String PAGE_TRADES = "pageTrades";
    /** True when a polled page had trades (the page-end completion of the fill groups is sent only then). */
    public static final String PAGE_HAS_TRADES = "pageHasTrades";

    private TradeExpressions() {
    }

    /** Every expression by the name the routes use; the fill groups are those of {@code aggregation}. */
    public static Map<String, Expression> all(FillAggregation aggregation) {
        return Map.of(
                TRADE_KEY, of(TRADE_KEY, DetectedTrade::key),
                AGGREGATION_KEY, of(AGGREGATION_KEY, aggregation::groupKey),
                ORDERING_KEY, of(ORDERING_KEY, DetectedTrade::orderingKey),
                PAGE_TRADES, page(PAGE_TRADES, TradeDetector.Poll::trades, List.of()),
                PAGE_HAS_TRADES, page(PAGE_HAS_TRADES, poll -> !poll.trades().isEmpty(), false));
    }

    /** An expression of a polled page ({@code ${body.trades()}} and the like); {@code none} for any other body. */
    private static Expression page(String name, Function<TradeDetector.Poll, Object> read, Object none) {
        return new ExpressionAdapter() {
            @Override
            public Object evaluate(Exchange exchange) {
                Object body = exchange.getMessage().getBody();
                return body instanceof TradeDetector.Poll poll ? read.apply(poll) : none;
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    private static Expression of(String name, Function<DetectedTrade, String> key) {
        return new ExpressionAdapter() {
            @Override
            public Object evaluate(Exchange exchange) {
                Object body = exchange.getMessage().getBody();
                return body instanceof DetectedTrade trade ? key.apply(trade) : null;
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }
}
