package io.copytrader.engine;

import io.copytrader.domain.DetectedTrade;
import io.copytrader.venue.FeedClock;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.processor.aggregate.AggregateProcessor;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The aggregate-fills route's strategy: fills of one target order (same {@link DetectedTrade#aggregationKey()}: the
 * target, its source order, the instrument and the side) detected within the aggregation window become one trade to
 * copy, before the filter and sizing (docs/aggregation.md).
 *
 * <p>The combined trade is the first fill's trade with the summed quantity, the summed notional and the
 * volume-weighted price: it keeps the first fill's source trade id, so its key, its client order id and its stored
 * row are the first fill's (the "leader"), and a restart that rebuilds the group derives the same client order id.
 * The other fills ("followers") are linked to the leader in the store when the group completes and take the leader's
 * outcome ({@link TradeLedger#aggregate}), so every source trade still ends in exactly one outcome.
 */
public final class FillAggregation implements AggregationStrategy {
    /** Exchange property: the fills of the aggregate, in detection order (List of DetectedTrade). */
    public static final String FILLS = "copytraderFills";
    /** Header on a queued aggregate of several fills: how many (for tracing; on Kafka it travels as a record header). */
    public static final String AGGREGATE_HEADER = "copytrader-aggregate";
    /** A volume-weighted price that does not divide exactly keeps this many significant digits (half-even). */
    private static final MathContext PRICE_CONTEXT = new MathContext(20, RoundingMode.HALF_EVEN);

    /** The aggregate EIP's id in routes/aggregate-fills.camel.yaml. */
    static final String AGGREGATOR_ID = "aggregate-fills-by-order";

    private final long windowMs;
    private final Duration maxAhead;
    private final TradeLedger ledger;
    /** Each target's last fill's aggregation key. */
    private final Map<String, String> lastKey = new ConcurrentHashMap<>();
    private volatile AggregateProcessor aggregator;
    private volatile boolean warned;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FillAggregation.class);

    /**
     * @param windowMs the aggregation window; 0 turns aggregation off (each fill completes its own group at once).
     *                 A fill dated ahead is judged by the 10 s tolerance, the filter's bound with the default max age
     */
    public FillAggregation(long windowMs, TradeLedger ledger) {
        this(windowMs, FeedClock.TRADE_TOLERANCE, ledger);
    }

    /** @param maxAhead the filter's bound on a fill dated ahead ({@link TradeFilter#maxAhead}), for {@link #groupKey} */
    public FillAggregation(long windowMs, Duration maxAhead, TradeLedger ledger) {
        if (windowMs < 0) {
            throw new IllegalArgumentException("windowMs must be >= 0, but was " + windowMs);
        }
        this.windowMs = windowMs;
        this.maxAhead = maxAhead;
        this.ledger = ledger;
    }

    /** A fill's group ({@link #groupKey(DetectedTrade, Duration)} with this engine's bound). */
    public String groupKey(DetectedTrade fill) {
        return groupKey(fill, maxAhead);
    }

    public long windowMs() {
        return windowMs;
    }

    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
        DetectedTrade fill = newExchange.getMessage().getBody(DetectedTrade.class);
        if (oldExchange == null) {
            List<DetectedTrade> fills = new ArrayList<>();
            fills.add(fill);
            newExchange.setProperty(FILLS, fills);
            return newExchange;
        }
        @SuppressWarnings("unchecked")
        List<DetectedTrade> fills = oldExchange.getProperty(FILLS, List.class);
        fills.add(fill);
        oldExchange.getMessage().setBody(combine(fills));
        return oldExchange; // keeps the first fill's properties: the target's position before the order
    }

    /**
     * The step before the aggregator: a target's fills of one order come one after the other (in a feed page, in a
     * transaction's logs), so a fill of another order completes that target's previous group at once instead of at
     * the window's end or the page's: the group goes to the queue before the next order's first fill is aggregated,
     * and a page's orders are queued as they are read, not in one burst at its end.
     */
    public void beforeFill(Exchange exchange) {
        if (windowMs == 0 || !(exchange.getMessage().getBody() instanceof DetectedTrade fill)) {
            return;
        }
        String key = groupKey(fill);
        String previous = lastKey.put(fill.trader().value(), key);
        if (previous != null && !previous.equals(key)) {
            AggregateProcessor processor = aggregator(exchange.getContext());
            if (processor != null && processor.isStarted()) {
                processor.forceCompletionOfGroup(previous);
            }
        }
    }

    /**
     * Completes the open groups whose window has passed by the monotonic clock ({@link FillGroups#idleFor}), as
     * Camel's completion timeout does by the wall clock: after the wall clock steps back, Camel's would complete them
     * only once the step had passed too (a chain fill, the last of its target's, held for minutes and then skipped as
     * too old). One whose window Camel's look completed first is not there any more; nothing is completed twice.
     */
    public void completeIdleGroups(CamelContext context, FillGroups groups) {
        if (windowMs == 0) {
            return;
        }
        List<String> idle = groups.idleFor(TimeUnit.MILLISECONDS.toNanos(windowMs));
        if (idle.isEmpty()) {
            return;
        }
        AggregateProcessor processor = aggregator(context);
        if (processor != null && processor.isStarted()) {
            for (String key : idle) {
                processor.forceCompletionOfGroup(key);
            }
        }
    }

    /**
     * The fill's group: its {@link DetectedTrade#aggregationKey()}, but a fill dated further ahead of this engine's
     * clock, when it was read, than {@code maxAhead} (the filter's bound, {@link TradeFilter#maxAhead}: the
     * {@link FeedClock#TRADE_TOLERANCE}, or the max trade age if shorter) is a group of its own. The filter skips it
     * (FILTER_DATED_AHEAD); joined to another fill of its order it would be copied with that fill's copy.
     */
    public static String groupKey(DetectedTrade fill, Duration maxAhead) {
        return TradeFilter.datedAhead(fill, fill.tsInit(), maxAhead) ? fill.key() : fill.aggregationKey();
    }

    private AggregateProcessor aggregator(CamelContext context) {
        AggregateProcessor processor = aggregator;
        if (processor == null || !processor.isStarted()) {
            // none yet, or the one of a route since reloaded (ROUTES_RELOAD): a stopped aggregator completing a group
            // would take it out of the shared repository and hand it to its stopped route, where it is lost
            // null when a route edit renamed it: groups then complete on the window and at the page's end
            processor = context.getProcessor(AGGREGATOR_ID, AggregateProcessor.class);
            if (processor == null && !warned) {
                warned = true;
                LOG.warn("No aggregator with id {} in the routes: fill groups complete on the window and at the end "
                        + "of each page only", AGGREGATOR_ID);
            }
            aggregator = processor;
        }
        return processor;
    }

    /**
     * The completion predicate: true when aggregation is off or the fill's source order is unknown (nothing could
     * join it), so such a fill goes on at once instead of waiting out the window.
     */
    public boolean completes(Exchange exchange) {
        DetectedTrade trade = exchange.getMessage().getBody(DetectedTrade.class);
        return windowMs == 0 || trade == null || trade.sourceOrder() == null;
    }

    /**
     * The first step after a group completed: links the followers to the leader in the store (before the combined
     * trade is queued or filtered, so its outcome reaches every fill, also after a restart) and marks the exchange.
     */
    public void completed(Exchange exchange) {
        @SuppressWarnings("unchecked")
        List<DetectedTrade> fills = exchange.getProperty(FILLS, List.class);
        exchange.removeProperty(FILLS);
        if (fills == null || fills.size() < 2) {
            return;
        }
        ledger.aggregate(fills.get(0), fills.subList(1, fills.size()));
        exchange.getMessage().setHeader(AGGREGATE_HEADER, fills.size());
    }

    /**
     * One trade for fills of one order: the first fill's identity, the summed quantity and notional, and the
     * volume-weighted price sum(price x quantity) / sum(quantity), exact when it divides, else to 20 significant
     * digits half-even.
     *
     * @throws IllegalArgumentException when the fills are not of one trader, instrument and side
     */
    public static DetectedTrade combine(List<DetectedTrade> fills) {
        if (fills.isEmpty()) {
            throw new IllegalArgumentException("no fills to combine");
        }
        DetectedTrade first = fills.get(0);
        if (fills.size() == 1) {
            return first;
        }
        BigDecimal quantity = BigDecimal.ZERO;
        BigDecimal cost = BigDecimal.ZERO;
        BigDecimal notional = BigDecimal.ZERO;
        for (DetectedTrade f : fills) {
            if (!f.trader().equals(first.trader()) || !f.instrument().equals(first.instrument())
                    || f.side() != first.side()) {
                throw new IllegalArgumentException("fill " + f.key() + " (" + f.side() + " " + f.instrument()
                        + ") is not of the order of " + first.key() + " (" + first.side() + " " + first.instrument() + ")");
            }
            quantity = quantity.add(f.quantity());
            cost = cost.add(f.price().multiply(f.quantity()));
            notional = notional.add(f.notional());
        }
        // exact when the quotient has at most 20 digits (as an exact division gives it), else rounded to 20: no
        // exception thrown and caught for a non-terminating one (a profile of the copy threads showed its cost)
        BigDecimal price = cost.divide(quantity, PRICE_CONTEXT);
        return new DetectedTrade(first.sourceTradeId(), first.trader(), first.instrument(), first.outcome(),
                first.side(), price, quantity, notional, first.tsEvent(), first.tsInit(), first.sourceOrder());
    }
}
