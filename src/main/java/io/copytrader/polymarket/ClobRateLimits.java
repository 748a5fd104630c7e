package io.copytrader.polymarket;

import io.copytrader.venue.HttpReply;
import io.copytrader.venue.TransientVenueException;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Client-side limits on the CLOB calls the adapter makes, inside the venue's published limits (contract 2.5:
 * {@code POST /order} 3,500 per 10 s burst and 36,000 per 10 min sustained; {@code /book} 1,500 per 10 s;
 * {@code /tick-size} 200 per 10 s; {@code GET /balance-allowance} 200 per 10 s and its update 50 per 10 s;
 * {@code /data/orders} 500 per 10 s; 9,000 per 10 s for the rest), with Resilience4j rate limiters.
 *
 * <p>The venue's own signals slow a bucket further: a 429 pauses it for its {@code Retry-After} (1 s when absent),
 * and {@code Poly-RateLimit-Remaining: 0} pauses it until {@code Poly-RateLimit-Reset} (seconds from now, or a Unix
 * time), never for longer than {@link #MAX_PAUSE}. While a bucket is
 * paused for up to {@link #MAX_PAUSE_WAIT} the caller waits; paused longer, or no permit within {@link #MAX_WAIT},
 * the call is not made: a {@link TransientVenueException} with the time left as its Retry-After sends it back to the
 * engine's retries (nothing was signed or sent).
 */
final class ClobRateLimits {
    /** How long a caller waits for a permit before giving the call back to the engine's retries. */
    static final Duration MAX_WAIT = Duration.ofSeconds(2);
    /** A venue pause up to this long is waited out; a longer one gives the call back to the engine's retries. */
    static final Duration MAX_PAUSE_WAIT = Duration.ofSeconds(5);
    private static final Duration TEN_SECONDS = Duration.ofSeconds(10);
    /**
     * The longest pause a venue signal can impose: the venue's longest published window (10 minutes). A longer one
     * is a header misread or a bogus value, and would stop every order for as long; after this the venue is asked
     * again (a 429 then pauses anew).
     */
    static final Duration MAX_PAUSE = Duration.ofMinutes(10);
    /** A {@code Poly-RateLimit-Reset} at least this large is a Unix time (seconds), not seconds from now. */
    private static final long EPOCH_SECONDS_FROM = 1_000_000_000L;

    enum Bucket {
        /** POST /order: one permit per order signed. */
        ORDER,
        BOOK,
        TICK_SIZE,
        BALANCE,
        BALANCE_UPDATE,
        /** GET /data/order lookups. */
        DATA,
        /** Everything else (/neg-risk, /version). */
        GENERAL
    }

    /** The published limits: each bucket's windows, as (permits, period). */
    static Map<Bucket, List<RateLimiterConfig>> published() {
        Map<Bucket, List<RateLimiterConfig>> m = new EnumMap<>(Bucket.class);
        m.put(Bucket.ORDER, List.of(window(3_500, TEN_SECONDS), window(36_000, Duration.ofMinutes(10))));
        m.put(Bucket.BOOK, List.of(window(1_500, TEN_SECONDS)));
        m.put(Bucket.TICK_SIZE, List.of(window(200, TEN_SECONDS)));
        m.put(Bucket.BALANCE, List.of(window(200, TEN_SECONDS)));
        m.put(Bucket.BALANCE_UPDATE, List.of(window(50, TEN_SECONDS)));
        m.put(Bucket.DATA, List.of(window(500, TEN_SECONDS)));
        m.put(Bucket.GENERAL, List.of(window(9_000, TEN_SECONDS)));
        return m;
    }

    static RateLimiterConfig window(int permits, Duration period) {
        return RateLimiterConfig.custom().limitForPeriod(permits).limitRefreshPeriod(period).timeoutDuration(MAX_WAIT)
                .build();
    }

    private final Map<Bucket, List<RateLimiter>> limiters = new EnumMap<>(Bucket.class);
    private final Map<Bucket, Instant> pausedUntil = new EnumMap<>(Bucket.class);
    private final Clock clock;

    ClobRateLimits(Clock clock) {
        this(clock, published());
    }

    ClobRateLimits(Clock clock, Map<Bucket, List<RateLimiterConfig>> windows) {
        this.clock = clock;
        for (Bucket b : Bucket.values()) {
            List<RateLimiterConfig> configs = windows.getOrDefault(b, windows.get(Bucket.GENERAL));
            limiters.put(b, configs.stream().map(c -> RateLimiter.of("clob-" + b.name().toLowerCase(), c)).toList());
            pausedUntil.put(b, Instant.EPOCH);
        }
    }

    /**
     * Takes a permit of every window of the bucket, waiting up to {@link #MAX_WAIT}.
     *
     * @throws TransientVenueException when the bucket is paused by the venue or no permit came in time
     */
    void acquire(Bucket bucket, String what) {
        Instant until;
        synchronized (pausedUntil) {
            until = pausedUntil.get(bucket);
        }
        Instant now = clock.instant();
        if (now.isBefore(until)) {
            Duration left = Duration.between(now, until);
            if (left.compareTo(MAX_PAUSE_WAIT) > 0) {
                throw new TransientVenueException("Polymarket " + what + " held back: the venue asked us to slow down",
                        429, left);
            }
            try {
                Thread.sleep(left.toMillis()); // a short pause the venue asked for: wait it out, then take a permit
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TransientVenueException("Polymarket " + what + " interrupted while held back", 429, left);
            }
        }
        for (RateLimiter limiter : limiters.get(bucket)) {
            if (!limiter.acquirePermission()) {
                throw new TransientVenueException("Polymarket " + what + " held back by our client-side rate limit",
                        429, Duration.ofSeconds(1));
            }
        }
    }

    /** Reads the venue's rate-limit signals off an answer and pauses the bucket when it says so. */
    void onReply(Bucket bucket, HttpReply reply) {
        Duration pause = null;
        if (reply.status() == 429) {
            pause = reply.retryAfter() != null ? reply.retryAfter() : Duration.ofSeconds(1);
        }
        Instant now = clock.instant();
        if ("0".equals(trim(reply.header("Poly-RateLimit-Remaining")))) {
            Duration reset = resetIn(reply.header("Poly-RateLimit-Reset"), now);
            if (reset != null && (pause == null || reset.compareTo(pause) > 0)) {
                pause = reset;
            }
        }
        if (pause == null || pause.isZero() || pause.isNegative()) {
            return;
        }
        if (pause.compareTo(MAX_PAUSE) > 0) {
            pause = MAX_PAUSE;
        }
        Instant until = now.plus(pause);
        // the pause alone holds the bucket back: emptying our own windows as well would stretch it to the end of
        // their current cycle, up to 10 minutes for orders however short a pause the venue asked for
        synchronized (pausedUntil) {
            if (until.isAfter(pausedUntil.get(bucket))) {
                pausedUntil.put(bucket, until);
            }
        }
    }

    /** When the bucket may be used again (EPOCH when it is not paused). */
    Instant pausedUntil(Bucket bucket) {
        synchronized (pausedUntil) {
            return pausedUntil.get(bucket);
        }
    }

    private static String trim(String v) {
        return v == null ? null : v.trim();
    }

    /**
     * How long until the window resets. The header's unit is not documented [contract 2.5: unverified]: seconds
     * from now, or, when at least {@link #EPOCH_SECONDS_FROM}, the Unix time of the reset.
     */
    private static Duration resetIn(String v, Instant now) {
        Duration d = seconds(v);
        if (d != null && d.getSeconds() >= EPOCH_SECONDS_FROM) {
            // a moment past the last one an Instant holds is as far off as that one (the pause is capped anyway)
            return Duration.between(now, Instant.ofEpochSecond(Math.min(d.getSeconds(), Instant.MAX.getEpochSecond())));
        }
        return d;
    }

    private static Duration seconds(String v) {
        try {
            long s = v == null ? -1 : Long.parseLong(v.trim());
            return s >= 0 ? Duration.ofSeconds(s) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
