package io.copytrader.engine;

import io.copytrader.config.TargetSettings;
import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.TraderId;
import io.copytrader.domain.Reason;
import io.copytrader.domain.TradeOutcome;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * The filter EIP's predicate: a trade below MIN_TRADE_SIZE_USD is SKIPPED(FILTER_BELOW_MIN_SIZE), one older than
 * the max trade age SKIPPED(FILTER_STALE), one in a market the target's allow/deny lists leave out
 * SKIPPED(FILTER_MARKET_NOT_ALLOWED); the skip is recorded here so the filter step needs no else branch. The minimum
 * size is the target's own when it has one.
 */
public final class TradeFilter {
    private final BigDecimal minTradeSizeUsd;
    private final Duration maxTradeAge;
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
        if (trade.notional().compareTo(minSizeUsd) < 0) {
            reason = Reason.FILTER_BELOW_MIN_SIZE;
        } else if (trade.tsEvent().plus(maxTradeAge).isBefore(now)) {
            reason = Reason.FILTER_STALE;
        } else {
            return true;
        }
        ledger.finish(trade, TradeOutcome.SKIPPED, reason, reason == Reason.FILTER_STALE
                ? "detected " + Duration.between(trade.tsEvent(), now).toMillis() + " ms after the fill"
                : "notional " + trade.notional().toPlainString() + " below " + minSizeUsd.toPlainString());
        return false;
    }
}
