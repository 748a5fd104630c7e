package io.copytrader.scenario;

import io.copytrader.bench.Anvil;
import io.copytrader.chain.AnvilNode;
import io.copytrader.chain.ChainFeed;
import io.copytrader.domain.CopyIntent;
import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.Reason;
import io.copytrader.domain.Side;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.engine.ExchangeProps;
import io.copytrader.polymarket.PolymarketFake;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The engine with {@code VENUE=polymarket} detecting on a real EVM node (anvil, the test emitter at the CTF Exchange
 * V2 address) and placing on the Polymarket fake: fills read from OrderFilled logs are copied once, survive a
 * restart by backfill, are retracted or recorded on a reorg, and meet their Data API rows as one trade.
 */
@Timeout(300)
class ChainDetectionScenarioTest {
    static final String TARGET = PolymarketFake.TARGET;
    static final String OTHER = "0x3333333333333333333333333333333333333333";
    static final BigInteger YES = new BigInteger(PolymarketFake.TOKEN);
    static final Duration SETTLE = Duration.ofSeconds(60); // a shared, loaded machine

    private Anvil anvil;

    @BeforeEach
    void startNode() {
        anvil = AnvilNode.start();
    }

    @AfterEach
    void stopNode() {
        if (anvil != null) { // null when the node is not installed and the test was skipped
            anvil.close();
        }
    }

    PolymarketHarness.Builder engine(String detection) {
        PolymarketHarness.Builder b = PolymarketHarness.live()
                .set("copytrader.detection", detection)
                .set("copytrader.chain.ws-url", anvil.wsUrl())
                .set("copytrader.chain.exchanges", Anvil.EXCHANGE)
                .set("copytrader.chain.reconnect-initial-ms", 100)
                // a loaded machine: the fake CLOB may answer its first calls slowly
                .set("copytrader.exchange.response-timeout-ms", 15_000);
        b.fake().acceptOrders("matched");
        return b;
    }

    /** Waits until the chain feed is subscribed: with no stored cursor it starts at the head it finds. */
    static EngineHarness live(PolymarketHarness h) {
        EngineHarness e = h.engine();
        await().atMost(SETTLE).until(() -> feed(e).isLive());
        return e;
    }

    static ChainFeed feed(EngineHarness e) {
        return e.bean("chainFeed", ChainFeed.class);
    }

    static String order(int n) {
        return "0x" + BigInteger.valueOf(n).toString(16);
    }

    /**
     * The target's order {@code n} bought {@code shares} YES for {@code cash}, resting, hit by OTHER: at 0.52 (the
     * fake's best ask is 0.53) and at least 10 shares, so that the harness's COPY_RATIO 0.5 copies at least the fake's
     * minimum order of 5 shares (smaller fills are skipped SIZING_TOO_SMALL, never sent).
     */
    String buy(int n, long shares, long cash) {
        return anvil.fill(order(n), TARGET, OTHER, 0, YES, cash, shares, 0);
    }

    @Test
    void shouldCopyTheTargetsFillFromItsOrderFilledLogOnceWithItsExactFigures() {
        try (PolymarketHarness h = engine("chain").start()) {
            EngineHarness e = live(h);
            // 1. OTHER's resting SELL is crossed by the target's BUY of 20 YES for 10.40: the exchange logs OTHER's
            //    fill (taker = the target), the target's fill (taker = the exchange), then OrdersMatched
            String tx = anvil.match(order(1), OTHER, order(2), TARGET, 0, YES, 20_000_000, 10_400_000);
            assertThat(anvil.receipt(tx).get("logs")).hasSize(3);
            e.awaitSettled(1, SETTLE);
            // 2. one trade, read exactly from the target's own log, from the chain
            String key = TARGET + ":" + tx + ":" + YES + ":BUY:20@0.52";
            DetectedTrade trade = e.store().trade(key).orElseThrow();
            assertThat(trade.side()).isEqualTo(Side.BUY);
            assertThat(trade.instrument().value()).isEqualTo(YES.toString());
            assertThat(trade.quantity()).isEqualByComparingTo("20");
            assertThat(trade.price()).isEqualByComparingTo("0.52");
            assertThat(trade.notional()).isEqualByComparingTo("10.4");
            assertThat(e.store().source(key)).contains("chain");
            assertThat(e.outcomes(TradeOutcome.COPIED)).isEqualTo(1);
            // 3. one order: not the counterparty's log, not OrdersMatched; the Data API was never asked (chain only)
            assertThat(h.fake().requests("POST", "/order")).hasSize(1);
            assertThat(h.fake().requests("GET", "/activity")).isEmpty();
            // 4. venue time to detected and to accepted, tagged chain
            assertThat(e.meters().find("copytrader.lag.detected").tag("source", "chain").timer().count()).isEqualTo(1);
            await().atMost(SETTLE).untilAsserted(() -> assertThat(e.meters().find("copytrader.lag.accepted")
                    .tag("source", "chain").timers()).singleElement().matches(t -> t.count() == 1));
            // 5. readiness has a check of the chain feed, UP while it runs
            HealthCheck chainCheck = HealthCheckRegistry.get(e.context()).getCheck("chain-feed").orElseThrow();
            assertThat(chainCheck.isReadiness()).isTrue();
            assertThat(chainCheck.isLiveness()).isFalse();
            assertThat(chainCheck.call().getState()).isEqualTo(HealthCheck.State.UP);
            e.assertAccountingIdentity();
        }
    }

    @Test
    void shouldFindEveryFillMinedWhileStoppedByBackfillAndCopyNoneTwice(@TempDir Path dir) {
        // 51 copies of 5 YES at about 0.53 in one market: about $135, over the harness's $10 a position
        try (PolymarketHarness h = engine("chain").set("copytrader.store.url", "jdbc:sqlite:" + dir.resolve("store.db"))
                .set("copytrader.chain.get-logs-blocks", 16).set("copytrader.copy.max-position-size-usd", "200").start()) {
            EngineHarness e = live(h);
            buy(1, 10_000_000, 5_200_000);
            e.awaitSettled(1, SETTLE);
            // 1. the engine stops; 50 fills are mined meanwhile (one block each)
            e.stopEngine();
            for (int i = 0; i < 50; i++) {
                buy(100 + i, 10_000_000, 5_200_000);
            }
            // 2. restarted, it reads the 50 blocks from its stored cursor (in ranges of 16) and copies each once
            e.restartEngine();
            e.awaitSettled(51, SETTLE);
            assertThat(e.outcomes(TradeOutcome.COPIED)).isEqualTo(51);
            assertThat(h.fake().requests("POST", "/order")).hasSize(51);
            // 3. new heads re-read nothing twice
            long head = anvil.mine();
            await().atMost(SETTLE).until(() -> feed(e).cursor() >= head);
            assertThat(e.store().detectedCount()).isEqualTo(51);
            e.assertAccountingIdentity();
        }
    }

    @Test
    void shouldRetractAnUnsentFillAReorgRemovedAndNeverSendASecondOrderForASentOne() {
        // orders spaced 10 s apart: of two fills in one block, one is sent at once, the other waits in the cooldown,
        // admitted but unsent, when the reorg comes
        try (PolymarketHarness h = engine("chain").set("copytrader.copy.cooldown-ms", 10_000).start()) {
            EngineHarness e = live(h);
            anvil.call("evm_setAutomine", false);
            String tx1 = buy(1, 10_000_000, 5_200_000);
            String tx2 = buy(2, 12_000_000, 6_240_000);
            anvil.mine();
            String k1 = TARGET + ":" + tx1 + ":" + YES + ":BUY:10@0.52";
            String k2 = TARGET + ":" + tx2 + ":" + YES + ":BUY:12@0.52";
            await().atMost(SETTLE).until(() -> e.store().detectedCount() == 2 && h.fake().requests("POST", "/order").size() == 1);
            boolean firstSent = e.store().order(e.store().trade(k1).orElseThrow().clientOrderId()).isPresent();
            String sent = firstSent ? k1 : k2;
            String unsent = firstSent ? k2 : k1;
            DetectedTrade waiting = e.store().trade(unsent).orElseThrow();
            assertThat(e.store().order(waiting.clientOrderId())).isEmpty();
            assertThat(e.store().outcome(unsent)).isEmpty();
            // done when the waiting fill has been through order placement, once its cooldown is over
            NotifyBuilder placed = new NotifyBuilder(e.context()).fromRoute("dispatch-orders")
                    .filter(x -> x.getProperty(ExchangeProps.INTENT, CopyIntent.class).source().key().equals(unsent))
                    .whenDone(1).create();

            // 1. the block is replaced by an empty one
            anvil.reorg(1);

            // 2. the unsent fill is retracted, and its order never leaves, even once the cooldown is over
            await().atMost(SETTLE).until(() -> e.store().outcome(unsent).isPresent());
            assertThat(e.store().outcome(unsent)).contains(TradeOutcome.SKIPPED);
            assertThat(e.counter("copytrader.trades.skipped", "reason", Reason.CHAIN_REORGED.name())).isEqualTo(1);
            assertThat(placed.matches(40, TimeUnit.SECONDS)).as("placement after the cooldown").isTrue();
            assertThat(e.store().order(waiting.clientOrderId())).as("no order written for an ended trade").isEmpty();
            assertThat(h.fake().requests("POST", "/order")).hasSize(1);
            // 3. the sent one stays copied, recorded as reorged; one order in all
            await().atMost(SETTLE).until(() -> e.store().outcome(sent).isPresent());
            assertThat(e.store().outcome(sent)).contains(TradeOutcome.COPIED);
            assertThat(e.store().reorged(sent)).isTrue();
            assertThat(e.counter("copytrader.chain.reorgs", "event", "after-order")).isEqualTo(1);
            assertThat(e.counter("copytrader.chain.reorgs", "event", "retracted")).isEqualTo(1);
            long head = anvil.mine();
            await().atMost(SETTLE).until(() -> feed(e).cursor() >= head);
            e.awaitSettled(2, SETTLE);
            assertThat(h.fake().requests("POST", "/order")).hasSize(1);
            e.assertAccountingIdentity();
        }
    }

    @Test
    void shouldMakeOneTradeOfAFillSeenByBothTheChainAndTheDataApiWhicheverComesFirstEvenWhenTheyDisagree() {
        PolymarketHarness.Builder builder = engine("both");
        try (PolymarketHarness h = builder.start()) {
            EngineHarness e = live(h);
            PolymarketFake fake = h.fake();
            // 1. the chain first: mined, copied; then the Data API reports the same fill, as the chain saw it and
            //    also split in two rows at a price to another precision (rows that need not agree to the last digit
            //    with the chain's figures are still that transaction's fills: no second trade, no second order)
            String first = buy(1, 20_000_000, 10_400_000);
            e.awaitSettled(1, SETTLE);
            String firstRow = PolymarketFake.activityRow(TARGET, "TRADE", first, Instant.now().getEpochSecond(),
                    YES.toString(), "BUY", "20", "0.52");
            fake.serveActivity(TARGET, List.of(firstRow,
                    PolymarketFake.activityRow(TARGET, "TRADE", first, Instant.now().getEpochSecond(), YES.toString(),
                            "BUY", "12", "0.5200001"),
                    PolymarketFake.activityRow(TARGET, "TRADE", first, Instant.now().getEpochSecond(), YES.toString(),
                            "BUY", "8", "0.5199998")));
            int polls = fake.requests("GET", "/activity").size();
            await().atMost(SETTLE).until(() -> fake.requests("GET", "/activity").size() >= polls + 3);
            assertThat(e.store().detectedCount()).isEqualTo(1);
            // 2. the Data API first: the transaction is pending (not mined) when its row is served
            anvil.call("evm_setAutomine", false);
            String second = buy(2, 10_000_000, 5_200_000);
            fake.serveActivity(TARGET, List.of(firstRow, PolymarketFake.activityRow(TARGET, "TRADE", second,
                    Instant.now().getEpochSecond(), YES.toString(), "BUY", "10", "0.52")));
            e.awaitSettled(2, SETTLE);
            anvil.mine();
            long head = anvil.blockNumber();
            await().atMost(SETTLE).until(() -> feed(e).cursor() >= head);
            // 3. two trades, two orders; each records the source that saw it first
            assertThat(e.store().detectedCount()).isEqualTo(2);
            assertThat(fake.requests("POST", "/order")).hasSize(2);
            assertThat(e.store().source(TARGET + ":" + first + ":" + YES + ":BUY:20@0.52")).contains("chain");
            assertThat(e.store().source(TARGET + ":" + second + ":" + YES + ":BUY:10@0.52")).contains("data-api");
            assertThat(e.meters().find("copytrader.lag.detected").tag("source", "data-api").timer().count()).isEqualTo(1);
            e.assertAccountingIdentity();
        }
    }
}
