package io.copytrader.engine;

import org.slf4j.Logger;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A WARN for events that can come thousands a second (malformed feed rows): counted, and logged at most once per
 * period with the count since the last line and the latest example; each event is still logged at DEBUG.
 */
public final class AggregatedWarn {
    private final Logger log;
    private final String what;
    private final long periodMillis;
    private final AtomicLong sinceLastLine = new AtomicLong();
    private final AtomicLong lastLineMillis = new AtomicLong(Long.MIN_VALUE / 2);

    /**
     * @param what what an event is, plural ("malformed feed rows rejected")
     */
    public AggregatedWarn(Logger log, String what, long periodMillis) {
        this.log = log;
        this.what = what;
        this.periodMillis = periodMillis;
    }

    /** Counts one event; {@code example} describes it (for the next WARN line and the DEBUG line). */
    public void event(String example) {
        sinceLastLine.incrementAndGet();
        long now = System.currentTimeMillis();
        long prev = lastLineMillis.get();
        if (now - prev >= periodMillis && lastLineMillis.compareAndSet(prev, now)) {
            log.warn("{}: {} since the last such line (latest: {})", what, sinceLastLine.getAndSet(0), example);
        } else {
            log.debug("{}: {}", what, example);
        }
    }
}
