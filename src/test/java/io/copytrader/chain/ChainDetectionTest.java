package io.copytrader.chain;

import io.copytrader.domain.CopyIntent;
import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.Reason;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.domain.TraderId;
import io.copytrader.engine.PipelineMetrics;
import io.copytrader.engine.TradeLedger;
import io.copytrader.store.InMemoryTradeStore;
import io.copytrader.store.TradeStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.copytrader.chain.OrderFilledDecoderTest.BLOCK_TIME;
import static io.copytrader.chain.OrderFilledDecoderTest.NOW;
import static io.copytrader.chain.OrderFilledDecoderTest.OTHER;
import static io.copytrader.chain.OrderFilledDecoderTest.TARGET;
import static io.copytrader.chain.OrderFilledDecoderTest.orderFilled;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the engine makes of the chain feed's reports: a fill handed to the detect route, a fill a reorg removed
 * retracted when nothing was sent for it and kept (marked reorged) when our order was, never a second order.
 */
class ChainDetectionTest {
    private final InMemoryTradeStore store = new InMemoryTradeStore(Clock.systemUTC());
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final TradeLedger ledger = new TradeLedger(store, new PipelineMetrics(registry));
    private final CamelContext camel = new DefaultCamelContext();
    private final List<DetectedTrade> detected = new CopyOnWriteArrayList<>();
    private ChainDetection detection;

    /** The target's BUY of 21.04 shares at 0.56, as the feed reads it from its log. */
    private final ChainFill fill = new OrderFilledDecoder(List.of(new TraderId(TARGET)),
            OrderFilledDecoder.POLYGON_EXCHANGES).decode(orderFilled(TARGET, OTHER, 0, 11_782_400, 21_040_000, 0),
            BLOCK_TIME, NOW).orElseThrow();

    @BeforeEach
    void start() throws Exception {
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:detect-chain").process(e -> detected.add(e.getMessage().getBody(DetectedTrade.class)));
            }
        });
        camel.start();
        detection = new ChainDetection(camel.createProducerTemplate(), "direct:detect-chain", ledger);
    }

    @AfterEach
    void stop() throws Exception {
        camel.close();
    }

    double reorgs(String event) {
        return registry.get(ChainDetection.REORGS).tag("event", event).counter().count();
    }

    @Test
    void shouldHandANewFillToTheDetectRoute() {
        detection.onFill(fill);
        assertThat(detected).containsExactly(fill.trade());
    }

    @Test
    void shouldTimeAnAdmittedFillFromItsBlockUnderTheChainSource() {
        detection.admitted(fill.trade());
        // the block's time to the moment the feed read the log: 0.8 s
        assertThat(registry.get(PipelineMetrics.LAG_DETECTED).tag(PipelineMetrics.SOURCE_TAG, ChainDetection.SOURCE)
                .timer().totalTime(java.util.concurrent.TimeUnit.MILLISECONDS)).isEqualTo(800);
    }

    @Test
    void shouldRetractAFillAReorgRemovedBeforeAnOrderWasSentForIt() {
        ledger.admit(fill.trade());

        detection.onRemoved(fill);

        String key = fill.trade().key();
        assertThat(ledger.isRetracted(key)).isTrue();
        assertThat(store.ended(key)).contains(new TradeStore.Ended(TradeOutcome.SKIPPED, Reason.CHAIN_REORGED));
        assertThat(store.reorged(key)).isFalse();
        assertThat(reorgs("retracted")).isEqualTo(1);
        // back in another block, then removed again: the trade keeps its outcome, counted once
        detection.onReincluded(fill);
        detection.onRemoved(fill);
        assertThat(reorgs("retracted")).isEqualTo(1);
        assertThat(reorgs("reincluded")).isEqualTo(1);
    }

    @Test
    void shouldKeepTheOrderOfAFillAReorgRemovedAfterTheOrderWasSent() {
        DetectedTrade trade = fill.trade();
        ledger.admit(trade);
        store.recordIntent(trade.key(), new CopyIntent(trade.clientOrderId(), trade, trade.instrument(), trade.side(),
                trade.price(), trade.quantity(), trade.notional()));

        detection.onRemoved(fill);

        // our order stands and is followed to its end: the trade gets its outcome from it, not from the reorg
        assertThat(store.reorged(trade.key())).isTrue();
        assertThat(store.outcome(trade.key())).isEmpty();
        assertThat(reorgs("after-order")).isEqualTo(1);
        assertThat(reorgs("retracted")).isZero();
    }

    @Test
    void shouldLeaveAloneARemovedFillThatWasNeverAdmitted() {
        detection.onRemoved(fill);

        String key = fill.trade().key();
        assertThat(ledger.isRetracted(key)).isFalse();
        assertThat(store.outcome(key)).isEmpty();
        assertThat(reorgs("retracted") + reorgs("after-order")).isZero();
    }

    @Test
    void shouldCountAMalformedLogAsARejectedRow() {
        detection.onMalformed(fill.log(), "side must be 0 or 1");
        assertThat(registry.get(PipelineMetrics.ROWS_REJECTED).tag("reason", Reason.FEED_MALFORMED_ROW.name())
                .counter().count()).isEqualTo(1);
    }
}
