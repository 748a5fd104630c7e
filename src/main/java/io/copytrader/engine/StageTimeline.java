package io.copytrader.engine;

import io.copytrader.domain.CopyIntent;
import io.copytrader.domain.DetectedTrade;
import org.apache.camel.Exchange;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where a copied trade's time from detection to the venue's acceptance went, step by step: when a listener is set
 * (the bench sets one), every named route step of a trade is marked with its start and end, and the marks of a trade
 * that is copied go to the listener. Off (no listener), a step costs one volatile read.
 * <p>
 * Marks are kept by the trade's key from its first step until it is copied; a trade that ends otherwise (skipped,
 * failed) leaves its marks behind until the listener is set again, and no more than {@link #MAX_OPEN} trades are
 * followed at once: a diagnostic for a bench step, not for a running engine.
 */
public final class StageTimeline {
    /** Trades followed at most at once; a trade first seen beyond it is not followed. */
    static final int MAX_OPEN = 100_000;

    /** One step of a trade: its name and when it started and ended, in microseconds after the trade's detection. */
    public record Mark(String step, long startMicros, long endMicros) {
    }

    /** Told of every copied trade's marks while set; called on the thread that records the acceptance. */
    @FunctionalInterface
    public interface Listener {
        /**
         * @param latencyMicros detection to acceptance, as the trade latency metric has it
         * @param marks         the trade's steps in the order they started
         */
        void copied(long latencyMicros, List<Mark> marks);
    }

    private final Clock clock;
    private final int maxOpen;
    private final Map<String, List<Mark>> open = new ConcurrentHashMap<>();
    private volatile Listener listener;

    /** @param clock the clock trades' detection times come from */
    public StageTimeline(Clock clock) {
        this(clock, MAX_OPEN);
    }

    StageTimeline(Clock clock, int maxOpen) {
        this.clock = clock;
        this.maxOpen = maxOpen;
    }

    /** Sets the listener (null: off) and forgets every trade followed so far. */
    public void listen(Listener listener) {
        this.listener = listener;
        open.clear();
    }

    boolean on() {
        return listener != null;
    }

    long nowMicros() {
        return micros(clock.instant());
    }

    private static long micros(Instant instant) {
        return instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1_000;
    }

    /** Marks a step of the trade the exchange carries (none: nothing), which started at {@code startMicros}. */
    void mark(Exchange exchange, String step, long startMicros) {
        DetectedTrade trade = tradeOf(exchange);
        if (trade == null) {
            return;
        }
        long end = nowMicros();
        List<Mark> marks = open.get(trade.key());
        if (marks == null) {
            if (open.size() >= maxOpen) {
                return;
            }
            marks = open.computeIfAbsent(trade.key(), k -> new ArrayList<>(16));
        }
        long detected = micros(trade.tsInit());
        synchronized (marks) {
            marks.add(new Mark(step, startMicros - detected, end - detected));
        }
    }

    /** The trade was copied: its marks go to the listener. */
    void copied(DetectedTrade trade, long latencyMicros) {
        Listener to = listener;
        if (to == null) {
            return;
        }
        List<Mark> marks = open.remove(trade.key());
        if (marks != null) {
            List<Mark> copy;
            synchronized (marks) {
                copy = List.copyOf(marks);
            }
            to.copied(latencyMicros, copy);
        }
    }

    /** The trade a step works on: the body, or the trade or intent the exchange carries. */
    static DetectedTrade tradeOf(Exchange exchange) {
        Object body = exchange.getMessage().getBody();
        if (body instanceof DetectedTrade trade) {
            return trade;
        }
        if (body instanceof CopyIntent intent) {
            return intent.source();
        }
        if (exchange.getProperty(ExchangeProps.TRADE) instanceof DetectedTrade trade) {
            return trade;
        }
        return exchange.getProperty(ExchangeProps.INTENT) instanceof CopyIntent intent ? intent.source() : null;
    }
}
