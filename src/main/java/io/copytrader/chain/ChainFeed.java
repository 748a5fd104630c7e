package io.copytrader.chain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Watches the exchange's {@code OrderFilled} logs of the target wallets on a node's WebSocket (contract 2.8) and
 * hands each target fill to a {@link ChainFillSink} exactly once, by its reorg-proof identity (tx + order hash).
 *
 * <p><b>Nothing missed.</b> A block cursor ("every log up to this block was handed over") is persisted through a
 * {@link Cursor}. On every connect, after a gap in the heads or a reorg, and otherwise every few blocks or seconds,
 * the logs from the cursor to the head are read with {@code eth_getLogs} in bounded ranges and the cursor moves on
 * after each range; so a restart, a reconnect or a missed head is a backfill, and the {@code logs} subscription only
 * makes detection fast. A fill seen both ways is handed over once.
 *
 * <p><b>Reorgs.</b> A log that comes back {@code removed: true} is reported ({@link ChainFillSink#onRemoved}) and
 * the cursor steps back before its block, so the replacing blocks are read again; a reorg seen in the heads steps it
 * back before every block it replaced, whether or not one held a fill of ours (so does a head past a gap whose
 * last head seen was replaced, and a connect to a node that no longer has the heads seen before); a removed fill
 * seen again is reported as re-included. A fill is final once its block is at or below the node's {@code finalized}
 * block; final fills stay in the in-memory index as final (a log of one read again is no new fill), the oldest
 * fills leaving it past {@value #MAX_INDEX}.
 *
 * <p><b>Connection.</b> One worker thread owns the connection; when it drops (closed, failed, a call timed out) it
 * reconnects with exponential backoff and subscribes again. The sink's failure is handled the same way, an
 * {@link Error} too (a {@link StackOverflowError}, an {@link AssertionError}, a {@link LinkageError}...): logged,
 * counted ({@link #workerErrors()}), the fill not taken, so the backfill of the reconnect reads it again. What the
 * worker cannot survive (a {@link VirtualMachineError} other than a stack overflow: out of memory, an internal error)
 * ends it, and the feed says so ({@link #stoppedBy()}) for the health check rather than falling silent.
 *
 * <p><b>Notifications.</b> The node's heads and logs wait for the worker in a queue of at most
 * {@value #EVENT_CAPACITY} (the WebSocket's thread never waits on it: it also carries the answers the worker waits
 * for). When the engine is slower than the node and the queue is full, a notification is dropped and counted
 * ({@link #droppedEvents()}), never lost: the subscription only makes detection fast, and the worker then reads the
 * blocks from its cursor to the node's head with {@code eth_getLogs}, as after a reconnect (a dropped head is a gap
 * in the heads, looked at for a reorg the same way).
 */
public final class ChainFeed implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChainFeed.class);
    /** Fills kept in the index at most (final ones are dropped first); a fill older than this is far past final. */
    private static final int MAX_INDEX = 200_000;
    /** How far back a reorg is looked for (Polygon's are at most a few blocks since 2025). */
    private static final long REORG_WINDOW = 128;
    /** eth_getLogs confirms the subscription at least every 4 blocks or 2 s. */
    private static final long CONFIRM_BLOCKS = 4;
    private static final long CONFIRM_NANOS = 2_000_000_000L;
    /** Notifications waiting for the worker at most (a log notification is a few KB). */
    static final int EVENT_CAPACITY = 4096;
    private long lastConfirm;
    private long lastFinalizedCheck;
    private long lastHead = -1;
    private static final long DROP_WARNING_NANOS = 10_000_000_000L;
    private long lastDropWarning;

    /** Where the block cursor is kept. */
    public interface Cursor {
        OptionalLong load();

        void save(long block);
    }

    /** The state of a fill the feed has seen. */
    public enum FillState { SEEN, REMOVED, FINAL }

    /** Tunables; see application.properties {@code copytrader.chain.*}. */
    public record Options(URI url, int blocksPerGetLogs, long initialLookbackBlocks, Duration requestTimeout,
                          Duration reconnectInitial, Duration reconnectMax) {
    }

    private record Entry(ChainFill fill, FillState state) {
    }

    private sealed interface Event permits Head, Log, Closed {
    }

    private record Head(long number, String hash, String parentHash, Instant time) implements Event {
    }

    private record Log(JsonNode log) implements Event {
    }

    private record Closed(String why) implements Event {
    }

    private final Options options;
    private final OrderFilledDecoder decoder;
    private final ChainFillSink sink;
    private final Cursor cursorStore;
    private final Clock clock;
    private final HttpClient http;
    private final BlockingQueue<Event> events;
    private final int eventCapacity;
    /** Set when a notification was dropped (the queue full): the worker reads the blocks again up to the head. */
    private final AtomicBoolean overflowed = new AtomicBoolean();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong workerErrors = new AtomicLong();
    /** Failed connections or loops since the feed was last live. */
    private final AtomicLong failuresInARow = new AtomicLong();
    private volatile String lastFailure = "";
    /** What ended the worker while it was meant to run; null while it runs or after close. */
    private volatile Throwable stoppedBy;
    /** Guards {@link #index}; never held while waiting (start and close hold the feed's own monitor). */
    private final Object indexLock = new Object();
    private final Map<String, Entry> index = new LinkedHashMap<>();
    private final Map<String, Instant> blockTimes = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Instant> eldest) {
            return size() > 4096;
        }
    };
    private final Map<Long, String> headHashes = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, String> eldest) {
            return size() > 256;
        }
    };
    private final AtomicLong connects = new AtomicLong();
    private volatile long cursor = -1;
    private volatile long finalized = -1;
    private volatile long head = -1;
    private volatile boolean running;
    private volatile boolean live;
    private volatile JsonRpcWebSocket rpc;
    private Thread worker;

    public ChainFeed(Options options, OrderFilledDecoder decoder, ChainFillSink sink, Cursor cursor, Clock clock) {
        this(options, decoder, sink, cursor, clock, EVENT_CAPACITY);
    }

    /** @param eventCapacity notifications waiting for the worker at most */
    ChainFeed(Options options, OrderFilledDecoder decoder, ChainFillSink sink, Cursor cursor, Clock clock,
              int eventCapacity) {
        this.eventCapacity = eventCapacity;
        this.events = new LinkedBlockingQueue<>(eventCapacity);
        this.options = options;
        this.decoder = decoder;
        this.sink = sink;
        this.cursorStore = cursor;
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(options.requestTimeout()).build();
    }

    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        worker = new Thread(this::run, "chain-feed");
        worker.setDaemon(true);
        worker.start();
    }

    /** Stops the worker; what was handed over is handled, the cursor says where to resume. */
    @Override
    public synchronized void close() {
        running = false;
        JsonRpcWebSocket r = rpc;
        if (r != null) {
            r.close();
        }
        if (worker != null) {
            worker.interrupt();
            try {
                worker.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            worker = null;
        }
    }

    /** True while subscribed and caught up to the last head seen. */
    public boolean isLive() {
        return live;
    }

    /** Every log up to this block was handed over; -1 before the first start. */
    public long cursor() {
        return cursor;
    }

    public long finalizedBlock() {
        return finalized;
    }

    public long head() {
        return head;
    }

    /**
     * What ended the worker while it was meant to run (an error it cannot survive): chain detection is down until the
     * engine restarts. Empty while it runs, and after {@link #close}.
     */
    public Optional<Throwable> stoppedBy() {
        return Optional.ofNullable(stoppedBy);
    }

    /** Errors (not exceptions) the worker survived: the fill being handed over was read again. */
    public long workerErrors() {
        return workerErrors.get();
    }

    /** Connections or loops that failed since the feed was last live (0 while it is). */
    public long failuresInARow() {
        return failuresInARow.get();
    }

    /** The last failure counted by {@link #failuresInARow()}: its class and message ("" before any). */
    public String lastFailure() {
        return lastFailure;
    }

    /** Notifications waiting for the worker now. */
    public int pendingEvents() {
        return events.size();
    }

    /** Notifications at most in the queue. */
    public int eventCapacity() {
        return eventCapacity;
    }

    /**
     * Notifications not handled one by one because the queue filled up: dropped when it was full, and those still
     * queued when the worker then read their blocks with eth_getLogs instead.
     */
    public long droppedEvents() {
        return dropped.get();
    }

    /** How many times a connection was opened (1 after the first). */
    public long connects() {
        return connects.get();
    }

    public Optional<FillState> state(String identity) {
        synchronized (indexLock) {
            Entry e = index.get(identity);
            return e == null ? Optional.empty() : Optional.of(e.state());
        }
    }

    /** Closes the current connection as a network failure would; the feed reconnects and backfills. */
    public void dropConnection() {
        JsonRpcWebSocket r = rpc;
        if (r != null) {
            r.close();
        }
    }

    private void run() {
        try {
            work();
        } catch (Throwable t) {
            // what the worker cannot survive: said first (the log line may fail as well, out of memory), then logged
            if (running) {
                stoppedBy = t;
            }
            live = false;
            LOG.error("Chain detection stopped: the chain feed's worker ended on {}; no fill of the chain is detected "
                    + "until the engine restarts", t.toString(), t);
            throw t;
        }
    }

    /**
     * True for an {@link Error} the worker can go on after, once the stack is unwound to here: the sink's (or a
     * library's) broken assertion, a class that cannot be loaded, a stack overflow. Not the JVM's other failures
     * (out of memory, an internal error), after which nothing it does can be trusted.
     */
    static boolean survivable(Error e) {
        return !(e instanceof VirtualMachineError) || e instanceof StackOverflowError;
    }

    private void work() {
        Duration backoff = options.reconnectInitial();
        while (running) {
            try {
                connect();
                backoff = options.reconnectInitial();
                loop();
            } catch (IOException | RuntimeException e) {
                live = false;
                if (!running) {
                    break;
                }
                failed(e);
                LOG.warn("Chain feed ({}) lost: {}; reconnecting in {} ms", host(), e.getMessage(), backoff.toMillis());
            } catch (Error e) {
                live = false;
                if (!survivable(e)) {
                    throw e;
                }
                if (!running) {
                    break;
                }
                // as an exception from the sink: the fill was not taken, the backfill of the reconnect reads it again
                workerErrors.incrementAndGet();
                failed(e);
                LOG.error("Chain feed: {} while reading or handing over a fill; the blocks from {} are read again in "
                        + "{} ms", e.toString(), cursor, backoff.toMillis(), e);
            } catch (InterruptedException e) {
                break;
            } finally {
                live = false;
                JsonRpcWebSocket r = rpc;
                if (r != null) {
                    r.close();
                }
            }
            try {
                Thread.sleep(backoff.toMillis());
            } catch (InterruptedException e) {
                break;
            }
            backoff = backoff.multipliedBy(2).compareTo(options.reconnectMax()) > 0 ? options.reconnectMax() : backoff.multipliedBy(2);
        }
        LOG.info("Chain feed stopped at block {}", cursor);
    }

    private void failed(Throwable e) {
        failuresInARow.incrementAndGet();
        lastFailure = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    /**
     * A notification for the worker, on the WebSocket's thread, which never waits: with the queue full it is dropped
     * and the worker reads the blocks again up to the head (a Closed dropped so is found by that reading's first call).
     */
    private void enqueue(Event event) {
        if (!events.offer(event)) {
            dropped.incrementAndGet();
            overflowed.set(true);
        }
    }

    private void connect() throws IOException {
        events.clear();
        overflowed.set(false); // what was dropped before is read again below
        JsonRpcWebSocket r = JsonRpcWebSocket.connect(http, options.url(), options.requestTimeout(), new JsonRpcWebSocket.Listener() {
            @Override
            public void onNotification(String subscription, JsonNode result) {
                enqueue(result.has("topics") ? new Log(result) : head(result));
            }

            @Override
            public void onClosed(String why) {
                enqueue(new Closed(why));
            }
        });
        rpc = r;
        connects.incrementAndGet();
        r.subscribe("newHeads");
        r.subscribe("logs", filter(null, null));
        long latest = ChainLog.quantity(r.call("eth_blockNumber").asText(), "eth_blockNumber");
        if (cursor < 0) {
            OptionalLong stored = cursorStore.load();
            cursor = stored.isPresent() ? stored.getAsLong() : Math.max(-1, latest - options.initialLookbackBlocks());
            if (stored.isEmpty()) {
                cursorStore.save(cursor);
            }
        }
        LOG.info("Chain feed connected to {} at block {}; cursor {}, {} block(s) to backfill", host(), latest, cursor,
                Math.max(0, latest - cursor));
        resync(latest);
        live = true;
        failuresInARow.set(0);
    }

    /**
     * What may have happened while the node's notifications were not heard (away, or dropped from a full queue): a
     * reorg, and blocks not read. Checks the recent fills and heads against the node's chain and reads every block
     * from the cursor to {@code latest}, the node's head now.
     */
    private void resync(long latest) throws IOException {
        // the node's chain now, though heads past it were seen before (a reorg to a shorter chain while away, a node
        // behind the last one): catching up to a number with no block yet would move the cursor past it unread
        head = latest;
        reconcileRecentFills(); // a reorg while we were away
        if (lastHead >= 0) {
            // and the blocks it replaced that held no fill of ours: their replacements may
            long from = replacedDownFrom(lastHead, Math.max(finalized, lastHead - REORG_WINDOW));
            if (from <= lastHead) {
                // a reorg while we were away, or a node behind the last one
                LOG.warn("The node no longer has the blocks seen from block {} (head {}): reading them again", from,
                        latest);
                stepBack(from);
            }
            headHashes.keySet().removeIf(n -> n > latest);
            lastHead = Math.min(lastHead, latest);
        }
        catchUp(latest);
    }

    /**
     * After notifications were dropped: the heads and logs still queued are passed over too (the reading below covers
     * them; a Closed stays), then the blocks up to the node's head now are read as after a reconnect.
     */
    private void recoverDropped() throws IOException {
        int passedOver = 0;
        for (Iterator<Event> it = events.iterator(); it.hasNext(); ) {
            if (!(it.next() instanceof Closed)) {
                it.remove();
                passedOver++;
            }
        }
        dropped.addAndGet(passedOver);
        // asked after the queue was emptied: every notification passed over was of a block at or below it
        long latest = ChainLog.quantity(rpc.call("eth_blockNumber").asText(), "eth_blockNumber");
        long now = System.nanoTime();
        if (now - lastDropWarning >= DROP_WARNING_NANOS || lastDropWarning == 0) { // once in a while in a long flood
            lastDropWarning = now;
            LOG.warn("Chain feed: notifications dropped ({} so far; the queue of {} was full: the engine is slower "
                    + "than the node); reading blocks {} to {} with eth_getLogs instead", dropped.get(), eventCapacity,
                    cursor + 1, latest);
        }
        resync(latest);
    }

    private void loop() throws IOException, InterruptedException {
        while (running) {
            if (overflowed.getAndSet(false)) {
                recoverDropped();
            }
            Event event = events.poll(500, TimeUnit.MILLISECONDS);
            if (event == null) {
                // quiet: confirm up to the last head now, and look at finality when due
                if (cursor < head) {
                    catchUp(head);
                    lastConfirm = System.nanoTime();
                }
                if (System.nanoTime() - lastFinalizedCheck >= CONFIRM_NANOS) {
                    refreshFinalized();
                    lastFinalizedCheck = System.nanoTime();
                }
            } else if (event instanceof Closed c) {
                throw new IOException("connection " + c.why());
            } else if (event instanceof Head h) {
                if (h.number() < 0) {
                    continue;
                }
                if (head >= 0 && h.number() > head + 1 && !h.hash().equals(canonicalHash(h.number()))) {
                    // past the next block after the newest the node has shown, and the node has no block under that
                    // number and hash (a number far ahead: a broken node or proxy). Catching up to it would move the
                    // cursor past blocks still to come, unread, since a node may answer no logs for them
                    LOG.warn("Chain feed: head {} announced, but the node has no such block: passed over (newest head "
                            + "{})", h.number(), head);
                    continue;
                }
                String known = headHashes.get(h.number());
                String parent = headHashes.get(h.number() - 1);
                boolean reorg = (known != null && !known.equals(h.hash())) || (parent != null && !parent.equals(h.parentHash()));
                long gapFrom = Long.MAX_VALUE;
                if (!reorg && parent == null && lastHead >= 0 && h.number() > lastHead + 1) {
                    // heads were not announced: the last one seen may have been replaced with them (a node may
                    // announce only the new tip of a reorg)
                    gapFrom = replacedDownFrom(lastHead, Math.max(finalized, h.number() - REORG_WINDOW));
                    reorg = gapFrom <= lastHead;
                }
                headHashes.put(h.number(), h.hash());
                head = Math.max(head, h.number());
                if (h.time() != null) {
                    blockTimes.put(h.hash(), h.time());
                }
                if (reorg) {
                    LOG.warn("Chain reorg at block {}: checking the fills of the replaced blocks", h.number());
                    reconcileRecentFills();
                    // the replaced blocks are read again whether or not they held a fill of ours: their replacements
                    // may, and the cursor may have confirmed those numbers already
                    stepBack(Math.min(gapFrom, replacedFrom(h.number())));
                    head = h.number(); // a shorter chain: the numbers past it have no block now
                    headHashes.keySet().removeIf(n -> n > h.number());
                }
                // the subscription detects; eth_getLogs confirms (moves the cursor) every few blocks or seconds,
                // and at once after a reorg or a gap in the heads
                long now = System.nanoTime();
                if (reorg || h.number() - cursor >= CONFIRM_BLOCKS || now - lastConfirm >= CONFIRM_NANOS
                        || (lastHead >= 0 && h.number() > lastHead + 1)) {
                    catchUp(h.number());
                    lastConfirm = now;
                }
                lastHead = h.number();
                if (now - lastFinalizedCheck >= CONFIRM_NANOS) {
                    refreshFinalized();
                    lastFinalizedCheck = now;
                }
            } else if (event instanceof Log l) {
                handle(l.log());
            }
        }
    }

    /** Reads and hands over every log from the cursor to {@code to}, in bounded ranges, moving the cursor on. */
    private void catchUp(long to) throws IOException {
        while (cursor < to) {
            long from = cursor + 1;
            long end = Math.min(to, from + options.blocksPerGetLogs() - 1);
            JsonNode logs = rpc.call("eth_getLogs", filter(from, end));
            if (!logs.isArray()) {
                // a broken answer: the range is read again on a new connection, never passed over
                throw new IOException("eth_getLogs answered " + logs.getNodeType() + " for blocks " + from + " to " + end
                        + ", not a list of logs");
            }
            List<JsonNode> sorted = new ArrayList<>();
            logs.forEach(sorted::add);
            sorted.sort(Comparator.comparingLong((JsonNode n) -> sortKey(n, "blockNumber"))
                    .thenComparingLong(n -> sortKey(n, "logIndex")));
            for (JsonNode log : sorted) {
                handle(log);
            }
            cursor = end;
            cursorStore.save(end);
        }
    }

    /** A log's block number or log index; an unreadable one sorts first and is passed over as unreadable. */
    private static long sortKey(JsonNode log, String field) {
        try {
            return ChainLog.quantity(log.path(field).asText("0x0"), field);
        } catch (IllegalArgumentException e) {
            return -1;
        }
    }

    /** Hands a log's fill over, or its removal or re-inclusion; a fill seen before is not handed over again. */
    private void handle(JsonNode json) throws IOException {
        ChainLog log;
        try {
            log = ChainLog.parse(json);
        } catch (IllegalArgumentException e) {
            LOG.warn("Unreadable log from the node: {}", e.getMessage());
            return;
        }
        Optional<ChainFill> decoded;
        try {
            decoded = decoder.decode(log, blockTime(json, log), clock.instant());
        } catch (IllegalArgumentException e) {
            sink.onMalformed(log, e.getMessage());
            return;
        }
        if (decoded.isEmpty()) {
            return;
        }
        ChainFill fill = decoded.get();
        Entry known;
        synchronized (indexLock) {
            known = index.get(fill.identity());
        }
        if (log.removed()) {
            if (log.blockNumber() <= reorgFloor()) {
                // no reorg reaches that deep: a broken node's word, which would take back a fill that stands and
                // read the chain again from that block
                LOG.warn("The node says block {} was removed, at or below the reorg window (head {}, finalized {}): "
                        + "passed over", log.blockNumber(), head, finalized);
                return;
            }
            if (known != null && known.state() == FillState.SEEN) {
                sink.onRemoved(fill);
                put(fill, FillState.REMOVED);
            }
            if (log.blockNumber() <= cursor) {
                // the replacing blocks must be read again
                cursor = log.blockNumber() - 1;
                cursorStore.save(cursor);
            }
            // the node's chain no longer reaches this block until its replacement comes (whose head raises this
            // again): catching up meanwhile to the head seen before would move the cursor past a number with no
            // block yet, and the replacing block's logs would be left to the subscription alone
            head = Math.min(head, log.blockNumber() - 1);
            return;
        }
        if (known == null) {
            sink.onFill(fill); // indexed only once handled: if the engine failed, the fill is read again
            put(fill, FillState.SEEN);
            return;
        }
        if (known.state() == FillState.REMOVED) {
            sink.onReincluded(fill);
            put(fill, FillState.SEEN);
        }
    }

    /**
     * A reorg seen in the heads (a node need not send {@code removed: true} logs; anvil does not): every fill not
     * yet final whose block the node no longer has under that number is removed, and the cursor steps back before
     * the oldest such block so the replacing blocks are read again.
     */
    private void reconcileRecentFills() throws IOException {
        List<ChainFill> recent;
        synchronized (indexLock) {
            recent = index.values().stream().filter(e -> e.state() == FillState.SEEN).map(Entry::fill)
                    .filter(f -> f.log().blockNumber() > reorgFloor()).toList();
        }
        Map<Long, String> canonical = new java.util.HashMap<>();
        long oldestGone = Long.MAX_VALUE;
        for (ChainFill fill : recent) {
            long number = fill.log().blockNumber();
            String hash = canonical.computeIfAbsent(number, n -> canonicalHash(n));
            if (!fill.log().blockHash().equals(hash)) {
                sink.onRemoved(fill);
                put(fill, FillState.REMOVED);
                oldestGone = Math.min(oldestGone, number);
            }
        }
        if (oldestGone <= cursor) {
            cursor = oldestGone - 1;
            cursorStore.save(cursor);
        }
    }

    /** No reorg reaches a block at or below this: the finalized block, or the reorg window below the head. */
    private long reorgFloor() {
        return Math.max(finalized, head - REORG_WINDOW);
    }

    /**
     * The lowest number a reorg whose new head is {@code number} replaced: that number, and each one below it whose
     * head we saw under a hash the node no longer has there (down to the finalized block, within the reorg window).
     */
    private long replacedFrom(long number) {
        return Math.min(number, replacedDownFrom(number - 1, Math.max(finalized, number - REORG_WINDOW)));
    }

    /**
     * The lowest of {@code top} and the numbers below it, down to above {@code floor}, whose head we saw under a
     * hash the node no longer has there, walking down while they differ; {@code top + 1} when {@code top}'s head is
     * still there (or was not seen). The heads seen are set to the node's.
     */
    private long replacedDownFrom(long top, long floor) {
        long from = top + 1;
        for (long n = top; n > floor; n--) {
            String seen = headHashes.get(n);
            String now = seen == null ? null : canonicalHash(n);
            if (seen == null || seen.equals(now)) {
                break;
            }
            headHashes.put(n, now);
            from = n;
        }
        return from;
    }

    /** Moves the cursor back before {@code block} if it was past it, so that block is read again. */
    private void stepBack(long block) {
        if (block <= cursor) {
            cursor = block - 1;
            cursorStore.save(cursor);
        }
    }

    private String canonicalHash(long number) {
        try {
            JsonNode block = rpc.call("eth_getBlockByNumber", ChainLog.quantity(number), false);
            return block == null || block.isNull() ? "" : block.path("hash").asText();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void put(ChainFill fill, FillState state) {
        synchronized (indexLock) {
            index.put(fill.identity(), new Entry(fill, state));
            if (index.size() > MAX_INDEX) {
                Iterator<Entry> it = index.values().iterator();
                it.next();
                it.remove();
            }
        }
    }

    private void refreshFinalized() throws IOException {
        JsonNode block = rpc.call("eth_getBlockByNumber", "finalized", false);
        if (block == null || block.isNull() || !block.has("number")) {
            return;
        }
        long f = ChainLog.quantity(block.get("number").asText(), "finalized");
        if (f <= finalized) {
            return;
        }
        finalized = f;
        synchronized (indexLock) {
            index.replaceAll((id, e) -> e.state() == FillState.SEEN && e.fill().log().blockNumber() <= f
                    ? new Entry(e.fill(), FillState.FINAL) : e);
        }
    }

    private Instant blockTime(JsonNode json, ChainLog log) throws IOException {
        JsonNode ts = json.get("blockTimestamp");
        if (ts != null && ts.isTextual()) {
            return ChainLog.epochSecond(ts.asText(), "blockTimestamp");
        }
        Instant known = blockTimes.get(log.blockHash());
        if (known != null) {
            return known;
        }
        JsonNode block = rpc.call("eth_getBlockByHash", log.blockHash(), false);
        if (block == null || block.isNull()) {
            // the block is gone (a reorg): date the fill now; a removal follows
            return clock.instant();
        }
        Instant time = ChainLog.epochSecond(block.path("timestamp").asText(), "timestamp");
        blockTimes.put(log.blockHash(), time);
        return time;
    }

    private static Event head(JsonNode result) {
        try {
            return new Head(ChainLog.quantity(result.path("number").asText(), "number"), result.path("hash").asText(),
                    result.path("parentHash").asText(),
                    ChainLog.epochSecond(result.path("timestamp").asText(), "timestamp"));
        } catch (IllegalArgumentException e) {
            return new Head(-1, "", "", null);
        }
    }

    /** The logs filter of contract 2.8: the exchanges, topic0 OrderFilled, maker (topic 2) one of the targets. */
    private ObjectNode filter(Long from, Long to) {
        ObjectNode f = JsonRpcWebSocket.MAPPER.createObjectNode();
        ArrayNode addresses = f.putArray("address");
        decoder.exchanges().stream().sorted().forEach(addresses::add);
        ArrayNode topics = f.putArray("topics");
        topics.addArray().add(OrderFilledDecoder.ORDER_FILLED);
        topics.addNull();
        ArrayNode makers = topics.addArray();
        decoder.targetAddresses().stream().sorted().map(OrderFilledDecoder::addressTopic).forEach(makers::add);
        if (from != null) {
            f.put("fromBlock", ChainLog.quantity(from));
            f.put("toBlock", ChainLog.quantity(to));
        }
        return f;
    }

    /** The node's host only: a provider URL often carries an API key in its path or query. */
    String host() {
        return options.url().getScheme() + "://" + options.url().getHost() + (options.url().getPort() > 0 ? ":" + options.url().getPort() : "");
    }
}
