package io.copytrader.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The global spacing between submissions, driven by a fake nano clock: no test sleeps. */
class CooldownTest {
    static final long MS = 1_000_000L;

    final AtomicLong nanos = new AtomicLong(5_000 * MS);

    @Test
    void shouldLetTheFirstSubmissionGoAtOnce() {
        Cooldown cooldown = new Cooldown(10, nanos::get);

        assertThat(cooldown.reserve()).isZero();
    }

    @Test
    void shouldSpaceReservationsMadeAtTheSameInstantByTheInterval() {
        Cooldown cooldown = new Cooldown(10, nanos::get);

        List<Long> waits = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            waits.add(cooldown.reserve());
        }

        assertThat(waits).containsExactly(0L, 10 * MS, 20 * MS, 30 * MS, 40 * MS);
        assertThat(cooldown.heldNanos()).as("the waits summed").isEqualTo(100 * MS);
    }

    @Test
    void shouldWaitOnlyForWhatIsLeftOfTheInterval() {
        Cooldown cooldown = new Cooldown(10, nanos::get);
        cooldown.reserve();

        nanos.addAndGet(4 * MS);

        assertThat(cooldown.reserve()).isEqualTo(6 * MS);
    }

    @Test
    void shouldNotWaitWhenTheLastSubmissionIsLongerAgoThanTheInterval() {
        Cooldown cooldown = new Cooldown(10, nanos::get);
        cooldown.reserve();
        cooldown.reserve();

        nanos.addAndGet(1_000 * MS);

        assertThat(cooldown.reserve()).isZero();
        // and the next one is spaced from that one, not from the old slots
        assertThat(cooldown.reserve()).isEqualTo(10 * MS);
    }

    @Test
    void shouldNeverWaitWithAZeroInterval() {
        Cooldown cooldown = new Cooldown(0, nanos::get);

        for (int i = 0; i < 100; i++) {
            assertThat(cooldown.reserve()).isZero();
        }
        assertThat(cooldown.heldNanos()).isZero();
    }

    @Test
    void shouldReturnAtOnceFromAwaitWithAZeroInterval() {
        Cooldown cooldown = new Cooldown(0);

        long before = System.nanoTime();
        for (int i = 0; i < 1_000; i++) {
            cooldown.await();
        }

        assertThat(System.nanoTime() - before).isLessThan(1_000 * MS);
    }

    @Test
    @Timeout(10)
    void shouldLetTheFirstSubmissionGoAtOnceFromAwait() {
        // on a clock that stands still: a slot that is due now is not waited for until the clock moves
        Cooldown cooldown = new Cooldown(10, nanos::get);

        cooldown.await();

        assertThat(cooldown.heldNanos()).isZero();
    }

    @Test
    @Timeout(10)
    void shouldNotReturnFromAwaitBeforeItsSlotWhenAParkEndsEarly() {
        // every read of the clock finds 0.25 ms passed, whatever the park really took: each park looks like one that
        // ended early, and await must park again until the clock reaches the slot
        List<Long> reads = Collections.synchronizedList(new ArrayList<>());
        Cooldown cooldown = new Cooldown(2, () -> {
            long now = nanos.addAndGet(MS / 4);
            reads.add(now);
            return now;
        });
        cooldown.reserve();
        long slot = reads.get(reads.size() - 1) + 2 * MS;

        cooldown.await();

        assertThat(reads.get(reads.size() - 1)).isGreaterThanOrEqualTo(slot);
    }

    @Test
    @Timeout(10)
    void shouldParkWhileAwaitingItsSlotRatherThanSpinOnTheClock() {
        // a consumer waiting 20 ms for its slot on the real clock reads it a few times, not in a loop burning a core
        AtomicLong reads = new AtomicLong();
        Cooldown cooldown = new Cooldown(20, () -> {
            reads.incrementAndGet();
            return System.nanoTime();
        });
        cooldown.reserve();
        reads.set(0);

        cooldown.await();

        assertThat(reads.get()).isLessThan(100);
    }

    @Test
    @Timeout(10)
    void shouldStopAwaitingItsSlotWhenInterrupted() {
        // a consumer being stopped does not wait out its slot, 10 s away on a clock that stands still
        Cooldown cooldown = new Cooldown(10_000, nanos::get);
        cooldown.reserve();

        Thread.currentThread().interrupt();
        try {
            cooldown.await();

            assertThat(Thread.currentThread().isInterrupted()).as("the interrupt is kept for the caller").isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    @Timeout(10)
    void shouldGiveConcurrentReservationsDistinctSlotsSpacedByTheInterval() throws Exception {
        int threads = 8;
        int each = 50;
        // the clock creeps forward on every read while threads race, as a real one does; each thread remembers the
        // last time it read, which is the "now" its reservation was computed from
        ThreadLocal<Long> lastRead = new ThreadLocal<>();
        Cooldown cooldown = new Cooldown(10, () -> {
            long now = nanos.addAndGet(1_000);
            lastRead.set(now);
            return now;
        });
        List<Long> slots = Collections.synchronizedList(new ArrayList<>());

        Race.run(threads, 5, thread -> {
            for (int i = 0; i < each; i++) {
                long wait = cooldown.reserve();
                slots.add(lastRead.get() + wait);
            }
        });

        List<Long> sorted = new ArrayList<>(slots);
        Collections.sort(sorted);
        assertThat(sorted).hasSize(threads * each).doesNotHaveDuplicates();
        for (int i = 1; i < sorted.size(); i++) {
            assertThat(sorted.get(i) - sorted.get(i - 1)).isGreaterThanOrEqualTo(10 * MS);
        }
    }
}
