package io.copytrader.chain;

import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.TraderId;
import io.copytrader.engine.PipelineMetrics;
import io.copytrader.engine.TradeAdmissions;
import io.copytrader.engine.TradeLedger;
import io.copytrader.ops.SecretMasker;
import io.copytrader.store.InMemoryTradeStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.copytrader.chain.OrderFilledDecoderTest.TARGET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Chain detection put into the engine: the block cursor kept in the store under the chain's key, the feed started
 * once the routes run and stopped when the engine stops, its gauges, and the node's URL masked in logs.
 */
@Timeout(60)
class ChainWiringTest {
    private final List<TraderId> targets = List.of(new TraderId(TARGET));
    private final InMemoryTradeStore store = new InMemoryTradeStore(Clock.systemUTC());
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final TradeLedger ledger = new TradeLedger(store, new PipelineMetrics(registry));
    /** What reached the detect-chain route. */
    private final List<DetectedTrade> detected = new CopyOnWriteArrayList<>();
    private final DefaultCamelContext camel = new DefaultCamelContext();

    @AfterEach
    void stop() throws Exception {
        camel.close();
    }

    double gauge(String name) {
        return registry.get(name).gauge().value();
    }

    @Test
    void shouldKeepTheBlockCursorInTheStoreUnderTheChainsKey() {
        ChainFeed.Cursor cursor = ChainWiring.cursor(store);
        assertThat(cursor.load()).isEmpty();

        cursor.save(81_234_567L);

        assertThat(store.cursor(new TraderId(ChainWiring.CURSOR_KEY))).contains("81234567");
        assertThat(ChainWiring.cursor(store).load()).hasValue(81_234_567L);
    }

    @Test
    void shouldStartFromTheHeadWhenTheStoredCursorIsNoBlockNumber() {
        store.saveCursor(new TraderId(ChainWiring.CURSOR_KEY), "0x4d7c6d7");

        assertThat(ChainWiring.cursor(store).load()).isEmpty();
    }

    @Test
    void shouldBindTheDetectionButNoFeedWhenChainDetectionIsOff() throws Exception {
        ChainSettings off = ChainSettings.load(ChainSettingsTest.defaults()::get, "polymarket");

        assertThat(ChainWiring.install(camel, off, targets, ledger, Clock.systemUTC())).isNull();

        assertThat(camel.getRegistry().lookupByName("chainDetection")).isInstanceOf(ChainDetection.class);
        assertThat(camel.getRegistry().lookupByName("chainAdmissions")).isInstanceOf(TradeAdmissions.class);
        assertThat(camel.getRegistry().lookupByName("chainFeed")).isNull();
        assertThat(registry.find("copytrader.chain.cursor").gauge()).isNull();
    }

    @Test
    void shouldStartTheFeedOnceTheRoutesRunAndStopItWhenTheEngineStops() throws Exception {
        try (FakeChainNode node = FakeChainNode.start()) {
            Map<String, String> p = ChainSettingsTest.defaults();
            p.put("copytrader.chain.ws-url", node.url().toString());
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from(ChainWiring.ENDPOINT).process(e -> detected.add(e.getMessage().getBody(DetectedTrade.class)));
                }
            });

            ChainFeed feed = ChainWiring.install(camel, ChainSettings.load(p::get, "polymarket"), targets, ledger,
                    Clock.systemUTC());

            assertThat(camel.getRegistry().lookupByName("chainFeed")).isSameAs(feed);
            assertThat(SecretMasker.mask("connecting to " + node.url())).doesNotContain(FakeChainNode.KEY);
            assertThat(feed.connects()).as("not before the routes run").isZero();
            camel.start();
            await().atMost(Duration.ofSeconds(30)).until(feed::isLive);
            assertThat(gauge("copytrader.chain.live")).isEqualTo(1);

            long block = node.mine(ChainFeedScriptedNodeTest.fill(1));
            await().atMost(Duration.ofSeconds(30)).until(() -> feed.cursor() >= block);
            assertThat(detected).extracting(DetectedTrade::trader).containsExactly(new TraderId(TARGET));
            assertThat(store.cursor(new TraderId(ChainWiring.CURSOR_KEY))).contains(Long.toString(feed.cursor()));
            assertThat(gauge("copytrader.chain.cursor")).isEqualTo(feed.cursor());

            camel.stop();

            assertThat(feed.isLive()).as("stopped with the engine").isFalse();
            assertThat(gauge("copytrader.chain.live")).isZero();
        }
    }
}
