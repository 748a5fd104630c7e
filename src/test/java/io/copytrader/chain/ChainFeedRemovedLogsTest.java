package io.copytrader.chain;

import io.copytrader.domain.TraderId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static io.copytrader.chain.OrderFilledDecoderTest.OTHER;
import static io.copytrader.chain.OrderFilledDecoderTest.TARGET;
import static io.copytrader.chain.OrderFilledDecoderTest.orderFilled;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The chain feed on a node that announces the logs of reorged blocks with {@code removed: true} ({@link FakeChainNode};
 * anvil does not): a removed fill is reported once, its return in a replacing block is a re-inclusion and never a
 * new fill, and the replacing blocks are read again from before the removed log.
 */
@Timeout(60)
class ChainFeedRemovedLogsTest {
    private final FakeChainNode node = FakeChainNode.start();
    private final ChainFeedTest.Sink sink = new ChainFeedTest.Sink();
    private ChainFeed feed;

    @BeforeEach
    void startFeed() {
        feed = new ChainFeed(new ChainFeed.Options(node.url(), 7, 0, Duration.ofSeconds(5), Duration.ofMillis(100),
                Duration.ofMillis(500)), new OrderFilledDecoder(List.of(new TraderId(TARGET)),
                OrderFilledDecoder.POLYGON_EXCHANGES), sink, new ChainFeedTest.MemoryCursor(), Clock.systemUTC());
        feed.start();
        await().atMost(Duration.ofSeconds(30)).until(feed::isLive);
    }

    @AfterEach
    void stop() {
        feed.close();
        node.close();
    }

    /** The target's BUY in transaction {@code tx} (its block is set by the node). */
    static ChainLog fill(int tx) {
        ChainLog log = orderFilled(TARGET, OTHER, 0, 11_782_400, 21_040_000, 0);
        return new ChainLog(log.address(), log.topics(), log.data(), 0, log.blockHash(), String.format("0x%064x", tx),
                1, false);
    }

    static String identity(int tx) {
        return String.format("0x%064x", tx) + ":" + OrderFilledDecoderTest.ORDER;
    }

    /** Mines {@code logs} in a block and waits until the feed confirmed it (its cursor moved past it). */
    long minedAndConfirmed(ChainLog... logs) {
        long block = node.mine(logs);
        await().atMost(Duration.ofSeconds(30)).until(() -> feed.cursor() >= block);
        return block;
    }

    @Test
    void shouldReportARemovedFillOnceAndItsReturnInTheReplacingBlockAsAReinclusion() {
        long block = minedAndConfirmed(fill(1));
        assertThat(sink.identities()).containsExactly(identity(1));
        assertThat(sink.fills.get(0).trade().tsEvent()).as("the block's time").isEqualTo(FakeChainNode.blockTime(block));

        // the block is replaced by one holding the same transaction
        long head = node.reorg(1, List.of(fill(1)), List.of());

        await().atMost(Duration.ofSeconds(30)).until(() -> feed.cursor() >= head && sink.reincluded.size() == 1);
        assertThat(sink.removed).extracting(ChainFill::identity).containsExactly(identity(1));
        assertThat(sink.reincluded).extracting(ChainFill::identity).containsExactly(identity(1));
        assertThat(sink.identities()).as("no second fill to copy").containsExactly(identity(1));
        assertThat(feed.state(identity(1))).contains(ChainFeed.FillState.SEEN);
    }

    @Test
    void shouldReadTheReplacingBlockAgainThoughItsNumberWasConfirmedBefore() {
        long block = minedAndConfirmed(fill(1));

        // the replacing block at the same number holds another fill of the target instead
        node.reorg(1, List.of(fill(2)));

        await().atMost(Duration.ofSeconds(30)).until(() -> sink.fills.size() == 2);
        assertThat(sink.identities()).containsExactly(identity(1), identity(2));
        assertThat(sink.fills.get(1).log().blockNumber()).isEqualTo(block);
        assertThat(sink.removed).extracting(ChainFill::identity).containsExactly(identity(1));
        assertThat(feed.state(identity(1))).contains(ChainFeed.FillState.REMOVED);
        assertThat(sink.reincluded).isEmpty();
    }

    @Test
    void shouldFindTheRemovedFillsAndReadTheReplacingBlockByTheHeadsWhenTheNodeAnnouncesNoRemovedLogs() {
        minedAndConfirmed(fill(1));
        node.announceRemovedLogs(false);

        // a new head under the same number says the block was replaced; it holds another fill of the target
        node.reorg(1, List.of(fill(2)));

        await().atMost(Duration.ofSeconds(30)).until(() -> sink.fills.size() == 2);
        assertThat(sink.removed).extracting(ChainFill::identity).containsExactly(identity(1));
        assertThat(sink.identities()).containsExactly(identity(1), identity(2));
        assertThat(feed.state(identity(1))).contains(ChainFeed.FillState.REMOVED);
    }
}
