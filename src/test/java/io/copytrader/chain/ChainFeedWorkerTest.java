package io.copytrader.chain;

import io.copytrader.bench.Anvil;
import io.copytrader.domain.TraderId;
import io.copytrader.engine.PipelineMetrics;
import io.copytrader.ops.health.ChainFeedReadinessCheck;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static io.copytrader.chain.ChainFeedTest.OTHER;
import static io.copytrader.chain.ChainFeedTest.TARGET;
import static io.copytrader.chain.ChainFeedTest.TOKEN;
import static io.copytrader.chain.ChainFeedTest.order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The chain feed's worker against a real anvil node: an error from the engine's handler of a fill (the sink) is
 * survived and the fill read again, or, where it cannot be survived, said by the health check and the figures; and a
 * node flooding notifications while the sink is slow neither grows the queue past its bound nor loses a fill.
 */
@Timeout(90)
class ChainFeedWorkerTest {
    private Anvil anvil;
    private ChainFeed feed;
    private final DefaultCamelContext camel = new DefaultCamelContext();

    /** Records the fills it takes; {@code before} runs first, and what it throws means the fill was not taken. */
    static final class Sink implements ChainFillSink {
        final Consumer<ChainFill> before;
        final AtomicInteger calls = new AtomicInteger();
        final List<ChainFill> fills = new CopyOnWriteArrayList<>();

        Sink(Consumer<ChainFill> before) {
            this.before = before;
        }

        @Override
        public void onFill(ChainFill fill) {
            calls.incrementAndGet();
            before.accept(fill);
            fills.add(fill);
        }

        @Override
        public void onRemoved(ChainFill fill) {
        }

        @Override
        public void onReincluded(ChainFill fill) {
        }

        @Override
        public void onMalformed(ChainLog log, String reason) {
        }

        List<String> identities() {
            return fills.stream().map(ChainFill::identity).toList();
        }
    }

    @BeforeEach
    void startNode() {
        anvil = AnvilNode.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (feed != null) {
            feed.close();
        }
        if (anvil != null) { // null when the node is not installed and the test was skipped
            anvil.close();
        }
        camel.close();
    }

    private ChainFeed start(Sink sink, int eventCapacity) {
        feed = new ChainFeed(new ChainFeed.Options(anvil.wsUrl(), 7, 0, Duration.ofSeconds(5), Duration.ofMillis(100),
                Duration.ofMillis(400)), new OrderFilledDecoder(List.of(new TraderId(TARGET)), List.of(Anvil.EXCHANGE)),
                sink, new ChainFeedTest.MemoryCursor(), Clock.systemUTC(), eventCapacity);
        feed.start();
        await().atMost(Duration.ofSeconds(30)).until(feed::isLive);
        return feed;
    }

    private HealthCheck.Result health(int threshold) {
        ChainFeedReadinessCheck check = new ChainFeedReadinessCheck(feed, threshold);
        check.setCamelContext(camel);
        return check.call();
    }

    private String fill(int n) {
        return anvil.fill(order(n), TARGET, OTHER, 0, TOKEN, 5_000_000, 10_000_000, 0) + ":" + order(n);
    }

    /** A real stack overflow: the stack is unwound by the time the worker catches it. */
    static int deeper(int n) {
        return deeper(n + 1) + 1;
    }

    @ParameterizedTest
    @ValueSource(strings = {"StackOverflowError", "AssertionError", "NoClassDefFoundError"})
    void shouldSurviveAnErrorFromTheSinkAndHandTheFillOverAgain(String error) {
        // before: the error ended the worker thread (Awaitility reports it as uncaught), and chain detection with it
        Sink sink = new Sink(f -> {
            if (feed.workerErrors() == 0 && f.identity().endsWith(order(1))) {
                switch (error) {
                    case "StackOverflowError" -> deeper(0);
                    case "AssertionError" -> throw new AssertionError("the sink's invariant broke");
                    default -> throw new NoClassDefFoundError("io/copytrader/Missing");
                }
            }
        });
        start(sink, ChainFeed.EVENT_CAPACITY);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ChainWiring.meters(new PipelineMetrics(registry), feed);

        String first = fill(1);

        await().atMost(Duration.ofSeconds(30)).until(() -> sink.fills.size() == 1);
        assertThat(sink.identities()).containsExactly(first);
        assertThat(sink.calls.get()).as("refused once, read again and taken").isEqualTo(2);
        assertThat(feed.workerErrors()).isEqualTo(1);
        assertThat(registry.get("copytrader.chain.worker.errors").functionCounter().count()).isEqualTo(1);
        assertThat(feed.stoppedBy()).isEmpty();
        // the worker goes on: the next fill comes, and the first is not handed over twice
        String second = fill(2);
        await().atMost(Duration.ofSeconds(30)).until(() -> sink.fills.size() == 2 && feed.isLive());
        long head = anvil.mine();
        await().atMost(Duration.ofSeconds(30)).until(() -> feed.cursor() >= head);
        assertThat(sink.identities()).containsExactly(first, second);
        assertThat(health(10).getState()).isEqualTo(HealthCheck.State.UP);
    }

    @Test
    void shouldSayChainDetectionIsDownWhenTheWorkerEndsOnAnErrorItCannotSurvive() {
        Sink sink = new Sink(f -> {
            throw new OutOfMemoryError("Java heap space (thrown by the test's sink)");
        });
        start(sink, ChainFeed.EVENT_CAPACITY);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ChainWiring.meters(new PipelineMetrics(registry), feed);
        assertThat(health(10).getState()).isEqualTo(HealthCheck.State.UP);
        assertThat(registry.get(ChainWiring.STOPPED).gauge().value()).isZero();

        fill(1);

        // the worker ends (the JVM's handler sees the error as uncaught: not this test's failure)
        await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(30)).until(() -> feed.stoppedBy().isPresent());
        assertThat(feed.stoppedBy().get()).isInstanceOf(OutOfMemoryError.class);
        HealthCheck.Result result = health(10);
        assertThat(result.getState()).isEqualTo(HealthCheck.State.DOWN);
        assertThat(result.getMessage()).hasValueSatisfying(m -> assertThat(m)
                .startsWith("chain detection stopped: the chain feed's worker ended on java.lang.OutOfMemoryError"));
        assertThat(registry.get(ChainWiring.STOPPED).gauge().value()).isEqualTo(1);
        assertThat(feed.isLive()).isFalse();
        assertThat(sink.fills).isEmpty();
    }

    @Test
    void shouldSayChainDetectionIsDownWhileAFillFailsAgainAndAgainAndUpOnceItIsTaken() {
        CountDownLatch mended = new CountDownLatch(1);
        Sink sink = new Sink(f -> {
            if (mended.getCount() > 0) {
                throw new AssertionError("the engine cannot take " + f.identity());
            }
        });
        start(sink, ChainFeed.EVENT_CAPACITY);

        String first = fill(1);

        await().atMost(Duration.ofSeconds(30)).until(() -> feed.failuresInARow() >= 3);
        HealthCheck.Result result = health(3);
        assertThat(result.getState()).isEqualTo(HealthCheck.State.DOWN);
        assertThat(result.getMessage()).hasValueSatisfying(m -> assertThat(m)
                .contains("chain feed failed", "times in a row (last: AssertionError: the engine cannot take " + first));
        assertThat(feed.stoppedBy()).isEmpty();

        mended.countDown();

        await().atMost(Duration.ofSeconds(30)).until(() -> feed.isLive() && sink.fills.size() == 1);
        assertThat(health(3).getState()).isEqualTo(HealthCheck.State.UP);
        assertThat(feed.failuresInARow()).isZero();
        assertThat(sink.identities()).containsExactly(first);
    }

    @Test
    void shouldKeepTheQueueWithinItsBoundWhenTheNodeFloodsASlowSinkAndLoseNoFill() throws Exception {
        int capacity = 32;
        CountDownLatch inSink = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Sink sink = new Sink(f -> {
            inSink.countDown();
            try {
                assertThat(release.await(60, TimeUnit.SECONDS)).isTrue(); // the engine, slow
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        start(sink, capacity);
        List<String> expected = new ArrayList<>();
        expected.add(fill(1));
        assertThat(inSink.await(30, TimeUnit.SECONDS)).isTrue();

        // the node floods while the worker is held in the sink: 256 heads, then 40 fills in one block and 3 more
        anvil.call("anvil_mine", "0x100");
        BigInteger firstHash = BigInteger.valueOf(1000);
        String tx = anvil.fills(firstHash, TARGET, OTHER, 0, TOKEN, 5_000_000, 10_000_000, 40);
        for (int i = 0; i < 40; i++) {
            expected.add(tx + ":0x" + Anvil.word(firstHash.add(BigInteger.valueOf(i))));
        }
        for (int n = 2; n <= 4; n++) {
            expected.add(fill(n));
        }
        int notifications = 256 + 1 + 40 + 3 * 2;
        await().atMost(Duration.ofSeconds(30))
                .until(() -> feed.pendingEvents() + feed.droppedEvents() >= notifications);

        assertThat(feed.pendingEvents()).as("queued, of %d notifications", notifications).isLessThanOrEqualTo(capacity);
        assertThat(feed.droppedEvents()).isGreaterThanOrEqualTo(notifications - capacity);

        // the sink takes fills again, and no block is mined from now on: the fills whose notifications were dropped,
        // the last ones among them, are read from the node by eth_getLogs
        long head = anvil.blockNumber();
        release.countDown();
        await().atMost(Duration.ofSeconds(30)).until(() -> sink.fills.size() >= expected.size() && feed.cursor() >= head);
        assertThat(sink.identities()).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(feed.stoppedBy()).isEmpty();
        assertThat(feed.isLive()).isTrue();
    }
}
