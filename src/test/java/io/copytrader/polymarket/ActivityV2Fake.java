package io.copytrader.polymarket;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * A stateful fake of the Data API v2's {@code GET /v2/activity} on a loopback port, with the awkward behaviours of the
 * real one (docs/polymarket-feed.md, "Data API v2") that a poller has to survive:
 * <ul>
 *   <li>a {@code {data, pagination}} envelope, snake_case rows, amounts as decimal strings with trailing zeros;</li>
 *   <li>rows in {@code (block_timestamp, sequence_id)} order, DESC unless {@code sort_direction=ASC};
 *       {@code start}/{@code end} inclusive epoch seconds; {@code has_more} exact, {@code next_cursor} null at the
 *       end of the walk;</li>
 *   <li><b>keyset cursors</b>: opaque, carrying the last row's key, the direction and the filters they were minted
 *       under. A resumed walk <b>adopts the cursor's direction</b> whatever {@code sort_direction} says; a cursor sent
 *       with other filters, or one not minted here, is answered 400;</li>
 *   <li><b>cursor expiry</b>: {@link #expireCursors()} makes every cursor minted so far answered 400;</li>
 *   <li><b>limit cap</b>: default 100, above 1000 answered 400 (not clamped);</li>
 *   <li><b>late indexing</b>: a row is served only once {@link #index indexed}; its sequence id is the order of
 *       indexing, so a row indexed late with an older block second sorts before rows already read;</li>
 *   <li><b>short pages</b>: with {@link #shortPages}, pages come back with fewer rows than asked while
 *       {@code has_more} is still true (the docs: a short page does not mean the walk is over);</li>
 *   <li><b>429</b>: {@link #refuseNext} answers that many requests 429 with {@code Retry-After: 0}.</li>
 * </ul>
 * Every row is a TRADE of the one target; {@link #requests} counts the requests answered.
 */
final class ActivityV2Fake implements AutoCloseable {
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;
    private static final Pattern USER = Pattern.compile("0x[a-fA-F0-9]{40}");

    /** A row's key: its block second and its sequence id (the order it was indexed in). */
    private record Row(long ts, long seq, String tx) {
        int compareKey(long ts2, long seq2) {
            return ts != ts2 ? Long.compare(ts, ts2) : Long.compare(seq, seq2);
        }
    }

    private final HttpServer server;
    private final String wallet;
    private final String asset;
    private final List<Row> indexed = new ArrayList<>();
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private final AtomicInteger cursorsRefused = new AtomicInteger();
    private final AtomicInteger toRefuse = new AtomicInteger();
    private final List<String> urls = new ArrayList<>();
    private long sequence;
    private int txCounter;
    private int cursorEpoch;
    private volatile boolean shortPages;

    private ActivityV2Fake(String wallet, String asset) throws IOException {
        this.wallet = wallet;
        this.asset = asset;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v2/activity", this::answer);
        server.start();
    }

    static ActivityV2Fake start(String wallet, String asset) {
        try {
            return new ActivityV2Fake(wallet, asset);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String url() {
        return "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort();
    }

    /** Indexes {@code count} new fills of this block second; returns their transaction hashes. */
    synchronized List<String> index(long ts, int count) {
        List<String> txs = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String tx = "0x" + String.format("%064x", ++txCounter);
            indexed.add(new Row(ts, ++sequence, tx));
            txs.add(tx);
        }
        return txs;
    }

    /** Every cursor minted so far is answered 400 from now on. */
    synchronized void expireCursors() {
        cursorEpoch++;
    }

    void shortPages(boolean on) {
        shortPages = on;
    }

    /** The next {@code count} requests are answered 429. */
    void refuseNext(int count) {
        toRefuse.set(count);
    }

    int requests() {
        return requests.get();
    }

    /** Requests answered 429. */
    int refused() {
        return refused.get();
    }

    /** Requests whose cursor was refused (400). */
    int cursorsRefused() {
        return cursorsRefused.get();
    }

    synchronized List<String> urls() {
        return List.copyOf(urls);
    }

    private void answer(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        synchronized (this) {
            urls.add(exchange.getRequestURI().toString());
        }
        if (toRefuse.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            refused.incrementAndGet();
            exchange.getResponseHeaders().add("Retry-After", "0");
            reply(exchange, 429, "{\"error\":\"too many requests\"}");
            return;
        }
        Map<String, String> q = query(exchange.getRequestURI().getRawQuery());
        String user = q.get("user");
        if (user == null || !USER.matcher(user).matches()) {
            reply(exchange, 400, "{\"error\":\"user is required\"}");
            return;
        }
        int limit = Integer.parseInt(q.getOrDefault("limit", Integer.toString(DEFAULT_LIMIT)));
        if (limit < 0 || limit > MAX_LIMIT) {
            reply(exchange, 400, "{\"error\":\"limit must be in [0, " + MAX_LIMIT + "]\"}");
            return;
        }
        if (q.containsKey("offset")) {
            reply(exchange, 400, "{\"error\":\"offset is not a parameter: pagination is cursor-only\"}");
            return;
        }
        long start = Long.parseLong(q.getOrDefault("start", "0"));
        long end = Long.parseLong(q.getOrDefault("end", "0"));
        long endOrMax = end == 0 ? Long.MAX_VALUE : end;
        String filters = user.toLowerCase() + "|" + q.getOrDefault("type", "") + "|" + start + "|" + end;
        boolean asc = "ASC".equals(q.get("sort_direction"));
        long anchorTs = asc ? Long.MIN_VALUE : Long.MAX_VALUE;
        long anchorSeq = anchorTs;
        String cursor = q.get("cursor");
        List<Row> matching;
        int epoch;
        synchronized (this) {
            epoch = cursorEpoch;
            if (cursor != null) {
                String[] parts = decode(cursor);
                if (parts == null || !parts[4].equals(Integer.toString(filters.hashCode()))
                        || !parts[3].equals(Integer.toString(cursorEpoch))) {
                    cursorsRefused.incrementAndGet();
                    reply(exchange, 400, "{\"error\":\"invalid or expired cursor\"}");
                    return;
                }
                asc = parts[0].equals("ASC"); // the resume adopts the direction the cursor was minted under
                anchorTs = Long.parseLong(parts[1]);
                anchorSeq = Long.parseLong(parts[2]);
            }
            matching = new ArrayList<>(indexed.stream().filter(r -> r.ts() >= start && r.ts() <= endOrMax).toList());
        }
        if (!user.equalsIgnoreCase(wallet)) {
            matching.clear();
        }
        boolean ascending = asc;
        long aTs = anchorTs;
        long aSeq = anchorSeq;
        matching.sort((a, b) -> ascending ? a.compareKey(b.ts(), b.seq()) : b.compareKey(a.ts(), a.seq()));
        List<Row> after = matching.stream()
                .filter(r -> ascending ? r.compareKey(aTs, aSeq) > 0 : r.compareKey(aTs, aSeq) < 0).toList();
        int size = Math.min(after.size(), shortPages && limit > 1 ? limit / 2 : limit);
        List<Row> page = after.subList(0, size);
        boolean hasMore = after.size() > size;
        String next = hasMore ? encode(ascending, page.isEmpty() ? aTs : page.get(size - 1).ts(),
                page.isEmpty() ? aSeq : page.get(size - 1).seq(), epoch, filters) : null;
        StringBuilder body = new StringBuilder("{\"data\":[");
        for (int i = 0; i < page.size(); i++) {
            Row r = page.get(i);
            body.append(i == 0 ? "" : ",").append(row(wallet, r.tx(), r.ts(), asset, "BUY", "1.000000", "0.500000"));
        }
        body.append("],\"pagination\":{\"has_more\":").append(hasMore).append(",\"next_cursor\":")
                .append(next == null ? "null" : "\"" + next + "\"").append("}}");
        reply(exchange, 200, body.toString());
    }

    /** A v2 activity row, snake_case as the v2 routes answer; size and price as given (decimal strings). */
    static String row(String wallet, String tx, long ts, String tokenId, String side, String size, String price) {
        return "{\"proxy_wallet\":\"" + wallet + "\",\"timestamp\":" + ts + ",\"condition_id\":\"0x" + "cd".repeat(32)
                + "\",\"type\":\"TRADE\",\"size\":\"" + size + "\",\"usdc_size\":\"0.5\",\"transaction_hash\":\"" + tx
                + "\",\"price\":\"" + price + "\",\"token_id\":\"" + tokenId + "\",\"side\":\"" + side
                + "\",\"outcome_index\":0,\"outcome\":\"Yes\",\"title\":\"Will it?\"}";
    }

    private static String encode(boolean asc, long ts, long seq, int epoch, String filters) {
        String plain = (asc ? "ASC" : "DESC") + "|" + ts + "|" + seq + "|" + epoch + "|" + filters.hashCode();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
    }

    private static String[] decode(String cursor) {
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("\\|");
            if (parts.length != 5 || !(parts[0].equals("ASC") || parts[0].equals("DESC"))) {
                return null;
            }
            Long.parseLong(parts[1]);
            Long.parseLong(parts[2]);
            return parts;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    q.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return q;
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
