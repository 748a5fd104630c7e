package io.copytrader.scenario;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A pass-through HTTP server on loopback in front of the paper venue that answers chosen feed page requests (the n-th
 * since it started, counted over every {@code GET /feed/...}) with 503, as the venue's feed outage does, and forwards
 * everything else as it is. The venue's own outage fault hits the next request, whichever page of a poll it is; this
 * picks the page.
 */
final class FeedOutageProxy implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final HttpClient client = HttpClient.newHttpClient();
    private final AtomicInteger feedRequests = new AtomicInteger();
    private final Set<Integer> failing = ConcurrentHashMap.newKeySet();
    private volatile String upstream;

    FeedOutageProxy() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://" + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort();
    }

    /** Where requests go: the venue's base URL. */
    void forwardTo(String baseUrl) {
        upstream = baseUrl;
    }

    /** Feed page requests so far. */
    int feedRequests() {
        return feedRequests.get();
    }

    /** Answers the {@code number}-th feed page request (counted from the start, 1 the first) with 503. */
    void failFeedRequest(int number) {
        failing.add(number);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            URI uri = exchange.getRequestURI();
            String pathAndQuery = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
            if (uri.getRawPath().startsWith("/feed/") && failing.contains(feedRequests.incrementAndGet())) {
                reply(exchange, 503, "application/json",
                        "{\"error\":\"FEED_OUTAGE\",\"message\":\"feed unavailable\"}".getBytes(StandardCharsets.UTF_8));
                return;
            }
            byte[] body = exchange.getRequestBody().readAllBytes();
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(upstream + pathAndQuery))
                    .method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(body));
            String type = exchange.getRequestHeaders().getFirst("Content-Type");
            if (type != null) {
                request.header("Content-Type", type);
            }
            HttpResponse<byte[]> answer;
            try {
                answer = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            answer.headers().firstValue("Retry-After").ifPresent(v -> exchange.getResponseHeaders().add("Retry-After", v));
            reply(exchange, answer.statusCode(), answer.headers().firstValue("Content-Type").orElse(null), answer.body());
        }
    }

    private static void reply(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        if (type != null) {
            exchange.getResponseHeaders().add("Content-Type", type);
        }
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            exchange.getResponseBody().write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
