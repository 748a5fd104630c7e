package io.copytrader.chain;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A minimal Ethereum JSON-RPC client over one WebSocket ({@code java.net.http}): blocking calls matched to their
 * answers by id, and subscription notifications handed to a listener on the socket's thread (which must not block).
 * Messages split into frames are joined before parsing. Numbers are read as BigDecimal/BigInteger, never double.
 */
public final class JsonRpcWebSocket implements AutoCloseable {
    static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);

    /** What the socket reports besides answers. Called on the socket's thread: hand over, do not block. */
    public interface Listener {
        void onNotification(String subscription, JsonNode result);

        /** The connection ended (closed by either side, or failed); called once. */
        void onClosed(String why);
    }

    /** A JSON-RPC error answer. */
    public static final class RpcException extends IOException {
        RpcException(String method, JsonNode error) {
            super(method + " failed: " + error.path("code").asText() + " " + error.path("message").asText());
        }
    }

    /** The longest message read (an eth_getLogs answer of a bounded range of blocks is far shorter). */
    static final int MAX_MESSAGE_CHARS = 32 * 1024 * 1024;

    private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Duration timeout;
    private final Listener listener;
    private final int maxMessageChars;
    private volatile WebSocket socket;

    private JsonRpcWebSocket(Duration timeout, Listener listener, int maxMessageChars) {
        this.timeout = timeout;
        this.listener = listener;
        this.maxMessageChars = maxMessageChars;
    }

    /**
     * Opens the socket. The URL may carry a provider key: it is never put in an exception message by this class.
     */
    public static JsonRpcWebSocket connect(HttpClient http, URI url, Duration timeout, Listener listener) throws IOException {
        return connect(http, url, timeout, listener, MAX_MESSAGE_CHARS);
    }

    /**
     * @param maxMessageChars a longer message ends the connection as a failure (a broken or hostile node's), not read
     *                        into memory
     */
    static JsonRpcWebSocket connect(HttpClient http, URI url, Duration timeout, Listener listener, int maxMessageChars)
            throws IOException {
        JsonRpcWebSocket rpc = new JsonRpcWebSocket(timeout, listener, maxMessageChars);
        try {
            rpc.socket = http.newWebSocketBuilder().connectTimeout(timeout).buildAsync(url, rpc.new Frames())
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while connecting");
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IOException("cannot open the WebSocket to " + url.getHost() + ": " + cause.getClass().getSimpleName());
        }
        return rpc;
    }

    /** Sends a request and waits for its result. */
    public JsonNode call(String method, Object... params) throws IOException {
        long id = ids.incrementAndGet();
        ObjectNode request = MAPPER.createObjectNode().put("jsonrpc", "2.0").put("id", id).put("method", method);
        ArrayNode p = request.putArray("params");
        for (Object param : params) {
            p.add(MAPPER.valueToTree(param));
        }
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        try {
            if (closed.get()) {
                throw new IOException("connection closed");
            }
            send(MAPPER.writeValueAsString(request));
            JsonNode reply = answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            JsonNode error = reply.get("error");
            if (error != null && !error.isNull()) {
                throw new RpcException(method, error);
            }
            JsonNode result = reply.get("result");
            if (result == null) {
                throw new IOException(method + ": the answer has neither a result nor an error");
            }
            return result;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(method + ": interrupted");
        } catch (ExecutionException e) {
            throw new IOException(method + ": " + e.getCause().getMessage());
        } catch (TimeoutException e) {
            throw new IOException(method + ": no answer within " + timeout.toMillis() + " ms");
        } finally {
            pending.remove(id);
        }
    }

    /** eth_subscribe; returns the subscription id. */
    public String subscribe(Object... params) throws IOException {
        return call("eth_subscribe", params).asText();
    }

    private synchronized void send(String text) throws IOException, InterruptedException {
        try {
            socket.sendText(text, true).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("cannot send: " + (e instanceof ExecutionException ? e.getCause().getClass().getSimpleName() : "timeout"));
        }
    }

    public boolean isOpen() {
        return !closed.get();
    }

    @Override
    public void close() {
        WebSocket s = socket;
        if (s != null) {
            s.abort();
        }
        ended("closed by us");
    }

    private void ended(String why) {
        if (closed.compareAndSet(false, true)) {
            pending.values().forEach(f -> f.completeExceptionally(new IOException("connection closed: " + why)));
            listener.onClosed(why);
        }
    }

    private void onMessage(String text) {
        JsonNode message;
        try {
            message = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            return; // not JSON: nothing we asked for
        }
        JsonNode id = message.get("id");
        if (id != null && id.canConvertToLong()) {
            CompletableFuture<JsonNode> f = pending.get(id.asLong());
            if (f != null) {
                f.complete(message);
            }
        } else if ("eth_subscription".equals(message.path("method").asText())) {
            JsonNode params = message.path("params");
            listener.onNotification(params.path("subscription").asText(), params.path("result"));
        }
    }

    /** Joins frames into messages. */
    private final class Frames implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            if (partial.length() + data.length() > maxMessageChars) {
                partial.setLength(0);
                partial.trimToSize();
                webSocket.abort();
                ended("failed: a message longer than " + maxMessageChars + " characters");
                return null;
            }
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                onMessage(text);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            ended("closed by the node (" + statusCode + ")");
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            ended("failed: " + error.getClass().getSimpleName());
        }
    }
}
