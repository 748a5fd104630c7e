package io.copytrader.engine;

import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.Reason;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.store.TradeStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one place a trade's terminal outcome is written: to the store first (first outcome wins), then to the
 * metrics, so the store and the metrics agree on {@code detected = outcomes + in flight}.
 */
public final class TradeLedger {
    private static final Logger LOG = LoggerFactory.getLogger(TradeLedger.class);

    private final TradeStore store;
    private final PipelineMetrics metrics;
    /** Trades this process is handling (admitted or re-queued here, not yet ended). */
    private final Set<String> active = ConcurrentHashMap.newKeySet();
    private volatile OutcomeListener outcomeListener;

    /** Told of every terminal outcome right after it was recorded, on the thread that recorded it; must be quick. */
    public interface OutcomeListener {
        void onOutcome(DetectedTrade trade, TradeOutcome outcome, Reason reason);
    }
    /** Trades whose source fill a chain reorg removed: no order may be sent for them from now on. */
    private final Set<String> retracted = ConcurrentHashMap.newKeySet();

    public TradeLedger(TradeStore store, PipelineMetrics metrics) {
        this.store = store;
        this.metrics = metrics;
    }

    public TradeStore store() {
        return store;
    }

    public PipelineMetrics metrics() {
        return metrics;
    }

    /** Admits a detected trade; false for a duplicate. */
    public boolean admit(DetectedTrade trade) {
        // claimed before the store write, so no one sees it in flight and unclaimed; a duplicate (a re-read page)
        // must not release a claim someone else holds (recovery's, after a restart)
        boolean claimedHere = active.add(trade.key());
        boolean admitted = store.admit(trade);
        if (admitted) {
            metrics.detected();
            metrics.target(trade.trader().value(), "DETECTED");
        } else if (claimedHere) {
            active.remove(trade.key());
        }
        return admitted;
    }

    /**
     * Admits a polled page's trades together (one group commit on SQLite), as {@link #admit} would one by one: for each
     * trade in order, true admitted, false a duplicate, null not stored (admitting it alone again reports why).
     */
    public List<Boolean> admitAll(List<DetectedTrade> trades) {
        List<Boolean> claimedHere = new ArrayList<>(trades.size());
        trades.forEach(t -> claimedHere.add(active.add(t.key())));
        List<Boolean> admitted = store.admitAll(trades);
        for (int i = 0; i < trades.size(); i++) {
            DetectedTrade trade = trades.get(i);
            if (Boolean.TRUE.equals(admitted.get(i))) {
                metrics.detected();
                metrics.target(trade.trader().value(), "DETECTED");
            } else if (claimedHere.get(i)) {
                active.remove(trade.key());
            }
        }
        return admitted;
    }

    /** Claims a trade admitted earlier (by a previous run, or reopened by a replay); false if already claimed. */
    public boolean claim(DetectedTrade trade) {
        return active.add(trade.key());
    }

    /** From now on no order is sent for this trade (its fill was removed by a reorg); see OrderPlacer#prepare. */
    public void retract(String tradeKey) {
        retracted.add(tradeKey);
    }

    public boolean isRetracted(String tradeKey) {
        return retracted.contains(tradeKey);
    }

    /** Gives up a claim without an outcome. */
    public void release(DetectedTrade trade) {
        active.remove(trade.key());
    }


    /** Records the outcome once; a second outcome for the same trade is ignored and logged at DEBUG. */
    public boolean finish(DetectedTrade trade, TradeOutcome outcome, Reason reason, String detail) {
        boolean first = store.finish(trade.key(), outcome, reason, detail);
        if (first) {
            active.remove(trade.key());
            metrics.outcome(outcome, reason);
            metrics.target(trade.trader().value(), outcome.name());
            tell(trade, outcome, reason);
        } else {
            LOG.debug("Trade {} already has an outcome; ignoring {} {}", trade.key(), outcome, reason);
        }
        return first;
    }

    /** Sets the one listener told of outcomes (the operator's dashboard); null removes it. */
    public void outcomeListener(OutcomeListener listener) {
        this.outcomeListener = listener;
    }

    private void tell(DetectedTrade trade, TradeOutcome outcome, Reason reason) {
        OutcomeListener listener = outcomeListener;
        if (listener != null) {
            try {
                listener.onOutcome(trade, outcome, reason);
            } catch (RuntimeException e) {
                LOG.warn("Outcome listener failed for trade {}: {}", trade.key(), e.toString());
            }
        }
    }
}
