package io.copytrader.engine;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.spi.AggregationRepository;
import org.apache.camel.support.service.ServiceSupport;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The aggregate-fills route's open groups, in memory, in the order they were opened. Camel's default repository is a
 * hash map, so a forced completion (the end of a polled page, a stop) would release the groups in hash order: a
 * target's buy then sell of one token, two groups, could be queued sell first. Released in opening order, the groups
 * of one instrument reach the copy queue in the order of their first fills (docs/ordering.md). Not persistent: the
 * fills are in the store from their admission, and a restart rebuilds open groups from there (docs/aggregation.md).
 *
 * <p>It also keeps when each group's latest fill came, by the monotonic clock ({@link #idleFor}): Camel times a group's
 * window by the wall clock, so after the wall clock steps back a group would wait out the step as well.
 */
public final class FillGroups extends ServiceSupport implements AggregationRepository {
    private final Map<String, Exchange> groups = new LinkedHashMap<>();
    /** Each open group's latest add, System.nanoTime()-like. */
    private final Map<String, Long> lastAdded = new HashMap<>();
    private final LongSupplier nanos;
    private volatile Runnable onAdd = () -> { };

    public FillGroups() {
        this(System::nanoTime);
    }

    /** @param nanos the monotonic clock, in nanoseconds ({@link System#nanoTime()}) */
    FillGroups(LongSupplier nanos) {
        this.nanos = nanos;
    }

    /** Called after every add (the window checker wakes when a group opens). */
    public FillGroups onAdd(Runnable listener) {
        this.onAdd = listener;
        return this;
    }

    @Override
    public Exchange add(CamelContext camelContext, String key, Exchange exchange) {
        Exchange previous;
        synchronized (this) {
            // a group keeps its place when its exchange is replaced (each fill re-adds the aggregated exchange)
            previous = groups.put(key, exchange);
            lastAdded.put(key, nanos.getAsLong());
        }
        onAdd.run();
        return previous;
    }

    /** Whether any group is open now. */
    public synchronized boolean hasGroups() {
        return !groups.isEmpty();
    }

    @Override
    public synchronized Exchange get(CamelContext camelContext, String key) {
        return groups.get(key);
    }

    @Override
    public synchronized void remove(CamelContext camelContext, String key, Exchange exchange) {
        groups.remove(key);
        lastAdded.remove(key);
    }

    /**
     * The open groups whose latest fill came at least {@code idleNanos} ago by the monotonic clock, oldest group
     * first: those past their window whatever the wall clock did meanwhile.
     */
    public synchronized List<String> idleFor(long idleNanos) {
        if (groups.isEmpty()) {
            return List.of();
        }
        long now = nanos.getAsLong();
        List<String> idle = new ArrayList<>();
        for (String key : groups.keySet()) {
            Long added = lastAdded.get(key);
            if (added != null && now - added >= idleNanos) {
                idle.add(key);
            }
        }
        return idle;
    }

    @Override
    public void confirm(CamelContext camelContext, String exchangeId) {
        // nothing to confirm: completed groups are removed as they complete
    }

    /** The open groups' keys, oldest group first. */
    @Override
    public synchronized Set<String> getKeys() {
        return new LinkedHashSet<>(groups.keySet());
    }
}
