package io.copytrader.chain;

import io.copytrader.domain.TraderId;
import io.copytrader.engine.LifecycleEventNotifier;
import io.copytrader.engine.PipelineMetrics;
import io.copytrader.engine.TradeAdmissions;
import io.copytrader.engine.TradeLedger;
import io.copytrader.ops.SecretMasker;
import io.copytrader.store.TradeStore;
import io.micrometer.core.instrument.FunctionCounter;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.spi.CamelEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;
import java.util.OptionalLong;

/** Puts chain detection into the engine (called by EngineConfiguration). */
public final class ChainWiring {
    /** The store's feed-cursor key of the chain feed's block cursor. */
    public static final String CURSOR_KEY = "chain:polygon";
    public static final String ENDPOINT = "direct:detect-chain";
    /** Gauge: 1 while the chain feed is subscribed and caught up. */
    public static final String LIVE = "copytrader.chain.live";
    /** Gauge: 1 once the chain feed's worker ended on an error it cannot survive. */
    public static final String STOPPED = "copytrader.chain.stopped";
    private static final Logger LOG = LoggerFactory.getLogger(ChainWiring.class);

    private ChainWiring() {
    }

    /**
     * Binds {@code chainDetection} (always: the detect-chain route names it) and, when chain detection is on, a
     * {@code chainFeed} that starts once every route runs and stops before the routes do (detection stops first).
     *
     * @return the feed, or null when chain detection is off
     */
    public static ChainFeed install(CamelContext context, ChainSettings settings, List<TraderId> traders,
                                    TradeLedger ledger, Clock clock) throws Exception {
        ChainDetection detection = new ChainDetection(context.createProducerTemplate(), ENDPOINT, ledger);
        context.getRegistry().bind("chainDetection", detection);
        // the chain's admissions record their source in the same write (detect-chain's idempotent consumer)
        context.getRegistry().bind("chainAdmissions", new TradeAdmissions(ledger, ChainDetection.SOURCE));
        if (!settings.chainOn()) {
            return null;
        }
        SecretMasker.register(settings.url().toString()); // a provider key in the URL never reaches a log line
        ChainFeed feed = new ChainFeed(settings.options(), new OrderFilledDecoder(traders, settings.exchanges()),
                detection, cursor(ledger.store()), clock);
        context.getRegistry().bind("chainFeed", feed);
        meters(ledger.metrics(), feed);
        context.addStartupListener(new StartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext ctx, boolean alreadyStarted) {
                // routes may not all run yet
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext ctx, boolean alreadyStarted) {
                feed.start();
            }
        });
        context.getManagementStrategy().addEventNotifier(
                LifecycleEventNotifier.on(CamelEvent.CamelContextStoppingEvent.class, feed::close));
        LOG.info("Detection: {} (chain feed on {} exchange contract(s), {} target(s))", settings.detection(),
                settings.exchanges().size(), traders.size());
        return feed;
    }

    /** The feed's figures: its cursor, whether it is live or stopped, the errors it survived, the notifications dropped. */
    static void meters(PipelineMetrics metrics, ChainFeed feed) {
        metrics.gauge("copytrader.chain.cursor", "Chain feed: every OrderFilled log up to this block was handed over",
                feed::cursor);
        metrics.gauge(LIVE, "Chain feed: 1 when subscribed and caught up", () -> feed.isLive() ? 1 : 0);
        metrics.gauge(STOPPED, "Chain feed: 1 once its worker ended on an error it cannot survive (no chain detection "
                + "until a restart)", () -> feed.stoppedBy().isPresent() ? 1 : 0);
        FunctionCounter.builder("copytrader.chain.worker.errors", feed, ChainFeed::workerErrors)
                .description("Chain feed: errors its worker survived (the fill read again)").register(metrics.registry());
        FunctionCounter.builder("copytrader.chain.events.dropped", feed, ChainFeed::droppedEvents)
                .description("Chain feed: notifications dropped from a full queue (their blocks read again)")
                .register(metrics.registry());
    }

    static ChainFeed.Cursor cursor(TradeStore store) {
        TraderId key = new TraderId(CURSOR_KEY);
        return new ChainFeed.Cursor() {
            @Override
            public OptionalLong load() {
                String stored = store.cursor(key).orElse(null);
                if (stored == null) {
                    return OptionalLong.empty();
                }
                try {
                    return OptionalLong.of(Long.parseLong(stored));
                } catch (NumberFormatException e) {
                    LOG.warn("Stored chain cursor '{}' is not a block number; starting from the head", stored);
                    return OptionalLong.empty();
                }
            }

            @Override
            public void save(long block) {
                store.saveCursor(key, Long.toString(block));
            }
        };
    }
}
