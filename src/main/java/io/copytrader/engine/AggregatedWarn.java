package io.copytrader.engine;

import org.slf4j.Logger;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A WARN for events that can come thousands a second (malformed feed rows): counted, and logged at most once per
 * period with the count since the last line and the latest example; each event is still logged at DEBUG. Events that
 * came after the last line are reported by {@link #flush()} once the period has passed, even when no further event
 * comes: a burst is never left at one line for its first event.
 */
public final class AggregatedWarn {
    private final Logger log;
    private final String what;
    private final long periodMillis;
    private final LongSupplier millis;
    private final AtomicLong sinceLastLine = new AtomicLong();
    private final AtomicLong lastLineMillis = new AtomicLong(Long.MIN_VALUE / 2);
    /** The latest event's description, for the line {@link #flush()} writes. */
    private volatile String latest;

    /**
     * @param what what an event is, plural ("malformed feed rows rejected")
     */
    public AggregatedWarn(Logger log, String what, long periodMillis) {
        this(log, what, periodMillis, Monotonic::millis);
    }

    AggregatedWarn(Logger log, String what, long periodMillis, LongSupplier millis) {
        this.log = log;
        this.what = what;
        this.periodMillis = periodMillis;
        this.millis = millis;
    }

    /** Counts one event; {@code example} describes it (for the next WARN line and the DEBUG line). */
    public void event(String example) {
        latest = example;
        sinceLastLine.incrementAndGet();
        if (!lineDue(example)) {
            log.debug("{}: {}", what, example);
        }
    }

    /**
     * Writes the line for the events counted since the last one, if any and the period has passed; cheap when there
     * are none (one read). Call it regularly (the detector does at every poll).
     */
    public void flush() {
        if (sinceLastLine.get() > 0) {
            lineDue(latest);
        }
    }

    /** Writes the WARN line if the period has passed since the last one; true if it did. */
    private boolean lineDue(String example) {
        long now = millis.getAsLong();
        long prev = lastLineMillis.get();
        if (now - prev >= periodMillis && lastLineMillis.compareAndSet(prev, now)) {
            long n = sinceLastLine.getAndSet(0);
            if (n > 0) {
                log.warn("{}: {} since the last such line (latest: {})", what, n, example);
            }
            return true;
        }
        return false;
    }
}
