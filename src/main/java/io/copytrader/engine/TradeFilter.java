package io.copytrader.engine;

import io.copytrader.config.TargetSettings;
import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.TraderId;
import io.copytrader.domain.Reason;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.venue.FeedClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * The filter EIP's predicate: a trade below MIN_TRADE_SIZE_USD is SKIPPED(FILTER_BELOW_MIN_SIZE), one older than
 * the max trade age SKIPPED(FILTER_STALE), one in a market the target's allow/deny lists leave out
 * SKIPPED(FILTER_MARKET_NOT_ALLOWED), and one dated more than {@link FeedClock#TRADE_TOLERANCE} (or the max trade age,
 * if shorter) ahead of this engine's clock SKIPPED(FILTER_DATED_AHEAD): its age cannot be judged (the feed's time or
 * this clock is wrong, a feed giving milliseconds for seconds, say). "Ahead" is judged at the time the trade was read
 * ({@code tsInit}, stored with it) as well as now, so a trade read dated ahead is skipped however late the filter sees
 * it (an aggregation window, a restart): waiting never makes a wrong time right. The skip is recorded here so the
 * filter step needs no else branch. The minimum size is the target's own when it has one.
 */
public final class TradeFilter {
    private static final Logger LOG = LoggerFactory.getLogger(TradeFilter.class);
    /** Trades dated ahead are a venue's (or this clock's) fault worth a WARN; at most a line every 10 s in a flood. */
    private final AggregatedWarn datedAhead = new AggregatedWarn(LOG, "Skipped trades dated ahead of this engine's clock"
            + " when read (their time is wrong: the feed's, a proxy's or this machine's clock; never copied)", 10_000);
    private final BigDecimal minTradeSizeUsd;
    private final Duration maxTradeAge;
    private final Duration maxAhead;
    private final TradeLedger ledger;
    private final Clock clock;

    private final Map<TraderId, TargetSettings> targets;

    public TradeFilter(BigDecimal minTradeSizeUsd, Duration maxTradeAge, TradeLedger ledger, Clock clock) {
        this(minTradeSizeUsd, maxTradeAge, Map.of(), ledger, clock);
    }

    /** @param targets per-target minimum size and markets; a trader not in it gets the global minimum, every market */
    public TradeFilter(BigDecimal minTradeSizeUsd, Duration maxTradeAge, Map<TraderId, TargetSettings> targets,
                       TradeLedger ledger, Clock clock) {
        this.minTradeSizeUsd = minTradeSizeUsd;
        this.maxTradeAge = maxTradeAge;
        this.maxAhead = maxAhead(maxTradeAge);
        this.targets = Map.copyOf(targets);
        this.ledger = ledger;
        this.clock = clock;
    }

    /** True to let the trade through; otherwise records the skip and returns false. */
    public boolean accepts(DetectedTrade trade) {
        TargetSettings target = targets.get(trade.trader());
        return acceptsAtLeast(trade, target == null ? minTradeSizeUsd : target.minTradeUsd());
    }

    /**
     * The same with the minimum size given by the route, so a user can change it by editing the route file
     * (for example {@code method: acceptsAtLeast(${body}, 2.5)}).
     */
    public boolean acceptsAtLeast(DetectedTrade trade, BigDecimal minSizeUsd) {
        Instant now = clock.instant();
        Reason reason;
        TargetSettings target = targets.get(trade.trader());
        if (target != null && !target.allows(trade.instrument())) {
            ledger.finish(trade, TradeOutcome.SKIPPED, Reason.FILTER_MARKET_NOT_ALLOWED,
                    "market " + trade.instrument() + " not allowed for target " + trade.trader());
            return false;
        }
        String detail;
        if (trade.notional().compareTo(minSizeUsd) < 0) {
            reason = Reason.FILTER_BELOW_MIN_SIZE;
            detail = "notional " + trade.notional().toPlainString() + " below " + minSizeUsd.toPlainString();
        } else if (trade.tsEvent().isBefore(now.minus(maxTradeAge))) {
            reason = Reason.FILTER_STALE;
            detail = "detected " + millis(trade.tsEvent(), now) + " ms after the fill";
        } else if (datedAhead(trade, now, maxAhead)) {
            reason = Reason.FILTER_DATED_AHEAD;
            detail = "dated " + aheadMillis(trade, now) + " ms ahead of this engine's"
                    + " clock when read (the feed's time or this clock is wrong)";
            datedAhead.event(trade.key() + ": " + detail);
        } else {
            return true;
        }
        ledger.finish(trade, TradeOutcome.SKIPPED, reason, detail);
        datedAhead.flush(); // the flood's count since the last line, once its 10 s have passed
        return false;
    }

    /**
     * True when the trade is dated more than {@code maxAhead} ahead of this engine's clock, either when it was read
     * ({@code tsInit}) or now: the filter's rule, and recovery's for a trade the filter has not seen yet. A time read
     * dated ahead stays wrong when the clock catches up with it.
     */
    public static boolean datedAhead(DetectedTrade trade, Instant now, Duration maxAhead) {
        return trade.tsEvent().isAfter(earlier(trade.tsInit(), now).plus(maxAhead));
    }

    /** How far ahead of this engine's clock, when read or now (the earlier), the trade is dated, in milliseconds. */
    static long aheadMillis(DetectedTrade trade, Instant now) {
        return millis(earlier(trade.tsInit(), now), trade.tsEvent());
    }

    private static Instant earlier(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    /** How far ahead of this engine's clock a trade may be dated: {@link FeedClock#TRADE_TOLERANCE}, or the max age. */
    public static Duration maxAhead(Duration maxTradeAge) {
        return maxTradeAge.compareTo(FeedClock.TRADE_TOLERANCE) < 0 ? maxTradeAge : FeedClock.TRADE_TOLERANCE;
    }

    /** Milliseconds from one instant to a later one, Long.MAX_VALUE past what a long holds (Instant spans more). */
    static long millis(Instant from, Instant to) {
        Duration d = Duration.between(from, to);
        return d.getSeconds() >= Long.MAX_VALUE / 1000 ? Long.MAX_VALUE : d.toMillis();
    }
}
