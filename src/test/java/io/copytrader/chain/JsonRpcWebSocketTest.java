package io.copytrader.chain;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The JSON-RPC client on a node that breaks the protocol ({@link FakeChainNode}): a call fails with a clear
 * IOException, never waits past its timeout and never takes a broken answer for a result; a message longer than it
 * reads ends the connection; the node's URL (which may carry a provider key) is never in a message.
 */
@Timeout(60)
class JsonRpcWebSocketTest {
    private static final String NOTIFICATION_HEAD =
            "{\"jsonrpc\":\"2.0\",\"method\":\"eth_subscription\",\"params\":{\"subscription\":\"0x1\",\"result\":\"";
    private static final String NOTIFICATION_TAIL = "\"}}";

    private final FakeChainNode node = FakeChainNode.start();
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<JsonNode> notifications = new CopyOnWriteArrayList<>();
    private final List<String> closed = new CopyOnWriteArrayList<>();
    private final JsonRpcWebSocket.Listener listener = new JsonRpcWebSocket.Listener() {
        @Override
        public void onNotification(String subscription, JsonNode result) {
            notifications.add(result);
        }

        @Override
        public void onClosed(String why) {
            closed.add(why);
        }
    };
    private JsonRpcWebSocket rpc;

    JsonRpcWebSocket connect(Duration timeout, int maxMessageChars) throws IOException {
        rpc = JsonRpcWebSocket.connect(http, node.url(), timeout, listener, maxMessageChars);
        return rpc;
    }

    @AfterEach
    void stop() {
        if (rpc != null) {
            rpc.close();
        }
        node.close();
    }

    /** A notification exactly {@code length} characters long. */
    static String notification(int length) {
        return NOTIFICATION_HEAD + "x".repeat(length - NOTIFICATION_HEAD.length() - NOTIFICATION_TAIL.length())
                + NOTIFICATION_TAIL;
    }

    @Test
    void shouldJoinAMessageAsLongAsItReadsAndEndTheConnectionOnALongerOne() throws IOException {
        connect(Duration.ofSeconds(5), 100_000);

        // sent in more than one frame
        node.send(notification(100_000));
        await().atMost(Duration.ofSeconds(10)).until(() -> notifications.size() == 1);
        assertThat(notifications.get(0).asText()).hasSize(100_000 - NOTIFICATION_HEAD.length() - NOTIFICATION_TAIL.length());
        assertThat(closed).isEmpty();

        node.send(notification(100_001));
        await().atMost(Duration.ofSeconds(10)).until(() -> closed.size() == 1);
        assertThat(closed).containsExactly("failed: a message longer than 100000 characters");
        assertThat(notifications).hasSize(1);
        assertThat(rpc.isOpen()).isFalse();
        assertThatThrownBy(() -> rpc.call("eth_blockNumber")).isInstanceOf(IOException.class)
                .hasMessage("connection closed");
    }

    @Test
    void shouldFailACallTheNodeAnswersWithNeitherAResultNorAnErrorOrWithAnError() throws IOException {
        connect(Duration.ofSeconds(5), JsonRpcWebSocket.MAX_MESSAGE_CHARS);

        node.breakNext("eth_blockNumber", id -> "{\"jsonrpc\":\"2.0\",\"id\":" + id + "}");
        assertThatThrownBy(() -> rpc.call("eth_blockNumber")).isInstanceOf(IOException.class)
                .hasMessage("eth_blockNumber: the answer has neither a result nor an error");

        node.breakNext("eth_blockNumber", id -> "{\"jsonrpc\":\"2.0\",\"id\":" + id
                + ",\"error\":{\"code\":-32000,\"message\":\"header not found\"}}");
        assertThatThrownBy(() -> rpc.call("eth_blockNumber")).isInstanceOf(JsonRpcWebSocket.RpcException.class)
                .hasMessage("eth_blockNumber failed: -32000 header not found");

        assertThat(rpc.subscribe("newHeads")).as("the subscription's id").isEqualTo("0x1");
        // an error that is null is none; a result that is null is one
        node.breakNext("eth_blockNumber", id -> "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"error\":null,\"result\":\"0x5\"}");
        assertThat(rpc.call("eth_blockNumber").asText()).isEqualTo("0x5");
        assertThat(rpc.call("eth_getBlockByNumber", "0x9", false).isNull()).isTrue();
        assertThat(rpc.isOpen()).isTrue();
    }

    @Test
    void shouldTimeOutACallWhoseAnswerNeverComesOrIsNoJsonAndServeOn() throws IOException {
        connect(Duration.ofMillis(300), JsonRpcWebSocket.MAX_MESSAGE_CHARS);

        node.breakNext("eth_blockNumber", id -> null);
        assertThatThrownBy(() -> rpc.call("eth_blockNumber")).isInstanceOf(IOException.class)
                .hasMessage("eth_blockNumber: no answer within 300 ms");
        node.breakNext("eth_blockNumber", id -> "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":");
        assertThatThrownBy(() -> rpc.call("eth_blockNumber")).isInstanceOf(IOException.class)
                .hasMessage("eth_blockNumber: no answer within 300 ms");

        // an answer to no call is passed over; the next call gets its own answer
        node.send("{\"jsonrpc\":\"2.0\",\"id\":999,\"result\":\"0x7\"}");
        node.mine();
        node.mine();
        assertThat(rpc.call("eth_blockNumber").asText()).isEqualTo("0x2");
        assertThat(closed).isEmpty();
    }

    @Test
    void shouldFailAWaitingCallAtOnceWhenTheNodeEndsTheConnection() throws Exception {
        connect(Duration.ofSeconds(30), JsonRpcWebSocket.MAX_MESSAGE_CHARS);
        CountDownLatch asked = new CountDownLatch(1);
        node.breakNext("eth_blockNumber", id -> {
            asked.countDown();
            return null; // never answered
        });
        CompletableFuture<IOException> failure = CompletableFuture.supplyAsync(() -> {
            try {
                rpc.call("eth_blockNumber");
                return null;
            } catch (IOException e) {
                return e;
            }
        });
        assertThat(asked.await(10, TimeUnit.SECONDS)).isTrue();

        node.close();

        // well before the call's 30 s timeout
        assertThat(failure.get(10, TimeUnit.SECONDS)).hasMessageStartingWith("eth_blockNumber: connection closed: ");
        assertThat(closed).hasSize(1);
        assertThat(rpc.isOpen()).isFalse();
    }

    @Test
    void shouldEndTheConnectionWhenClosedAndSaySoOnce() throws IOException {
        connect(Duration.ofSeconds(5), JsonRpcWebSocket.MAX_MESSAGE_CHARS);
        await().atMost(Duration.ofSeconds(10)).until(() -> node.clients() == 1);

        rpc.close();
        rpc.close();

        await().atMost(Duration.ofSeconds(10)).until(() -> node.clients() == 0);
        assertThat(closed).containsExactly("closed by us");
        assertThat(rpc.isOpen()).isFalse();
    }

    @Test
    void shouldNameOnlyTheHostWhenTheNodeCannotBeReached() {
        URI url = node.url();
        node.close();

        assertThatThrownBy(() -> JsonRpcWebSocket.connect(http, url, Duration.ofSeconds(5), listener))
                .isInstanceOf(IOException.class).hasMessage("cannot open the WebSocket to 127.0.0.1: ConnectException");
        assertThat(closed).isEmpty();
    }
}
