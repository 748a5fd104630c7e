package io.copytrader.chain;

import io.copytrader.bench.Anvil;
import io.copytrader.domain.Side;
import io.copytrader.domain.TraderId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.math.BigInteger;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The chain feed against a real anvil node: subscription, backfill, reconnect, reorg, finality. */
@Timeout(60)
class ChainFeedTest {
    static final String TARGET = "0x1111111111111111111111111111111111111111";
    static final String OTHER = "0x3333333333333333333333333333333333333333";
    static final BigInteger TOKEN = new BigInteger("1234567890123456789");

    private Anvil anvil;
    private ChainFeed feed;
    private final Sink sink = new Sink();
    private final MemoryCursor cursor = new MemoryCursor();

    static final class Sink implements ChainFillSink {
        final List<ChainFill> fills = new CopyOnWriteArrayList<>();
        final List<ChainFill> removed = new CopyOnWriteArrayList<>();
        final List<ChainFill> reincluded = new CopyOnWriteArrayList<>();
        final List<String> malformed = new CopyOnWriteArrayList<>();

        @Override
        public void onFill(ChainFill fill) {
            fills.add(fill);
        }

        @Override
        public void onRemoved(ChainFill fill) {
            removed.add(fill);
        }

        @Override
        public void onReincluded(ChainFill fill) {
            reincluded.add(fill);
        }

        @Override
        public void onMalformed(ChainLog log, String reason) {
            malformed.add(reason);
        }

        List<String> identities() {
            return fills.stream().map(ChainFill::identity).toList();
        }
    }

    static final class MemoryCursor implements ChainFeed.Cursor {
        volatile long block = -1;
        /** Every block saved, in order. */
        final List<Long> saves = new CopyOnWriteArrayList<>();

        @Override
        public OptionalLong load() {
            return block < 0 ? OptionalLong.empty() : OptionalLong.of(block);
        }

        @Override
        public void save(long b) {
            block = b;
            saves.add(b);
        }
    }

    @BeforeEach
    void startNode() {
        anvil = AnvilNode.start();
    }

    @AfterEach
    void stop() {
        if (feed != null) {
            feed.close();
        }
        if (anvil != null) { // null when the node is not installed and the test was skipped
            anvil.close();
        }
    }

    ChainFeed feed(URI url) {
        feed = new ChainFeed(new ChainFeed.Options(url, 7, 0, Duration.ofSeconds(5), Duration.ofMillis(100),
                Duration.ofMillis(500)), new OrderFilledDecoder(List.of(new TraderId(TARGET)), List.of(Anvil.EXCHANGE)),
                sink, cursor, Clock.systemUTC());
        feed.start();
        await().atMost(Duration.ofSeconds(30)).until(feed::isLive);
        return feed;
    }

    static String order(int n) {
        return "0x" + Anvil.word(n);
    }

    @Test
    void shouldHandOverTheTargetsFillOnceAndNotTheCounterpartysNorOrdersMatched() {
        feed(anvil.wsUrl());
        // 1. the target's resting BUY is hit by OTHER's SELL; 2. the target crosses with a SELL against OTHER's bid
        String hit = anvil.match(order(1), TARGET, order(2), OTHER, 1, TOKEN, 21_040_000, 11_782_400);
        String crossed = anvil.match(order(3), OTHER, order(4), TARGET, 1, TOKEN, 10_000_000, 4_350_000);
        assertThat(anvil.receipt(hit).get("logs")).hasSize(3);

        await().atMost(Duration.ofSeconds(30)).until(() -> sink.fills.size() == 2);
        ChainFill resting = sink.fills.get(0);
        assertThat(resting.identity()).isEqualTo(hit + ":" + order(1));
        assertThat(resting.trade().side()).isEqualTo(Side.BUY);
        assertThat(resting.trade().quantity()).isEqualByComparingTo("21.04");
        assertThat(resting.trade().price()).isEqualByComparingTo("0.56");
        assertThat(resting.aggressor()).isFalse();
        ChainFill crossing = sink.fills.get(1);
        assertThat(crossing.identity()).isEqualTo(crossed + ":" + order(4));
        assertThat(crossing.trade().side()).isEqualTo(Side.SELL);
        assertThat(crossing.trade().quantity()).isEqualByComparingTo("10");
        assertThat(crossing.trade().price()).isEqualByComparingTo("0.435");
        assertThat(crossing.aggressor()).isTrue();

        // heads keep coming: the backfill of each new head reads the same logs again, and hands none over twice
        long head = anvil.mine();
        await().atMost(Duration.ofSeconds(30)).until(() -> feed.cursor() >= head);
        assertThat(sink.identities()).containsExactly(hit + ":" + order(1), crossed + ":" + order(4));
        assertThat(sink.malformed).isEmpty();
    }

    @Test
    void shouldBackfillFromTheCursorAfterTheConnectionIsCutMidStream() {
        try (TcpCutter cutter = new TcpCutter(anvil.port())) {
            feed(URI.create("ws://127.0.0.1:" + cutter.port()));
            for (int i = 0; i < 5; i++) {
                anvil.fill(order(100 + i), TARGET, OTHER, 0, TOKEN, 5_000_000, 10_000_000, 0);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> sink.fills.size() == 5);
            // the network drops: fills keep being mined meanwhile (more than one getLogs range of 7 blocks)
            cutter.cut();
            for (int i = 5; i < 25; i++) {
                anvil.fill(order(100 + i), TARGET, OTHER, 0, TOKEN, 5_000_000, 10_000_000, 0);
            }
            cutter.restore();
            await().atMost(Duration.ofSeconds(30)).until(() -> sink.fills.size() >= 25 && feed.isLive());
            long head = anvil.mine();
            await().atMost(Duration.ofSeconds(30)).until(() -> feed.cursor() >= head);
            assertThat(sink.identities()).hasSize(25).doesNotHaveDuplicates();
            assertThat(feed.connects()).isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void shouldReportAFillARemovedBlockTookOut() {
        feed(anvil.wsUrl());
        String tx = anvil.fill(order(7), TARGET, OTHER, 0, TOKEN, 5_000_000, 10_000_000, 0);
        await().atMost(Duration.ofSeconds(30)).until(() -> sink.fills.size() == 1);

        anvil.reorg(1);

        await().atMost(Duration.ofSeconds(30)).until(() -> sink.removed.size() == 1);
        assertThat(sink.removed.get(0).identity()).isEqualTo(tx + ":" + order(7));
        assertThat(feed.state(tx + ":" + order(7))).contains(ChainFeed.FillState.REMOVED);
        long head = anvil.mine();
        await().atMost(Duration.ofSeconds(30)).until(() -> feed.cursor() >= head);
        assertThat(sink.fills).hasSize(1);
    }

    @Test
    void shouldMarkAFillFinalOnceItsBlockIsFinalized() {
        feed(anvil.wsUrl());
        String tx = anvil.fill(order(9), TARGET, OTHER, 0, TOKEN, 5_000_000, 10_000_000, 0);
        await().atMost(Duration.ofSeconds(30)).until(() -> sink.fills.size() == 1);
        assertThat(feed.state(tx + ":" + order(9))).contains(ChainFeed.FillState.SEEN);
        long block = sink.fills.get(0).log().blockNumber();

        anvil.call("anvil_mine", "0x50"); // 80 blocks on top: anvil finalizes well behind its head

        await().atMost(Duration.ofSeconds(30)).until(() -> feed.finalizedBlock() >= block);
        assertThat(feed.state(tx + ":" + order(9))).contains(ChainFeed.FillState.FINAL);
        assertThat(sink.removed).isEmpty();
    }
}
