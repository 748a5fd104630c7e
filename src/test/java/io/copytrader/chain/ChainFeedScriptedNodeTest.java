package io.copytrader.chain;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.copytrader.domain.TraderId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.copytrader.chain.OrderFilledDecoderTest.OTHER;
import static io.copytrader.chain.OrderFilledDecoderTest.TARGET;
import static io.copytrader.chain.OrderFilledDecoderTest.orderFilled;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The chain feed on a node whose chain the test writes ({@link FakeChainNode}), for what anvil does not do: announce
 * the logs of reorged blocks with {@code removed: true}. A removed fill is reported once, its return in a replacing
 * block is a re-inclusion and never a new fill, and the replacing blocks are read again from before the removed log;
 * a start resumes from the stored cursor.
 */
@Timeout(60)
class ChainFeedScriptedNodeTest {
    private final FakeChainNode node = FakeChainNode.start();
    private final ChainFeedTest.Sink sink = new ChainFeedTest.Sink();
    private final ChainFeedTest.MemoryCursor cursor = new ChainFeedTest.MemoryCursor();
    private ChainFeed feed;
    private final Logger feedLog = (Logger) LoggerFactory.getLogger(ChainFeed.class);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    ChainFeedScriptedNodeTest() {
        logged.start();
        feedLog.addAppender(logged);
    }

    /** The feed's warnings, as logged; none may name the node's key. */
    List<String> warnings() {
        List<String> warnings = logged.list.stream().filter(e -> e.getLevel() == Level.WARN)
                .map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(logged.list).extracting(ILoggingEvent::getFormattedMessage).noneMatch(m -> m.contains(FakeChainNode.KEY));
        return warnings;
    }

    /** Starts the feed, reading {@code lookback} blocks back from the head when no cursor is stored. */
    void startFeed(long lookback) {
        startFeed(lookback, sink);
    }

    /** {@link #startFeed(long)}, handing what it reads to {@code to}. */
    void startFeed(long lookback, ChainFillSink to) {
        feed = new ChainFeed(new ChainFeed.Options(node.url(), 7, lookback, Duration.ofSeconds(5), Duration.ofMillis(100),
                Duration.ofMillis(500)), new OrderFilledDecoder(List.of(new TraderId(TARGET)),
                OrderFilledDecoder.POLYGON_EXCHANGES), to, cursor, Clock.systemUTC());
        feed.start();
        await().atMost(Duration.ofSeconds(30)).until(feed::isLive);
    }

    @AfterEach
    void stop() {
        if (feed != null) {
            feed.close();
        }
        node.close();
        feedLog.detachAppender(logged);
    }

    /** The target's BUY in transaction {@code tx} (its block is set by the node). */
    static ChainLog fill(int tx) {
        ChainLog log = orderFilled(TARGET, OTHER, 0, 11_782_400, 21_040_000, 0);
        return new ChainLog(log.address(), log.topics(), log.data(), 0, log.blockHash(), String.format("0x%064x", tx),
                1, false);
    }

    /** {@link #fill} at {@code logIndex} in its block. */
    static ChainLog fill(int tx, long logIndex) {
        ChainLog log = fill(tx);
        return new ChainLog(log.address(), log.topics(), log.data(), 0, log.blockHash(), log.txHash(), logIndex, false);
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

    /** Waits until the feed handed over {@code count} fills, the last one read in block {@code block}. */
    void awaitFills(int count, long block) {
        await().atMost(Duration.ofSeconds(30)).until(() -> sink.fills.size() == count);
        assertThat(sink.fills.get(count - 1).log().blockNumber()).isEqualTo(block);
    }

    @Test
    void shouldReportARemovedFillOnceAndItsReturnInTheReplacingBlockAsAReinclusion() {
        startFeed(0);
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
        startFeed(0);
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
        startFeed(0);
        minedAndConfirmed(fill(1));
        node.announceRemovedLogs(false);

        // a new head under the same number says the block was replaced; it holds another fill of the target
        node.reorg(1, List.of(fill(2)));

        await().atMost(Duration.ofSeconds(30)).until(() -> sink.fills.size() == 2);
        assertThat(sink.removed).extracting(ChainFill::identity).containsExactly(identity(1));
        assertThat(sink.identities()).containsExactly(identity(1), identity(2));
        assertThat(feed.state(identity(1))).contains(ChainFeed.FillState.REMOVED);
    }

    @Test
    void shouldResumeFromTheStoredCursorAndOtherwiseLookBackFromTheHead() {
        node.mine(fill(1));
        node.mine(fill(2));
        long head = node.mine(fill(3));
        // no cursor stored: one block back from the head
        startFeed(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> feed.cursor() >= head);
        assertThat(sink.identities()).containsExactly(identity(3));
        feed.close();

        // stored before block 2 (the cursor of an earlier run): blocks 2 on are read, whatever the lookback
        cursor.save(head - 2);
        sink.fills.clear();
        startFeed(0);
        await().atMost(Duration.ofSeconds(30)).until(() -> feed.cursor() >= head);
        assertThat(sink.identities()).containsExactly(identity(2), identity(3));
    }

    @Test
    void shouldReadTheReplacingBlockThoughItCameOnlyAfterTheRemovedLogs() {
        startFeed(0);
        long block = minedAndConfirmed(fill(1));

        // the node takes the block out; what replaces it is not there yet
        node.reorg(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> sink.removed.size() == 1);
        assertThat(sink.removed).extracting(ChainFill::identity).containsExactly(identity(1));
        // the feed is quiet meanwhile: its quiet poll catches up as far as it can, then asks for the finalized block
        int asked = node.finalizedAsked();
        await().atMost(Duration.ofSeconds(30)).until(() -> node.finalizedAsked() > asked);

        // the replacing block comes, with another fill of the target; its log is left to eth_getLogs
        node.reorg(0, List.of(fill(2)));

        await().atMost(Duration.ofSeconds(30)).until(() -> sink.fills.size() == 2);
        assertThat(sink.identities()).containsExactly(identity(1), identity(2));
        assertThat(sink.fills.get(1).log().blockNumber()).isEqualTo(block);
    }

    @Test
    void shouldReadAReplacedBlockAgainThoughItHeldNoFillOfTheTarget() {
        startFeed(0);
        long block = minedAndConfirmed();

        // its replacement, under the same number, holds a fill of the target; its log is left to eth_getLogs
        node.reorg(1, List.of(fill(1)));

        awaitFills(1, block);
    }

    @Test
    void shouldReadEveryBlockADeeperReorgReplacedWhenOnlyTheNewTipIsAnnounced() {
        startFeed(0);
        minedAndConfirmed();
        long first = minedAndConfirmed();
        minedAndConfirmed();
        minedAndConfirmed();
        node.announceEveryReplacingHead(false);
        int saved = cursor.saves.size();

        // three blocks replaced, above one that stays; the lowest replacement holds a fill of the target, and only
        // the new tip is announced
        node.reorg(3, List.of(fill(1)), List.of(), List.of());

        awaitFills(1, first);
        assertThat(cursor.saves.subList(saved, cursor.saves.size())).as("stored: back before the lowest replaced "
                + "block, not before the one that stays").startsWith(first - 1);
    }

    @Test
    void shouldReadTheReplacedBlockOfALongerChainWhoseTipAloneIsAnnouncedPastAGap() {
        startFeed(0);
        long kept = minedAndConfirmed(fill(1));
        long replaced = minedAndConfirmed();
        node.announceRemovedLogs(false);
        node.announceEveryReplacingHead(false);

        // the last block is replaced by three, the lowest holding a fill of the target; only the new tip is announced,
        // two numbers past the last head seen: neither its number nor its parent's was seen before
        long tip = node.reorg(1, List.of(fill(2)), List.of(), List.of());
        assertThat(tip).isEqualTo(replaced + 2);

        awaitFills(2, replaced);
        await().atMost(Duration.ofSeconds(30)).until(() -> feed.cursor() >= tip);
        assertThat(sink.identities()).containsExactly(identity(1), identity(2));
        assertThat(sink.removed).isEmpty();
        assertThat(feed.state(identity(1))).as("block %d was not replaced", kept).contains(ChainFeed.FillState.SEEN);
    }

    @Test
    void shouldStopAsSoonAsTheFillBeingHandedOverWhenAskedToIsHandled() throws Exception {
        CountDownLatch handing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        // the engine's side finishes the fill it was given, even when the stop interrupts it
        ChainFillSink finishing = new ChainFillSink() {
            @Override
            public void onFill(ChainFill fill) {
                handing.countDown();
                boolean interrupted = false;
                while (true) {
                    try {
                        release.await();
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
                sink.onFill(fill);
            }

            @Override
            public void onRemoved(ChainFill fill) {
                sink.onRemoved(fill);
            }

            @Override
            public void onReincluded(ChainFill fill) {
                sink.onReincluded(fill);
            }

            @Override
            public void onMalformed(ChainLog log, String reason) {
                sink.onMalformed(log, reason);
            }
        };
        startFeed(0, finishing);
        node.mine(fill(1));
        assertThat(handing.await(30, TimeUnit.SECONDS)).isTrue();

        Thread stopping = new Thread(feed::close, "stopping");
        stopping.start();
        // the stop waits for the feed's thread
        await().atMost(Duration.ofSeconds(30)).until(() -> stopping.getState() == Thread.State.TIMED_WAITING);
        release.countDown();

        // the stop's wait is bounded at 10 s: it must end with the feed's thread, not with that bound
        await().atMost(Duration.ofSeconds(5)).until(() -> !stopping.isAlive());
        assertThat(sink.identities()).containsExactly(identity(1));
        assertThat(feed.state(identity(1))).as("indexed before the feed stopped").contains(ChainFeed.FillState.SEEN);
        assertThat(feed.isLive()).isFalse();
    }

    @Test
    void shouldPassOverAFillInABlockWhoseTimestampIsNoTimeAndGoOn() {
        startFeed(0);
        // a node's block beyond any time Java can name: that fill is not read, the feed neither stops nor loops on it
        node.stampNextBlock("0x7fffffffffffffff");
        node.mine(fill(1));
        minedAndConfirmed(fill(2));
        await().atMost(Duration.ofSeconds(30)).until(() -> sink.fills.stream().anyMatch(f -> f.identity().equals(identity(2))));
        assertThat(sink.fills).extracting(ChainFill::identity).doesNotContain(identity(1));
        assertThat(sink.malformed).as("said, not dropped in silence").isNotEmpty();
        assertThat(feed.isLive()).isTrue();
    }

    /**
     * eth_getLogs answered with something else than the range's logs: null, no result, an object, an error, text that
     * is not JSON, or nothing at all (the call times out). The range is read again on a new connection, never passed
     * over.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "{\"jsonrpc\":\"2.0\",\"id\":%d,\"result\":null}",
            "{\"jsonrpc\":\"2.0\",\"id\":%d}",
            "{\"jsonrpc\":\"2.0\",\"id\":%d,\"result\":{\"logs\":[]}}",
            "{\"jsonrpc\":\"2.0\",\"id\":%d,\"error\":{\"code\":-32005,\"message\":\"query returned more than 10000 results\"}}",
            "{\"jsonrpc\":\"2.0\",\"id\":%d,\"result\":[",
            ""})
    void shouldReadARangeAgainWhoseLogsTheNodeDidNotGive(String answer) {
        node.mine(fill(1));
        long head = node.mine();
        node.breakNext("eth_getLogs", id -> answer.isEmpty() ? null : answer.formatted(id));

        startFeed(head); // from block 1

        await().atMost(Duration.ofSeconds(30)).until(() -> feed.cursor() >= head && !sink.fills.isEmpty());
        assertThat(sink.identities()).containsExactly(identity(1));
        assertThat(feed.connects()).as("read again on a new connection").isEqualTo(2);
        await().atMost(Duration.ofSeconds(30)).until(() -> node.clients() == 1); // the one given up is closed
        assertThat(warnings()).anyMatch(w -> w.startsWith("Chain feed (" + feed.host() + ") lost: eth_getLogs"));
    }

    @Test
    void shouldPassOverALogTheNodeGivesUnreadableAndHandOverTheFillsAroundIt() {
        ObjectNode junk = JsonRpcWebSocket.MAPPER.createObjectNode().put("blockNumber", "0xzz").put("logIndex", "0x0");
        junk.putArray("topics");
        node.putInEveryGetLogs(junk);
        node.mine(fill(1));
        long head = node.mine();

        startFeed(head); // from block 1

        await().atMost(Duration.ofSeconds(30)).until(() -> feed.cursor() >= head);
        assertThat(sink.identities()).containsExactly(identity(1));
        long block = minedAndConfirmed(fill(2));
        assertThat(sink.identities()).containsExactly(identity(1), identity(2));
        assertThat(feed.cursor()).isGreaterThanOrEqualTo(block);
        assertThat(feed.connects()).as("no reconnecting over it").isEqualTo(1);
        assertThat(warnings()).contains("Unreadable log from the node: log field address is missing");
    }

    @Test
    void shouldDropAConnectionThatSendsAMessageLongerThanItReadsAndGoOnOnANewOne() {
        startFeed(0);
        minedAndConfirmed(fill(1));

        // a notification a little longer than the longest message read: never read into memory whole
        String head = "{\"jsonrpc\":\"2.0\",\"method\":\"eth_subscription\",\"params\":{\"subscription\":\"0x1\",\"result\":\"";
        node.send(head + "x".repeat(JsonRpcWebSocket.MAX_MESSAGE_CHARS) + "\"}}");

        await().atMost(Duration.ofSeconds(30)).until(() -> feed.connects() == 2 && feed.isLive());
        minedAndConfirmed(fill(2));
        assertThat(sink.identities()).containsExactly(identity(1), identity(2));
        // said by the connection's end, or by the call it cut short when one was waiting (the quiet poll's)
        assertThat(warnings()).anyMatch(w -> w.startsWith("Chain feed (" + feed.host() + ") lost: ")
                && w.endsWith("failed: a message longer than " + JsonRpcWebSocket.MAX_MESSAGE_CHARS
                + " characters; reconnecting in 100 ms"));
    }

    @Test
    void shouldPassOverARemovalTheNodeAnnouncesBelowTheReorgWindow() {
        startFeed(0);
        long block = minedAndConfirmed(fill(1));
        for (int i = 0; i < 128; i++) {
            node.mine();
        }

        // a block 128 below the head (no reorg reaches so deep) said removed: the fill stands, the chain is not read
        // again from there
        node.announceRemovedThoughItStays(block);
        minedAndConfirmed(fill(2));

        assertThat(sink.removed).isEmpty();
        assertThat(sink.reincluded).isEmpty();
        assertThat(sink.identities()).containsExactly(identity(1), identity(2));
        assertThat(feed.state(identity(1))).contains(ChainFeed.FillState.SEEN);
        assertThat(warnings()).contains("The node says block " + block + " was removed, at or below the reorg window "
                + "(head " + (block + 128) + ", finalized -1): passed over");
    }

    @Test
    void shouldTakeAnOldHeadAgainForNoReorgAndAShorterChainForOne() {
        startFeed(0);
        long first = minedAndConfirmed(fill(1));
        minedAndConfirmed(fill(2));
        minedAndConfirmed();

        // a lagging node's old head: the same block, nothing replaced, nothing read again
        node.announceHeadAgain(first);
        long tip = minedAndConfirmed(fill(3));
        assertThat(sink.identities()).containsExactly(identity(1), identity(2), identity(3));
        assertThat(sink.removed).isEmpty();

        // a shorter chain: the last three blocks (fill 2's, an empty one, fill 3's) replaced by one holding fill 2
        long head = node.reorg(3, List.of(fill(2)));
        assertThat(head).isEqualTo(tip - 2);
        await().atMost(Duration.ofSeconds(30)).until(() -> sink.reincluded.size() == 1 && feed.cursor() >= head);
        assertThat(sink.removed).extracting(ChainFill::identity).containsExactlyInAnyOrder(identity(2), identity(3));
        assertThat(sink.reincluded).extracting(ChainFill::identity).containsExactly(identity(2));
        long next = minedAndConfirmed(fill(4));
        assertThat(next).isEqualTo(head + 1);
        assertThat(sink.identities()).as("none twice").containsExactly(identity(1), identity(2), identity(3), identity(4));
        assertThat(feed.state(identity(3))).contains(ChainFeed.FillState.REMOVED);
        assertThat(feed.connects()).isEqualTo(1);
    }

    @Test
    void shouldBackfillInRangesOfAtMostTheBlocksSetAndHandTheFillsOverInChainOrder() {
        // in chain order: by block, then by place in the block (a later block's log may have a lower index)
        long first = node.mine(fill(1, 7));
        long second = node.mine(fill(5, 0));
        for (int i = 0; i < 7; i++) {
            node.mine();
        }
        long both = node.mine(fill(2, 0), fill(3, 5));
        for (int i = 0; i < 9; i++) {
            node.mine();
        }
        long head = node.mine(fill(4));
        node.getLogsInReverse(true); // a node need not sort them

        startFeed(head); // from block 1: the initial cursor is stored before anything is read

        assertThat(feed.cursor()).as("live means caught up").isEqualTo(head);
        assertThat(cursor.saves).containsExactly(0L, 7L, 14L, head);
        assertThat(node.params("eth_getLogs")).extracting(p -> p.path(0).path("fromBlock").asText() + "-"
                + p.path(0).path("toBlock").asText()).containsExactly("0x1-0x7", "0x8-0xe", "0xf-0x14");
        assertThat(sink.identities()).containsExactly(identity(1), identity(5), identity(2), identity(3), identity(4));
        assertThat(sink.fills).extracting(f -> f.trade().tsEvent()).as("each block's time").containsExactly(
                FakeChainNode.blockTime(first), FakeChainNode.blockTime(second), FakeChainNode.blockTime(both),
                FakeChainNode.blockTime(both), FakeChainNode.blockTime(head));
        // the filter of contract 2.8: the exchanges, OrderFilled, the targets as makers
        String filter = "{\"address\":" + JsonRpcWebSocket.MAPPER.valueToTree(OrderFilledDecoder.POLYGON_EXCHANGES.stream()
                .sorted().toList()) + ",\"topics\":[[\"" + OrderFilledDecoder.ORDER_FILLED + "\"],null,[\""
                + OrderFilledDecoder.addressTopic(TARGET) + "\"]]";
        assertThat(node.params("eth_subscribe")).extracting(JsonNode::toString)
                .containsExactly("[\"newHeads\"]", "[\"logs\"," + filter + "}]");
        assertThat(node.params("eth_getLogs").get(0).toString())
                .isEqualTo("[" + filter + ",\"fromBlock\":\"0x1\",\"toBlock\":\"0x7\"}]");
    }

    @Test
    void shouldTakeTheBlockTimeALogCarriesWithoutAskingForItsBlock() {
        node.blockTimestampInLogs(true);
        long block = node.mine(fill(1));

        startFeed(1);

        assertThat(sink.fills).extracting(f -> f.trade().tsEvent()).containsExactly(FakeChainNode.blockTime(block));
        assertThat(node.params("eth_getBlockByHash")).isEmpty();
    }

    @Test
    void shouldNotMoveTheCursorPastBlocksToComeForAHeadFarAheadOfTheNodesChain() {
        startFeed(0);
        long first = minedAndConfirmed(fill(1));

        // a head far ahead of the chain (a broken node or proxy): the node has no block under that number
        long far = first + 700;
        node.announceHeadItDoesNotHave(far);
        await().atMost(Duration.ofSeconds(30)).until(() -> feed.cursor() >= far
                || warnings().stream().anyMatch(w -> w.contains("head " + far)));
        assertThat(feed.cursor()).as("not moved past blocks the node does not have yet").isEqualTo(first);

        // the next blocks come while the connection is down: the backfill from the cursor reads them
        node.silence(true);
        long next = node.mine(fill(2));
        node.silence(false);
        feed.dropConnection();

        awaitFills(2, next);
        assertThat(sink.identities()).containsExactly(identity(1), identity(2));
    }

    @Test
    void shouldFindAReorgThatHappenedWhileTheConnectionWasDown() {
        startFeed(0);
        long kept = minedAndConfirmed(fill(1));
        long replaced = minedAndConfirmed(fill(2));

        // the node says nothing of it: the feed learns of it by asking for the blocks of its fills on reconnecting
        node.silence(true);
        node.reorg(1, List.of(fill(3)));
        node.silence(false);
        int saved = cursor.saves.size();
        feed.dropConnection();

        await().atMost(Duration.ofSeconds(30)).until(() -> sink.fills.size() == 3);
        assertThat(sink.removed).extracting(ChainFill::identity).containsExactly(identity(2));
        assertThat(sink.fills.get(2).log().blockNumber()).isEqualTo(replaced);
        assertThat(cursor.saves.subList(saved, cursor.saves.size())).as("the stored cursor steps back too: a restart "
                + "before the block is read again reads it").startsWith(replaced - 1, replaced);
        assertThat(feed.state(identity(1))).as("block %d was not replaced", kept).contains(ChainFeed.FillState.SEEN);
        assertThat(feed.connects()).isEqualTo(2);
    }

    @Test
    void shouldReadABlockReplacedWhileTheConnectionWasDownThoughItHeldNoFillOfTheTarget() {
        startFeed(0);
        minedAndConfirmed(fill(1));
        long replaced = minedAndConfirmed();

        // the node says nothing of it: its replacement holds a fill of the target
        node.silence(true);
        node.reorg(1, List.of(fill(2)));
        node.silence(false);
        feed.dropConnection();

        awaitFills(2, replaced);
        assertThat(sink.identities()).containsExactly(identity(1), identity(2));
        assertThat(sink.removed).isEmpty();
        assertThat(feed.connects()).isEqualTo(2);
    }

    @Test
    void shouldNotReadPastTheChainANodeHasAfterAReconnectWhenItsChainIsShorterThanTheHeadsSeen() {
        startFeed(0);
        minedAndConfirmed(fill(1));
        long gone = minedAndConfirmed();

        // while the connection is down the node's chain loses its last block; nothing replaces it yet
        node.silence(true);
        node.reorg(1);
        node.silence(false);
        feed.dropConnection();
        await().atMost(Duration.ofSeconds(30)).until(() -> feed.connects() == 2 && feed.isLive());
        // the feed is quiet meanwhile: its quiet poll catches up as far as the chain reaches, then asks for finality
        int asked = node.finalizedAsked();
        await().atMost(Duration.ofSeconds(30)).until(() -> node.finalizedAsked() > asked);
        assertThat(feed.cursor()).as("block %d is not there to read", gone).isEqualTo(gone - 1);

        // the replacing block's head comes (its log is left to eth_getLogs)
        node.reorg(0, List.of(fill(2)));

        awaitFills(2, gone);
        assertThat(sink.identities()).containsExactly(identity(1), identity(2));
        assertThat(warnings()).as("the block the node no longer had is not taken for one replaced again")
                .noneMatch(w -> w.startsWith("Chain reorg"));
    }

    @Test
    void shouldTakeBackNoFillBelowTheReorgWindowThoughTheNodeReplacedItsBlockWhileTheConnectionWasDown() {
        startFeed(0);
        long block = minedAndConfirmed(fill(1));
        for (int i = 0; i < 129; i++) {
            node.mine();
        }
        long head = minedAndConfirmed();

        // a broken node: while the connection is down, every block from the fill's on is replaced, deeper than any
        // reorg reaches
        node.silence(true);
        node.reorg((int) (head - block + 1));
        for (long n = block; n <= head; n++) {
            node.mine();
        }
        node.silence(false);
        feed.dropConnection();
        await().atMost(Duration.ofSeconds(30)).until(() -> feed.connects() == 2 && feed.isLive());
        minedAndConfirmed(fill(2));

        assertThat(sink.removed).isEmpty();
        assertThat(sink.identities()).containsExactly(identity(1), identity(2));
        assertThat(feed.state(identity(1))).contains(ChainFeed.FillState.SEEN);
    }

    @Test
    void shouldReadAgainTheBlockOfAFillReadByABackfillWhenTheNodeReplacedItWhileTheConnectionWasDown() {
        long block = node.mine(fill(1));
        startFeed(1); // block 1 read by eth_getLogs: its head never came
        int saved = cursor.saves.size();

        // the node says nothing of it: its replacement holds another fill of the target
        node.silence(true);
        node.reorg(1, List.of(fill(2)));
        node.silence(false);
        feed.dropConnection();

        awaitFills(2, block);
        assertThat(sink.removed).extracting(ChainFill::identity).containsExactly(identity(1));
        assertThat(cursor.saves.subList(saved, cursor.saves.size())).as("stored: back before the replaced block")
                .startsWith(block - 1, block);
    }

    @Test
    void shouldReconnectAfterLongerWaitsUpToTheLongestSetAndWaitTheShortestAgainOnceConnected() {
        for (int i = 0; i < 5; i++) {
            node.breakNext("eth_blockNumber", id -> "{\"jsonrpc\":\"2.0\",\"id\":" + id
                    + ",\"error\":{\"code\":-32603,\"message\":\"internal error\"}}");
        }
        long started = System.nanoTime();

        startFeed(0);

        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(feed.connects()).isEqualTo(6);
        assertThat(warnings()).extracting(w -> w.substring(w.indexOf("; reconnecting in "))).containsExactly(
                "; reconnecting in 100 ms", "; reconnecting in 200 ms", "; reconnecting in 400 ms",
                "; reconnecting in 500 ms", "; reconnecting in 500 ms");
        assertThat(took).as("each wait was waited").isGreaterThanOrEqualTo(Duration.ofMillis(100 + 200 + 400 + 500 + 500));

        // connected: the next loss waits the shortest time again
        feed.dropConnection();
        await().atMost(Duration.ofSeconds(30)).until(() -> feed.connects() == 7 && feed.isLive());
        assertThat(warnings()).hasSize(6).last().asString().endsWith("; reconnecting in 100 ms");
    }

    @Test
    void shouldFindTwoReorgsInARowAtTheSameHeightByTheHeads() {
        startFeed(0);
        node.announceRemovedLogs(false);
        long block = minedAndConfirmed(fill(1));

        node.reorg(1, List.of(fill(2)));
        await().atMost(Duration.ofSeconds(30)).until(() -> sink.fills.size() == 2);
        node.reorg(1, List.of(fill(3)));

        await().atMost(Duration.ofSeconds(30)).until(() -> sink.fills.size() == 3);
        assertThat(sink.removed).extracting(ChainFill::identity).containsExactly(identity(1), identity(2));
        assertThat(sink.fills).extracting(f -> f.log().blockNumber()).containsOnly(block);
    }

    @Test
    void shouldStepBackByARemovedLogAloneWhenNoHeadOfItsBlockWasSeen() {
        long block = node.mine(fill(1));
        startFeed(1); // block 1 read by eth_getLogs: its head never came

        // the node takes the block out; what replaces it is not there yet
        node.reorg(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> cursor.block == block - 1);
        assertThat(sink.removed).extracting(ChainFill::identity).containsExactly(identity(1));
        // the feed is quiet meanwhile: its quiet poll catches up as far as the chain reaches, then asks for finality
        int asked = node.finalizedAsked();
        await().atMost(Duration.ofSeconds(30)).until(() -> node.finalizedAsked() > asked);

        // the replacing block's head comes (no reorg to see in the heads); its log is left to eth_getLogs
        node.reorg(0, List.of(fill(2)));

        awaitFills(2, block);
    }

    @Test
    void shouldMarkAFillFinalAtTheFinalizedBlockAndPassOverARemovalThere() {
        startFeed(0);
        long block = minedAndConfirmed(fill(1));
        minedAndConfirmed(fill(2));

        node.finalizeUpTo(block);

        await().atMost(Duration.ofSeconds(30)).until(() -> feed.finalizedBlock() == block);
        assertThat(feed.state(identity(1))).contains(ChainFeed.FillState.FINAL);
        assertThat(feed.state(identity(2))).contains(ChainFeed.FillState.SEEN);
        node.announceRemovedThoughItStays(block);
        minedAndConfirmed(fill(3));
        assertThat(sink.removed).isEmpty();
        assertThat(warnings()).anyMatch(w -> w.startsWith("The node says block " + block + " was removed")
                && w.endsWith("finalized " + block + "): passed over"));
    }

    @Test
    void shouldPassOverNotificationsItCannotReadAndGoOn() {
        startFeed(0);

        node.send("{\"jsonrpc\":\"2.0\",\"method\":\"eth_subscription\",\"params\":");
        node.send("{\"jsonrpc\":\"2.0\",\"method\":\"eth_subscription\",\"params\":{\"subscription\":\"0x1\",\"result\":null}}");
        node.send("{\"jsonrpc\":\"2.0\",\"method\":\"eth_subscription\",\"params\":{\"subscription\":\"0x1\","
                + "\"result\":{\"number\":\"0xzz\",\"hash\":\"0x01\"}}}");
        node.send("{\"jsonrpc\":\"2.0\",\"method\":\"eth_subscription\",\"params\":{\"subscription\":\"0x2\","
                + "\"result\":{\"topics\":[],\"blockNumber\":\"0x1\"}}}");
        minedAndConfirmed(fill(1));

        assertThat(sink.identities()).containsExactly(identity(1));
        assertThat(feed.connects()).isEqualTo(1);
        assertThat(warnings()).contains("Unreadable log from the node: log field address is missing");
    }

    @Test
    void shouldNameTheNodeByItsHostAloneAndCloseWhenNeverStarted() {
        ChainFeed unstarted = new ChainFeed(new ChainFeed.Options(java.net.URI.create("wss://polygon.example/v2/" + FakeChainNode.KEY),
                7, 0, Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofMillis(500)),
                new OrderFilledDecoder(List.of(new TraderId(TARGET)), OrderFilledDecoder.POLYGON_EXCHANGES), sink, cursor,
                Clock.systemUTC());
        assertThat(unstarted.host()).isEqualTo("wss://polygon.example");
        unstarted.close();
        unstarted.close();
        assertThat(unstarted.isLive()).isFalse();

        startFeed(0);
        assertThat(feed.host()).isEqualTo("ws://127.0.0.1:" + node.url().getPort());
        feed.close();
        feed.close();
        assertThat(feed.isLive()).isFalse();
    }
}
