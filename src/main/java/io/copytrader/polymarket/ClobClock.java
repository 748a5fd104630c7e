package io.copytrader.polymarket;

import io.copytrader.venue.VenueHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;

/**
 * The clock the L1 and L2 headers are stamped with: ours, moved by the CLOB's offset when that is
 * {@link ClobTime#TOLERANCE} or more. The offset is read at start and again every {@link #RESYNC} from the balance
 * refresh (never on an order's path): the machine's time synchronisation may step our clock meanwhile, and a stale
 * correction would then be as wrong as none. A read that fails keeps the last offset.
 */
final class ClobClock extends Clock {
    private static final Logger LOG = LoggerFactory.getLogger(ClobClock.class);
    static final Duration RESYNC = Duration.ofMinutes(10);

    private final Clock local;
    private final String clobUrl;
    private final VenueHttpClient http;
    private volatile ClobTime time;
    private volatile long readAtMillis;

    private ClobClock(Clock local, String clobUrl, VenueHttpClient http, ClobTime time) {
        this.local = local;
        this.clobUrl = clobUrl;
        this.http = http;
        this.time = time;
        this.readAtMillis = local.millis();
    }

    /** Reads the CLOB's time once; says so at WARN when ours is off or the CLOB's is unknown. */
    static ClobClock start(Clock local, String clobUrl, VenueHttpClient http) {
        ClobTime time = ClobTime.measure(clobUrl, http, local);
        if (time.offset().isEmpty() || time.corrected()) {
            LOG.warn("Polymarket: {}", time.describe());
        }
        return new ClobClock(local, clobUrl, http, time);
    }

    ClobTime time() {
        return time;
    }

    /** Reads the CLOB's time again when the last read is {@link #RESYNC} old; logs a change of what is done. */
    void resyncIfDue() {
        if (local.millis() - readAtMillis < RESYNC.toMillis()) {
            return;
        }
        readAtMillis = local.millis();
        ClobTime now = ClobTime.measure(clobUrl, http, local);
        if (now.offset().isEmpty()) {
            LOG.debug("Polymarket: the CLOB's clock was not read again ({}); the last offset stays", now.unavailableBecause());
            return;
        }
        ClobTime before = time;
        time = now;
        boolean moved = before.offset().isEmpty()
                || before.offset().get().minus(now.offset().get()).abs().compareTo(ClobTime.TOLERANCE) >= 0;
        if (before.corrected() != now.corrected() || (now.corrected() && moved)) {
            LOG.warn("Polymarket: {}", now.describe());
        }
    }

    @Override
    public Instant instant() {
        ClobTime t = time;
        Instant ours = local.instant();
        return t.corrected() ? ours.plus(t.offset().get()) : ours;
    }

    @Override
    public ZoneId getZone() {
        return local.getZone();
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return new ClobClock(local.withZone(zone), clobUrl, http, time);
    }
}
