package io.copytrader.engine;

import io.copytrader.domain.CopyIntent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicLong;

/**
 * INFO logging of copied trades that stays readable at high rates: one line per copied trade while the rate is
 * low, then one summary line per interval; each trade is always at DEBUG.
 */
public final class CopyReporter {
    private static final Logger LOG = LoggerFactory.getLogger("io.copytrader.copied");
    private static final long INTERVAL_MS = 10_000;
    private static final int PER_INTERVAL_LINES = 20;

    private final AtomicLong windowStart = new AtomicLong(Monotonic.millis());
    private final AtomicLong inWindow = new AtomicLong();

    public void copied(CopyIntent intent, long latencyMicros) {
        long now = Monotonic.millis();
        long start = windowStart.get();
        if (now - start >= INTERVAL_MS && windowStart.compareAndSet(start, now)) {
            long n = inWindow.getAndSet(0);
            if (n > PER_INTERVAL_LINES) {
                LOG.info("Copied {} trades in the last {} s", n, (now - start) / 1000);
            }
        }
        long n = inWindow.incrementAndGet();
        if (n <= PER_INTERVAL_LINES) {
            LOG.info("Copied {} {} {} @ {} for {} ({} us)", intent.side(), intent.quantity().toPlainString(),
                    intent.instrument(), intent.limitPrice().toPlainString(), intent.source().key(), latencyMicros);
        } else if (n == PER_INTERVAL_LINES + 1) {
            LOG.info("More copies this interval; summarising every {} s (per-trade lines at DEBUG)", INTERVAL_MS / 1000);
        } else if (LOG.isDebugEnabled()) { // the arguments are not free at thousands of trades/s
            LOG.debug("Copied {} {} {} @ {} for {}", intent.side(), intent.quantity().toPlainString(),
                    intent.instrument(), intent.limitPrice().toPlainString(), intent.source().key());
        }
    }
}
