package io.copytrader.chain;

import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.Reason;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.engine.PipelineMetrics;
import io.copytrader.engine.TradeLedger;
import io.copytrader.store.TradeStore;
import io.micrometer.core.instrument.Counter;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;

/**
 * What the engine does with the chain feed's fills. A new fill goes to the {@code detect-chain} route (the same
 * idempotent admission as the Data API feed, so the same fill from both sources is one trade, whichever comes
 * first); when that call returns, the trade is admitted and queued, or known already. A fill a reorg removed is
 * retracted if no order was sent for it (SKIPPED, CHAIN_REORGED), or recorded as reorged if one was: our order
 * stands and our position follows our own fills, never a second order.
 */
public final class ChainDetection implements ChainFillSink {
    public static final String SOURCE = "chain";
    public static final String REORGS = "copytrader.chain.reorgs";
    private static final Logger LOG = LoggerFactory.getLogger(ChainDetection.class);

    private final ProducerTemplate producer;
    private final String endpoint;
    private final TradeLedger ledger;
    private final PipelineMetrics metrics;
    private final Counter retracted;
    private final Counter reorgedAfterSend;
    private final Counter reincluded;

    public ChainDetection(ProducerTemplate producer, String endpoint, TradeLedger ledger) {
        this.producer = producer;
        this.endpoint = endpoint;
        this.ledger = ledger;
        this.metrics = ledger.metrics();
        this.retracted = reorgCounter("retracted", "Fills removed by a reorg before an order was sent: not copied");
        this.reorgedAfterSend = reorgCounter("after-order", "Fills removed by a reorg after our order was sent");
        this.reincluded = reorgCounter("reincluded", "Removed fills that came back in another block");
    }

    private Counter reorgCounter(String what, String description) {
        return Counter.builder(REORGS).tag("event", what).description(description).register(metrics.registry());
    }

    @Override
    public void onFill(ChainFill fill) {
        // synchronous: an exception (the store is down) stops the feed's cursor before this fill, and it is read again
        producer.sendBody(endpoint, fill.trade());
    }

    /**
     * The route's step after admission: the venue time to detected. The source was recorded with the trade by the
     * admission itself (detect-chain's repository, {@code chainAdmissions}).
     */
    public void admitted(DetectedTrade trade) {
        metrics.detectionLag(trade, SOURCE);
    }

    @Override
    public void onRemoved(ChainFill fill) {
        String key = fill.trade().key();
        Optional<DetectedTrade> stored = ledger.store().trade(key);
        if (stored.isEmpty()) {
            return;
        }
        ledger.retract(key);
        DetectedTrade trade = stored.get();
        if (ledger.store().order(trade.clientOrderId()).isEmpty()) {
            if (ledger.finish(trade, TradeOutcome.SKIPPED, Reason.CHAIN_REORGED,
                    "block " + fill.log().blockNumber() + " removed by a reorg before an order was sent")) {
                retracted.increment();
                LOG.warn("Reorg removed fill {} (block {}) before it was copied: trade {} retracted", fill.identity(),
                        fill.log().blockNumber(), key);
            }
            return;
        }
        ledger.store().markReorged(key);
        reorgedAfterSend.increment();
        LOG.warn("Reorg removed fill {} (block {}) after order {} was sent for trade {}: the order stands, the position "
                + "follows our own fills", fill.identity(), fill.log().blockNumber(), trade.clientOrderId(), key);
    }

    @Override
    public void onReincluded(ChainFill fill) {
        reincluded.increment();
        LOG.warn("Fill {} removed by a reorg is back in block {}; trade {} keeps the outcome it has", fill.identity(),
                fill.log().blockNumber(), fill.trade().key());
    }

    @Override
    public void onMalformed(ChainLog log, String reason) {
        metrics.rowRejected(Reason.FEED_MALFORMED_ROW);
        LOG.warn("Rejected OrderFilled log {}: {}", log.position(), reason);
    }
}
