package io.copytrader.polymarket;

import io.copytrader.paper.MutableClock;
import io.copytrader.venue.HttpReply;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The venue's rate-limit signals as {@link ClobRateLimits} reads them: how long a bucket is held back. */
class ClobRateLimitsTest {
    static final Instant NOW = Instant.parse("2026-11-02T10:00:00Z");
    private final ClobRateLimits limits = new ClobRateLimits(Clock.fixed(NOW, ZoneOffset.UTC));

    static HttpReply reply(int status, Map<String, String> headers) {
        return new HttpReply(status, headers, "{}");
    }

    @Test
    void shouldPauseUntilTheResetInSecondsWhenNothingRemains() {
        limits.onReply(ClobRateLimits.Bucket.ORDER, reply(200,
                Map.of("poly-ratelimit-remaining", "0", "poly-ratelimit-reset", "7")));
        assertThat(limits.pausedUntil(ClobRateLimits.Bucket.ORDER)).isEqualTo(NOW.plusSeconds(7));
    }

    @Test
    void shouldReadAResetGivenAsAnEpochSecondAsThatMoment() {
        // the header's unit is not documented: a Unix time read as "seconds from now" held orders back for 56 years
        limits.onReply(ClobRateLimits.Bucket.ORDER, reply(200, Map.of("poly-ratelimit-remaining", "0",
                "poly-ratelimit-reset", Long.toString(NOW.getEpochSecond() + 7))));
        assertThat(limits.pausedUntil(ClobRateLimits.Bucket.ORDER)).isEqualTo(NOW.plusSeconds(7));
    }

    @Test
    void shouldPauseForTheLongerOfTheRetryAfterAndTheReset() {
        limits.onReply(ClobRateLimits.Bucket.ORDER, reply(429, Map.of("retry-after", "2",
                "poly-ratelimit-remaining", "0", "poly-ratelimit-reset", "30")));
        assertThat(limits.pausedUntil(ClobRateLimits.Bucket.ORDER)).isEqualTo(NOW.plusSeconds(30));
        limits.onReply(ClobRateLimits.Bucket.BOOK, reply(429, Map.of("retry-after", "30",
                "poly-ratelimit-remaining", "0", "poly-ratelimit-reset", "2")));
        assertThat(limits.pausedUntil(ClobRateLimits.Bucket.BOOK)).isEqualTo(NOW.plusSeconds(30));
    }

    @Test
    void shouldWaitOutAShortVenuePauseBeforeTheCallGoesOut() {
        MutableClock clock = new MutableClock(NOW);
        ClobRateLimits limits = new ClobRateLimits(clock);
        limits.onReply(ClobRateLimits.Bucket.ORDER, reply(429, Map.of("retry-after", "1")));
        clock.set(NOW.plusMillis(700)); // 300 ms of the pause left: waited out, not handed back to the engine
        long start = System.nanoTime();
        limits.acquire(ClobRateLimits.Bucket.ORDER, "POST /order");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    @Test
    void shouldLetOrdersGoAgainOnceTheVenuesPauseIsOver() {
        // the venue asked for 1 s; our own windows (10 s, and 10 minutes for orders) are no part of its pause: were
        // they emptied by a 429, one 429 would hold every copy back until the 10-minute window turned
        MutableClock clock = new MutableClock(NOW);
        ClobRateLimits limits = new ClobRateLimits(clock);
        limits.acquire(ClobRateLimits.Bucket.ORDER, "POST /order");
        limits.onReply(ClobRateLimits.Bucket.ORDER, reply(429, Map.of("retry-after", "1")));
        clock.set(NOW.plusSeconds(2));
        limits.acquire(ClobRateLimits.Bucket.ORDER, "POST /order"); // a permit at once, not held back
    }

    @Test
    void shouldNeverHoldABucketBackLongerThanTheVenuesLongestWindow() {
        limits.onReply(ClobRateLimits.Bucket.ORDER, reply(429, Map.of("retry-after", "86400")));
        assertThat(limits.pausedUntil(ClobRateLimits.Bucket.ORDER)).isEqualTo(NOW.plus(Duration.ofMinutes(10)));
        limits.onReply(ClobRateLimits.Bucket.BOOK, reply(200, Map.of("poly-ratelimit-remaining", "0",
                "poly-ratelimit-reset", "999999")));
        assertThat(limits.pausedUntil(ClobRateLimits.Bucket.BOOK)).isEqualTo(NOW.plus(Duration.ofMinutes(10)));
    }

    @Test
    void shouldHoldABucketBackTheLongestWindowWhateverNumberTheHeadersCarry() {
        // beyond the last instant Java can name: read as a far-off moment, not an exception out of the reply's handling
        limits.onReply(ClobRateLimits.Bucket.ORDER, reply(200, Map.of("poly-ratelimit-remaining", "0",
                "poly-ratelimit-reset", Long.toString(Long.MAX_VALUE))));
        assertThat(limits.pausedUntil(ClobRateLimits.Bucket.ORDER)).isEqualTo(NOW.plus(Duration.ofMinutes(10)));
        limits.onReply(ClobRateLimits.Bucket.BOOK, reply(429, Map.of("retry-after", Long.toString(Long.MAX_VALUE),
                "poly-ratelimit-remaining", "0", "poly-ratelimit-reset", "99999999999999999999")));
        assertThat(limits.pausedUntil(ClobRateLimits.Bucket.BOOK)).isEqualTo(NOW.plus(Duration.ofMinutes(10)));
    }
}
