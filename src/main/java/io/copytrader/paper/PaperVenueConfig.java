package io.copytrader.paper;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How to run a paper venue. Immutable, validated eagerly; build one with {@link #builder()} (which starts from the
 * demo defaults) and change what matters.
 *
 * @param port            TCP port on 127.0.0.1; 0 picks a free one
 * @param seed            seeds every random choice: trades, fills, faults
 * @param traders         target traders and their emission rates in trades per second (0 pauses)
 * @param startingCash    the account's cash in USD
 * @param fillModel       how orders fill
 * @param clock           the venue's time: fill timestamps, emission rate, resting-order delays
 * @param feedRetention   how many of its latest fills each trader keeps (older ones are forgotten)
 * @param hangTimeout     how long a TIMEOUT fault holds a connection open before closing it
 * @param serverInstances event-loop servers sharing the port
 * @param instruments     how many instruments each trader's fills are drawn from (tok-1 .. tok-N)
 * @param endedOrderRetention how long a filled or canceled order stays known to the venue (looked up, refused as a
 *                        duplicate); after that its client order id is one the venue never saw
 * @param endedOrderLimit the most filled or canceled orders the venue knows at once; past it the oldest is forgotten
 *                        before its retention has passed
 */
public record PaperVenueConfig(int port, long seed, Map<String, Double> traders, BigDecimal startingCash,
                               FillModelSettings fillModel, Clock clock, int feedRetention, Duration hangTimeout,
                               int serverInstances, int instruments, Duration endedOrderRetention,
                               int endedOrderLimit) {
    public static final int DEFAULT_FEED_RETENTION = 200_000;
    /**
     * An hour: far beyond the engine's own look-ups of an order (an unanswered one within seconds, a resting one until
     * it is canceled after a minute), and a demo that copies two trades a second keeps about 7,000 ended orders
     * instead of every order it ever took.
     */
    public static final Duration DEFAULT_ENDED_ORDER_RETENTION = Duration.ofHours(1);
    /**
     * 100,000 ended orders, about 50 MB of heap (about half a kilobyte an order): the hour's retention alone let a
     * venue taking 300 orders a second (the bench, a long run of the embedded default at a high rate) keep about a
     * million, half a gigabyte. At the demo's two trades a second the hour is the bound; at 300 a second this keeps
     * the last five and a half minutes, still far beyond the engine's own look-ups.
     */
    public static final int DEFAULT_ENDED_ORDER_LIMIT = 100_000;
    /** The demo's and the bench's default: 20 instruments. */
    public static final int DEFAULT_INSTRUMENTS = 20;

    public PaperVenueConfig {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in [0, 65535], but was " + port);
        }
        traders = Map.copyOf(Objects.requireNonNull(traders, "traders"));
        traders.forEach((trader, rate) -> {
            if (rate == null || !(rate >= 0) || rate.isInfinite()) {
                throw new IllegalArgumentException("rate of trader '" + trader + "' must be >= 0 trades/s, but was " + rate);
            }
        });
        if (startingCash == null || startingCash.signum() < 0) {
            throw new IllegalArgumentException("startingCash must be >= 0, but was " + startingCash);
        }
        Objects.requireNonNull(fillModel, "fillModel");
        Objects.requireNonNull(clock, "clock");
        if (feedRetention < 1) {
            throw new IllegalArgumentException("feedRetention must be >= 1, but was " + feedRetention);
        }
        if (hangTimeout == null || hangTimeout.isNegative() || hangTimeout.isZero()) {
            throw new IllegalArgumentException("hangTimeout must be positive, but was " + hangTimeout);
        }
        if (serverInstances < 1) {
            throw new IllegalArgumentException("serverInstances must be >= 1, but was " + serverInstances);
        }
        if (instruments < 1 || instruments > 1_000_000) {
            throw new IllegalArgumentException("instruments must be in [1, 1000000], but was " + instruments);
        }
        if (endedOrderRetention == null || endedOrderRetention.isNegative() || endedOrderRetention.isZero()) {
            throw new IllegalArgumentException("endedOrderRetention must be positive, but was " + endedOrderRetention);
        }
        if (endedOrderLimit < 1) {
            throw new IllegalArgumentException("endedOrderLimit must be >= 1, but was " + endedOrderLimit);
        }
    }

    /** The out-of-the-box demo: free port, seed 42, trader alice at 2 trades/s, $10,000. */
    public static PaperVenueConfig defaults() {
        return builder().build();
    }

    /** A builder holding the demo defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link PaperVenueConfig}; validation happens in {@link #build()}. */
    public static final class Builder {
        private int port;
        private long seed = 42;
        private Map<String, Double> traders = new LinkedHashMap<>(Map.of("alice", 2.0));
        private BigDecimal startingCash = new BigDecimal("10000");
        private FillModelSettings fillModel = FillModelSettings.DEFAULT;
        private Clock clock = Clock.systemUTC();
        private int feedRetention = DEFAULT_FEED_RETENTION;
        private int instruments = DEFAULT_INSTRUMENTS;
        private Duration hangTimeout = Duration.ofSeconds(60);
        private int serverInstances = Math.min(2, Runtime.getRuntime().availableProcessors());
        private Duration endedOrderRetention = DEFAULT_ENDED_ORDER_RETENTION;
        private int endedOrderLimit = DEFAULT_ENDED_ORDER_LIMIT;

        private Builder() {
        }

        public Builder port(int value) {
            this.port = value;
            return this;
        }

        public Builder seed(long value) {
            this.seed = value;
            return this;
        }

        /** Replaces the traders (the default is alice at 2 trades/s). */
        public Builder traders(Map<String, Double> value) {
            this.traders = new LinkedHashMap<>(value);
            return this;
        }

        public Builder startingCash(BigDecimal value) {
            this.startingCash = value;
            return this;
        }

        public Builder fillModel(FillModelSettings value) {
            this.fillModel = value;
            return this;
        }

        public Builder clock(Clock value) {
            this.clock = value;
            return this;
        }

        public Builder feedRetention(int value) {
            this.feedRetention = value;
            return this;
        }

        public Builder hangTimeout(Duration value) {
            this.hangTimeout = value;
            return this;
        }

        public Builder instruments(int value) {
            this.instruments = value;
            return this;
        }

        public Builder serverInstances(int value) {
            this.serverInstances = value;
            return this;
        }

        public Builder endedOrderRetention(Duration value) {
            this.endedOrderRetention = value;
            return this;
        }

        public Builder endedOrderLimit(int value) {
            this.endedOrderLimit = value;
            return this;
        }

        public PaperVenueConfig build() {
            return new PaperVenueConfig(port, seed, traders, startingCash, fillModel, clock, feedRetention,
                    hangTimeout, serverInstances, instruments, endedOrderRetention, endedOrderLimit);
        }
    }
}
