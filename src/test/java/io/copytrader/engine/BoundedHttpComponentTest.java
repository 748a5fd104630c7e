package io.copytrader.engine;

import io.copytrader.scenario.EngineHarness;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.http.HttpComponent;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.hc.core5.http.MessageConstraintException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine's {@code http:} component reads an answer's head within bounds: a header line that never ends, or
 * headers without end, fail the send with an IOException (an unknown outcome: looked up, never resent) instead of
 * being read into memory until the heap runs out. And it is the component the engine runs, with every
 * {@code camel.component.http.*} setting applied to it as to camel-http's own.
 */
@Timeout(60)
class BoundedHttpComponentTest {

    @Test
    void shouldBeTheEnginesHttpComponentWithItsSettings() {
        try (EngineHarness h = EngineHarness.builder().set("copytrader.exchange.max-in-flight-orders", 37).start()) {
            HttpComponent http = h.context().getComponent("http", HttpComponent.class);
            assertThat(http).isInstanceOf(BoundedHttpComponent.class);
            assertThat(http.getConnectionsPerRoute()).isEqualTo(37);
            assertThat(http.getMaxTotalConnections()).isEqualTo(200);
            assertThat(http.isAutomaticRetriesDisabled()).isTrue();
            assertThat(http.isRedirectHandlingDisabled()).isTrue();
        }
    }

    @Test
    void shouldFailASendWhoseAnswerHasAHeaderLineThatNeverEnds() throws Exception {
        byte[] line = new byte[64 * 1024];
        Arrays.fill(line, (byte) 'a');
        assertSendFailsWithinBounds("HTTP/1.1 200 OK\r\nX-Broken: ", line);
    }

    @Test
    void shouldFailASendWhoseAnswerHasHeadersWithoutEnd() throws Exception {
        byte[] headers = "X-Again: 1\r\n".repeat(4096).getBytes(StandardCharsets.US_ASCII);
        assertSendFailsWithinBounds("HTTP/1.1 200 OK\r\n", headers);
    }

    /** A server that answers the head, then repeats {@code more} until the client hangs up. */
    private static void assertSendFailsWithinBounds(String head, byte[] more) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             CamelContext camel = new DefaultCamelContext()) {
            Thread answering = new Thread(() -> {
                try (Socket s = server.accept()) {
                    s.getInputStream().read(new byte[8192]); // the request's head
                    OutputStream out = s.getOutputStream();
                    out.write(head.getBytes(StandardCharsets.US_ASCII));
                    while (true) {
                        out.write(more);
                    }
                } catch (IOException hungUp) {
                    // the client stopped reading
                }
            });
            answering.start();
            camel.addComponent("http", new BoundedHttpComponent());
            camel.start();
            Exchange sent = camel.createProducerTemplate().request(
                    "http://127.0.0.1:" + server.getLocalPort() + "/order?throwExceptionOnFailure=false",
                    e -> e.getMessage().setBody("{}"));
            assertThat(sent.getException()).isNotNull();
            // httpcore's refusal of a head past its bounds: an IOException
            assertThat(Failures.rootOf(sent.getException())).isInstanceOf(MessageConstraintException.class)
                    .hasMessageStartingWith("Maximum");
            assertThat(Failures.classify(sent.getException())).isEqualTo(Failures.Kind.UNKNOWN_OUTCOME);
            answering.join(10_000);
            assertThat(answering.isAlive()).as("the connection was dropped").isFalse();
        }
    }
}
