package io.copytrader.engine;

import io.copytrader.venue.TransientVenueException;
import org.apache.camel.RuntimeCamelException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.HttpHostConnectException;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Which failures are safe to retry (nothing reached the venue) and which leave the outcome unknown (DESIGN 6). */
class FailuresTest {
    enum Kind { RETRYABLE, UNKNOWN_OUTCOME, NEITHER }

    static Stream<Arguments> failures() {
        return Stream.of(
                arguments("venue said try again (503)", new TransientVenueException("503", 503, null), Kind.RETRYABLE),
                arguments("429 with Retry-After", new TransientVenueException("429", 429, Duration.ofSeconds(1)), Kind.RETRYABLE),
                arguments("connection refused", new ConnectException("Connection refused"), Kind.RETRYABLE),
                arguments("HC5 connect refused", new HttpHostConnectException("Connect to exchange failed"), Kind.RETRYABLE),
                arguments("HC5 connect timeout (a SocketTimeoutException)",
                        new ConnectTimeoutException("Connect to exchange timed out"), Kind.RETRYABLE),
                arguments("unknown host", new UnknownHostException("exchange"), Kind.RETRYABLE),
                arguments("no route to host", new NoRouteToHostException("exchange"), Kind.RETRYABLE),
                arguments("read timeout after sending", new SocketTimeoutException("Read timed out"), Kind.UNKNOWN_OUTCOME),
                arguments("connection reset while waiting", new SocketException("Connection reset"), Kind.UNKNOWN_OUTCOME),
                arguments("server closed without answering", new NoHttpResponseException("exchange failed to respond"),
                        Kind.UNKNOWN_OUTCOME),
                arguments("plain IOException", new IOException("stream closed"), Kind.UNKNOWN_OUTCOME),
                arguments("a bug of ours", new IllegalStateException("unexpected place result"), Kind.NEITHER),
                arguments("bad input", new IllegalArgumentException("price"), Kind.NEITHER),
                arguments("RuntimeException(connect refused)",
                        new RuntimeException(new ConnectException("Connection refused")), Kind.RETRYABLE),
                arguments("RuntimeException(read timeout)",
                        new RuntimeException(new SocketTimeoutException("Read timed out")), Kind.UNKNOWN_OUTCOME),
                arguments("RuntimeCamelException(connect timeout)",
                        new RuntimeCamelException(new ConnectTimeoutException("timed out")), Kind.RETRYABLE),
                arguments("RuntimeCamelException(read timeout)",
                        new RuntimeCamelException(new SocketTimeoutException("Read timed out")), Kind.UNKNOWN_OUTCOME),
                arguments("RuntimeCamelException(RuntimeException(transient))",
                        new RuntimeCamelException(new RuntimeException(new TransientVenueException("502", 502, null))),
                        Kind.RETRYABLE),
                arguments("RuntimeCamelException(RuntimeException(connection reset))",
                        new RuntimeCamelException(new RuntimeException(new SocketException("Connection reset"))),
                        Kind.UNKNOWN_OUTCOME),
                arguments("RuntimeCamelException(a bug of ours)",
                        new RuntimeCamelException(new IllegalStateException("bug")), Kind.NEITHER),
                // the store's failure, not the venue's, whatever its cause: PostgreSQL's driver wraps the I/O error of
                // a dropped connection, which is no answer from the venue
                arguments("a dropped store connection (an I/O error inside)", droppedStoreConnection(), Kind.NEITHER),
                arguments("RuntimeCamelException(a dropped store connection)",
                        new RuntimeCamelException(droppedStoreConnection()), Kind.NEITHER),
                arguments("a store refusing a connection", new io.copytrader.store.StoreException("could not read",
                        new java.sql.SQLException("Connection refused", "08001", new ConnectException("refused"))),
                        Kind.NEITHER));
    }

    static io.copytrader.store.StoreException droppedStoreConnection() {
        return new io.copytrader.store.StoreException("could not record the intent: An I/O error occurred",
                new java.sql.SQLException("An I/O error occurred while sending to the backend.", "08006",
                        new SocketException("Connection reset")));
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("failures")
    void shouldClassifyAFailureByWhetherTheOrderCouldHaveReachedTheVenue(String what, Throwable failure, Kind expected) {
        assertThat(Failures.isRetryable(failure)).as("retryable").isEqualTo(expected == Kind.RETRYABLE);
        assertThat(Failures.isUnknownOutcome(failure)).as("unknown outcome").isEqualTo(expected == Kind.UNKNOWN_OUTCOME);
        assertThat(Failures.countsTowardBreaker(failure)).as("a venue failure: counts toward the breaker")
                .isEqualTo(expected != Kind.NEITHER);
    }

    @Test
    void shouldNeverCountAFailureTheEngineRecordedAlready() {
        OrderFailedException handled = new OrderFailedException(null, "no answer");

        assertThat(Failures.countsTowardBreaker(handled)).isFalse();
        assertThat(Failures.countsTowardBreaker(new RuntimeCamelException(handled))).isFalse();
        assertThat(Failures.handled(new RuntimeCamelException(handled))).isSameAs(handled);
    }

    @Test
    void shouldFindTheTransportFailureInsideCamelsWrappers() {
        SocketTimeoutException readTimeout = new SocketTimeoutException("Read timed out");

        assertThat(Failures.rootOf(new RuntimeCamelException(new RuntimeException(readTimeout)))).isSameAs(readTimeout);
    }

    @Test
    void shouldTreatAnAnswerThatLeavesOpenWhetherTheOrderWasTakenAsNoAnswer() {
        var unmatched = new io.copytrader.venue.OutcomeUnknownException("CLOB answered 'unmatched'");

        assertThat(Failures.classify(new RuntimeCamelException(new RuntimeException(unmatched))))
                .isEqualTo(Failures.Kind.UNKNOWN_OUTCOME);
        assertThat(Failures.rootOf(new RuntimeCamelException(unmatched))).isSameAs(unmatched);
        assertThat(Failures.isRetryable(unmatched)).as("looked up, never sent again").isFalse();
    }

    @Test
    void shouldGiveTheInnermostCauseWhenNoneIsOfAKnownKind() {
        IllegalStateException bug = new IllegalStateException("bug");

        assertThat(Failures.rootOf(new RuntimeCamelException(bug))).isSameAs(bug);
    }

    @Test
    @Timeout(10)
    void shouldStopOnACauseLoop() {
        RuntimeException a = new RuntimeException("a");
        RuntimeException b = new RuntimeException("b", a);
        a.initCause(b);

        assertThat(Failures.isRetryable(a)).isFalse();
        assertThat(Failures.isUnknownOutcome(a)).isFalse();
        assertThat(Failures.countsTowardBreaker(a)).isFalse();
        assertThat(Failures.handled(a)).isNull();
        assertThat(Failures.rootOf(a)).as("something to name in a dead letter").isIn(a, b);
    }
}
