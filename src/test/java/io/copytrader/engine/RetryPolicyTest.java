package io.copytrader.engine;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class RetryPolicyTest {
    private final RetryPolicy shipped = new RetryPolicy(3, 100, 5000, 10_000);

    @Test
    void shouldAllowOneSendPlusMaxRetries() {
        assertThat(shipped.allowsAnotherSend(1)).isTrue();
        assertThat(shipped.allowsAnotherSend(3)).isTrue();
        assertThat(shipped.allowsAnotherSend(4)).as("4 sends = 1 + 3 retries").isFalse();
        assertThat(new RetryPolicy(0, 100, 5000, 10_000).allowsAnotherSend(1)).isFalse();
    }

    @Test
    void shouldDoubleTheWaitUpToTheMaximum() {
        assertThat(shipped.delayBeforeRetryMs(1, null)).isEqualTo(100);
        assertThat(shipped.delayBeforeRetryMs(2, null)).isEqualTo(200);
        assertThat(shipped.delayBeforeRetryMs(3, null)).isEqualTo(400);
        assertThat(new RetryPolicy(100, 100, 5000, 0).delayBeforeRetryMs(60, null)).isEqualTo(5000);
    }

    @Test
    void shouldHonourRetryAfterCapped() {
        assertThat(shipped.delayBeforeRetryMs(1, Duration.ofSeconds(2))).isEqualTo(2000);
        assertThat(shipped.delayBeforeRetryMs(1, Duration.ofSeconds(3600))).isEqualTo(10_000);
        assertThat(shipped.delayBeforeRetryMs(1, Duration.ZERO)).isZero();
    }

    @Test
    void shouldCapARetryAfterTooLargeToCountInMilliseconds() {
        // a venue (or a proxy in front of it) answering Retry-After: 9223372036854775807 asks for more milliseconds
        // than a long holds: still the cap, not an overflow that ends the order's retries
        assertThat(shipped.delayBeforeRetryMs(1, Duration.ofSeconds(Long.MAX_VALUE))).isEqualTo(10_000);
        assertThat(shipped.delayBeforeRetryMs(2, Duration.ofSeconds(Long.MAX_VALUE / 1000 + 1))).isEqualTo(10_000);
        assertThat(shipped.delayBeforeRetryMs(1, Duration.ofSeconds(Long.MIN_VALUE))).isZero();
    }

    @Test
    void shouldBoundHowLongAConsumerHoldsAnOrder() {
        // 4 sends of at most 7 s, 3 waits of at most 10 s (the Retry-After cap)
        assertThat(shipped.longestSend(Duration.ofSeconds(7))).isEqualTo(Duration.ofSeconds(58));
    }
}
