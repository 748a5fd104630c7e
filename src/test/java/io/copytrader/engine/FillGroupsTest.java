package io.copytrader.engine;

import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The open groups, in opening order, and how long each has had no fill, by the monotonic clock. */
class FillGroupsTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private final AtomicLong nanos = new AtomicLong(1_000 * MS);
    private final FillGroups groups = new FillGroups(nanos::get);
    private final CamelContext context = new DefaultCamelContext();

    private void add(String key) {
        groups.add(context, key, new DefaultExchange(context));
    }

    @Test
    void shouldGiveTheGroupsWhoseLatestFillIsAWindowOldOldestFirst() {
        add("b");
        nanos.addAndGet(30 * MS);
        add("a");
        nanos.addAndGet(19 * MS);
        assertThat(groups.idleFor(50 * MS)).as("b's fill is 49 ms old").isEmpty();
        nanos.addAndGet(MS);
        assertThat(groups.idleFor(50 * MS)).containsExactly("b");
        nanos.addAndGet(30 * MS);
        assertThat(groups.idleFor(50 * MS)).as("in opening order, not by key").containsExactly("b", "a");
    }

    @Test
    void shouldCountAGroupsWindowFromItsLatestFill() {
        add("a");
        nanos.addAndGet(40 * MS);
        add("a"); // the group's next fill: its exchange replaced, its place kept
        nanos.addAndGet(40 * MS);
        assertThat(groups.idleFor(50 * MS)).isEmpty();
        nanos.addAndGet(10 * MS);
        assertThat(groups.idleFor(50 * MS)).containsExactly("a");
        assertThat(groups.getKeys()).containsExactly("a");
    }

    @Test
    void shouldForgetARemovedGroup() {
        add("a");
        add("b");
        groups.remove(context, "a", null);
        nanos.addAndGet(60 * MS);
        assertThat(groups.idleFor(50 * MS)).containsExactly("b");
        groups.remove(context, "b", null);
        assertThat(groups.idleFor(50 * MS)).isEmpty();
        assertThat(groups.hasGroups()).isFalse();
    }

    @Test
    void shouldGoByTheMonotonicClockWhateverTheWallClockDoes() {
        // the clock is System.nanoTime-like: a large or negative origin is as good as any
        nanos.set(Long.MAX_VALUE - 10 * MS);
        add("a");
        nanos.addAndGet(50 * MS); // overflows, as nanoTime may: differences still hold
        assertThat(groups.idleFor(50 * MS)).containsExactly("a");
    }
}
