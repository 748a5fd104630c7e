package io.copytrader.chain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;

/**
 * A JSON-RPC node on a loopback WebSocket whose chain the test writes, for what anvil does not do: announce the logs
 * of the blocks a reorg takes out again with {@code removed: true} on the {@code logs} subscription, as a node does
 * (contract 2.8). Serves {@code eth_subscribe} (newHeads, logs), {@code eth_blockNumber}, {@code eth_getLogs},
 * {@code eth_getBlockByNumber} (no {@code finalized} block: nothing becomes final) and {@code eth_getBlockByHash}.
 *
 * <p>A mined block is announced as a head and its logs on the subscription. The blocks that replace those a reorg
 * took out are announced as heads only: their logs are left to {@code eth_getLogs}, as when the subscription's
 * notification of them comes late or not at all. Block n's time is {@link #blockTime}(n).
 */
final class FakeChainNode implements AutoCloseable {
    private static final String HEADS = "0x1";
    private static final String LOGS = "0x2";

    private record Block(long number, String hash, String parentHash, List<ChainLog> logs) {
    }

    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;
    private final List<ServerWebSocket> sockets = new CopyOnWriteArrayList<>();
    /** The canonical chain, block n at index n; guarded by this. */
    private final List<Block> chain = new ArrayList<>();
    private int forks;
    private volatile boolean announceRemoved = true;
    private volatile boolean everyReplacingHead = true;
    /** Timestamps (hex quantities) given to blocks by number instead of {@link #blockTime}: a node's bad data. */
    private final java.util.Map<Long, String> stamped = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger finalizedAsked = new java.util.concurrent.atomic.AtomicInteger();
    /** What the node answers to the next calls of a method instead of its chain's answer: a broken node's replies. */
    private final Map<String, Queue<LongFunction<String>>> broken = new ConcurrentHashMap<>();
    /** Put in every eth_getLogs answer besides the chain's logs, when set: a broken node's log. */
    private volatile JsonNode junkLog;
    private volatile boolean silent;
    private volatile boolean logsInReverse;
    private volatile boolean blockTimestampInLogs;
    private volatile long finalized = -1;
    /** Every request a client sent, in order. */
    private final List<JsonNode> requests = new CopyOnWriteArrayList<>();

    private FakeChainNode() throws Exception {
        chain.add(new Block(0, hash(0), hash(-1), List.of()));
        server = vertx.createHttpServer().webSocketHandler(ws -> {
            sockets.add(ws);
            ws.closeHandler(v -> sockets.remove(ws));
            ws.textMessageHandler(text -> {
                String reply = answer(text);
                if (reply != null) {
                    ws.writeTextMessage(reply);
                }
            });
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    static FakeChainNode start() {
        try {
            return new FakeChainNode();
        } catch (Exception e) {
            throw new IllegalStateException("the fake node did not start", e);
        }
    }

    /** The node's URL, with a provider key in its path and query as a provider's has: it must never be logged. */
    URI url() {
        return URI.create("ws://127.0.0.1:" + server.actualPort() + "/v2/" + KEY + "?apikey=" + KEY);
    }

    static final String KEY = "k3y0fTheProv1der";

    /**
     * The next call of {@code method} is answered with what {@code reply} makes of the call's id (raw text, sent as
     * it is; null sends nothing): a broken or hostile node's answer, once.
     */
    void breakNext(String method, LongFunction<String> reply) {
        broken.computeIfAbsent(method, m -> new ConcurrentLinkedQueue<>()).add(reply);
    }

    /** Every eth_getLogs answer from now on holds {@code log} first, whatever range it was asked for. */
    void putInEveryGetLogs(JsonNode log) {
        junkLog = log;
    }

    /** While on, the node announces nothing (no heads, no logs): as if the connection were down. */
    void silence(boolean on) {
        silent = on;
    }

    /** Whether eth_getLogs answers with the logs last first (a node need not sort them). */
    void getLogsInReverse(boolean on) {
        logsInReverse = on;
    }

    /** Whether a log carries its block's time ({@code blockTimestamp}), as newer nodes' do. */
    void blockTimestampInLogs(boolean on) {
        blockTimestampInLogs = on;
    }

    /** The block the node calls finalized from now on. */
    void finalizeUpTo(long number) {
        finalized = number;
    }

    /** The params of each request of {@code method} a client sent, in order. */
    List<JsonNode> params(String method) {
        return requests.stream().filter(r -> r.path("method").asText().equals(method)).map(r -> r.path("params")).toList();
    }

    /** How many clients are connected. */
    int clients() {
        return sockets.size();
    }

    /** Sends {@code text} as it is to every client, as a message of its own. */
    void send(String text) {
        sockets.forEach(ws -> ws.writeTextMessage(text));
    }

    /** Whether a reorg announces the logs it takes out with {@code removed: true} (anvil, for one, does not). */
    void announceRemovedLogs(boolean on) {
        announceRemoved = on;
    }

    /** Whether a reorg announces each replacing block's head, or only the new tip's (as a node may). */
    void announceEveryReplacingHead(boolean on) {
        everyReplacingHead = on;
    }

    /** How many times a client asked for the finalized (or another tagged) block. */
    int finalizedAsked() {
        return finalizedAsked.get();
    }

    static Instant blockTime(long number) {
        return Instant.ofEpochSecond(1_764_669_600L + 2 * number);
    }

    /** The next block mined carries {@code hexTimestamp} as its timestamp, whatever it says. */
    synchronized void stampNextBlock(String hexTimestamp) {
        stamped.put((long) chain.size(), hexTimestamp);
    }

    /** Mines a block holding {@code logs} (their block number and hash are set here); returns its number. */
    synchronized long mine(ChainLog... logs) {
        Block block = append(List.of(logs));
        notify(HEADS, head(block));
        block.logs().forEach(l -> notify(LOGS, log(l, block, false)));
        return block.number();
    }

    /**
     * Takes the last {@code depth} blocks out, announcing each of their logs again with {@code removed: true} (unless
     * {@link #announceRemovedLogs} says not to), and mines {@code replacing} in their place (one list of logs a block; at least {@code depth} of them).
     */
    @SafeVarargs
    final synchronized long reorg(int depth, List<ChainLog>... replacing) {
        for (int i = 0; i < depth; i++) {
            Block out = chain.remove(chain.size() - 1);
            if (announceRemoved) {
                out.logs().forEach(l -> notify(LOGS, log(l, out, true)));
            }
        }
        forks++;
        Block last = null;
        for (int i = 0; i < replacing.length; i++) {
            last = append(replacing[i]);
            if (everyReplacingHead || i == replacing.length - 1) {
                notify(HEADS, head(last));
            }
        }
        return last == null ? chain.size() - 1 : last.number();
    }

    /** Announces the logs of block {@code number} again with {@code removed: true}, though the block stays: a broken node. */
    synchronized void announceRemovedThoughItStays(long number) {
        Block block = chain.get((int) number);
        block.logs().forEach(l -> notify(LOGS, log(l, block, true)));
    }

    /** Announces the head of block {@code number} again, an old block after newer ones: a lagging node's. */
    synchronized void announceHeadAgain(long number) {
        notify(HEADS, head(chain.get((int) number)));
    }

    /**
     * Announces a head of block {@code number}, which the node's chain does not have (a number far ahead of it): a
     * broken node's or proxy's notification. eth_getLogs past the chain answers no logs here (as a node that clamps
     * the range does, where geth refuses it).
     */
    synchronized void announceHeadItDoesNotHave(long number) {
        notify(HEADS, JsonRpcWebSocket.MAPPER.createObjectNode().put("number", ChainLog.quantity(number))
                .put("hash", String.format("0x%064x", Long.MAX_VALUE - number)).put("parentHash", hash(number - 1))
                .put("timestamp", ChainLog.quantity(blockTime(number).getEpochSecond())));
    }

    private Block append(List<ChainLog> logs) {
        long number = chain.size();
        Block block = new Block(number, hash(number), chain.get(chain.size() - 1).hash(), logs);
        chain.add(block);
        return block;
    }

    private String hash(long number) {
        return String.format("0x%032x%032x", forks, number + 1);
    }

    private synchronized String answer(String text) {
        ObjectNode reply = JsonRpcWebSocket.MAPPER.createObjectNode().put("jsonrpc", "2.0");
        try {
            JsonNode request = JsonRpcWebSocket.MAPPER.readTree(text);
            requests.add(request);
            Queue<LongFunction<String>> brokenAnswers = broken.get(request.path("method").asText());
            LongFunction<String> brokenAnswer = brokenAnswers == null ? null : brokenAnswers.poll();
            if (brokenAnswer != null) {
                return brokenAnswer.apply(request.path("id").asLong());
            }
            reply.set("id", request.get("id"));
            JsonNode params = request.path("params");
            reply.set("result", switch (request.path("method").asText()) {
                case "eth_subscribe" -> text(params.path(0).asText().equals("newHeads") ? HEADS : LOGS);
                case "eth_blockNumber" -> text(ChainLog.quantity(chain.size() - 1));
                case "eth_getLogs" -> logs(ChainLog.quantity(params.path(0).path("fromBlock").asText(), "fromBlock"),
                        ChainLog.quantity(params.path(0).path("toBlock").asText(), "toBlock"));
                case "eth_getBlockByNumber" -> byNumber(params.path(0).asText());
                case "eth_getBlockByHash" -> byHash(params.path(0).asText());
                default -> throw new IllegalArgumentException("not served: " + request.path("method").asText());
            });
            return JsonRpcWebSocket.MAPPER.writeValueAsString(reply);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ArrayNode logs(long from, long to) {
        ArrayNode out = JsonRpcWebSocket.MAPPER.createArrayNode();
        if (junkLog != null) {
            out.add(junkLog);
        }
        for (long n = from; n <= Math.min(to, chain.size() - 1); n++) {
            Block block = chain.get((int) n);
            block.logs().forEach(l -> out.add(log(l, block, false)));
        }
        if (logsInReverse) {
            List<JsonNode> reversed = new ArrayList<>();
            out.forEach(l -> reversed.add(0, l));
            out.removeAll();
            out.addAll(reversed);
        }
        return out;
    }

    private JsonNode byNumber(String tag) {
        if (!tag.startsWith("0x")) {
            finalizedAsked.incrementAndGet();
            // "finalized", "safe": none here unless set
            return finalized < 0 ? JsonRpcWebSocket.MAPPER.nullNode() : head(chain.get((int) finalized));
        }
        long n = ChainLog.quantity(tag, "block");
        return n < chain.size() ? head(chain.get((int) n)) : JsonRpcWebSocket.MAPPER.nullNode();
    }

    private JsonNode byHash(String hash) {
        return chain.stream().filter(b -> b.hash().equals(hash)).findFirst().<JsonNode>map(this::head)
                .orElse(JsonRpcWebSocket.MAPPER.nullNode());
    }

    private static JsonNode text(String value) {
        return JsonRpcWebSocket.MAPPER.getNodeFactory().textNode(value);
    }

    private ObjectNode head(Block block) {
        return JsonRpcWebSocket.MAPPER.createObjectNode().put("number", ChainLog.quantity(block.number()))
                .put("hash", block.hash()).put("parentHash", block.parentHash())
                .put("timestamp", stamped.getOrDefault(block.number(),
                        ChainLog.quantity(blockTime(block.number()).getEpochSecond())));
    }

    private ObjectNode log(ChainLog l, Block block, boolean removed) {
        ObjectNode json = JsonRpcWebSocket.MAPPER.createObjectNode().put("address", l.address());
        l.topics().forEach(json.putArray("topics")::add);
        if (blockTimestampInLogs) {
            json.put("blockTimestamp", ChainLog.quantity(blockTime(block.number()).getEpochSecond()));
        }
        return json.put("data", l.data()).put("blockNumber", ChainLog.quantity(block.number()))
                .put("blockHash", block.hash()).put("transactionHash", l.txHash())
                .put("logIndex", ChainLog.quantity(l.logIndex())).put("removed", removed);
    }

    private void notify(String subscription, JsonNode result) {
        if (silent) {
            return;
        }
        ObjectNode message = JsonRpcWebSocket.MAPPER.createObjectNode().put("jsonrpc", "2.0")
                .put("method", "eth_subscription");
        message.putObject("params").put("subscription", subscription).set("result", result);
        send(message.toString());
    }

    @Override
    public void close() {
        vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
    }
}
