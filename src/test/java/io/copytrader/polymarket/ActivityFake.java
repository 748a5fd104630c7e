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
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * A stateful fake of the Data API's {@code GET /activity} on a loopback port, with the awkward behaviours of the real
 * one (contract 2.1) that a feed poller has to survive:
 * <ul>
 *   <li>rows sorted by {@code timestamp} (epoch seconds), {@code sortDirection} DESC unless ASC is asked;
 *       {@code start} and {@code end} inclusive; {@code limit} clamped to 500; {@code offset} past 5000 answered
 *       400;</li>
 *   <li><b>ties</b>: rows of one second come in an order the docs do not give. Here it depends on the query's
 *       {@code start}, {@code end} and direction (the same query paged by offset keeps it; another window of the
 *       same second may not);</li>
 *   <li><b>late indexing</b>: a row is only served once {@link #index indexed}, which may be after rows with later
 *       timestamps were served;</li>
 *   <li><b>pages shift</b>: a page asked for by offset is cut from the rows indexed at the time of the request, so a
 *       row indexed between two pages moves the rows after it by one.</li>
 * </ul>
 * Every row is a TRADE of the one target; {@link #requests} counts the {@code /activity} requests answered.
 */
final class ActivityFake implements AutoCloseable {
    static final int MAX_LIMIT = 500;
    static final int MAX_OFFSET = 5000;
    private static final Pattern USER = Pattern.compile("0x[a-fA-F0-9]{40}");

    private record Row(long ts, String tx) {
    }

    private final HttpServer server;
    private final String wallet;
    private final String asset;
    private final List<Row> indexed = new ArrayList<>();
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger txCounter = new AtomicInteger();

    private ActivityFake(String wallet, String asset) throws IOException {
        this.wallet = wallet;
        this.asset = asset;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/activity", this::answer);
        server.start();
    }

    static ActivityFake start(String wallet, String asset) {
        try {
            return new ActivityFake(wallet, asset);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String url() {
        return "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort();
    }

    /** Indexes {@code count} new fills with this timestamp; returns their transaction hashes. */
    synchronized List<String> index(long ts, int count) {
        List<String> txs = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String tx = "0x" + String.format("%064x", txCounter.incrementAndGet());
            indexed.add(new Row(ts, tx));
            txs.add(tx);
        }
        return txs;
    }

    int requests() {
        return requests.get();
    }

    private void answer(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        Map<String, String> q = query(exchange.getRequestURI().getRawQuery());
        String user = q.get("user");
        if (user == null || !USER.matcher(user).matches()) {
            reply(exchange, 400, "{\"error\":\"invalid user\"}");
            return;
        }
        int limit = Math.min(MAX_LIMIT, Integer.parseInt(q.getOrDefault("limit", "100")));
        int offset = Integer.parseInt(q.getOrDefault("offset", "0"));
        if (offset > MAX_OFFSET) {
            reply(exchange, 400, "{\"error\":\"max historical activity offset of " + MAX_OFFSET + " exceeded\"}");
            return;
        }
        long start = Long.parseLong(q.getOrDefault("start", "0"));
        long end = Long.parseLong(q.getOrDefault("end", Long.toString(Long.MAX_VALUE)));
        boolean asc = "ASC".equals(q.get("sortDirection"));
        String direction = asc ? "ASC" : "DESC";
        List<Row> rows;
        synchronized (this) {
            rows = new ArrayList<>(indexed.stream().filter(r -> r.ts() >= start && r.ts() <= end).toList());
        }
        if (!user.equalsIgnoreCase(wallet)) {
            rows.clear();
        }
        Comparator<Row> byTime = asc ? Comparator.comparingLong(Row::ts) : Comparator.comparingLong(Row::ts).reversed();
        // ties in an order of this query's window, not of the rows' arrival: another window may order them otherwise
        rows.sort(byTime.thenComparingInt(r -> Objects.hash(r.tx(), start, end, direction)));
        List<Row> page = offset >= rows.size() ? List.of() : rows.subList(offset, Math.min(rows.size(), offset + limit));
        StringBuilder body = new StringBuilder("[");
        for (Row r : page) {
            if (body.length() > 1) {
                body.append(',');
            }
            body.append(PolymarketFake.activityRow(wallet, "TRADE", r.tx(), r.ts(), asset, "BUY", "1", "0.5"));
        }
        reply(exchange, 200, body.append(']').toString());
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
