package io.copytrader.venue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

@Timeout(30)
class CallDeadlinesTest {
    private final List<CallDeadlines> opened = new ArrayList<>();

    @AfterEach
    void close() {
        opened.forEach(CallDeadlines::close);
    }

    private CallDeadlines deadlines(Duration length) {
        CallDeadlines d = new CallDeadlines("test-deadlines", length);
        opened.add(d);
        return d;
    }

    @Test
    void aDeadlineThatPassesRunsItsCutOnceAndNoEarlierThanItsLength() throws Exception {
        CallDeadlines deadlines = deadlines(Duration.ofMillis(200));
        AtomicInteger cuts = new AtomicInteger();
        CountDownLatch cut = new CountDownLatch(1);
        long started = System.nanoTime();
        CallDeadlines.Deadline due = deadlines.start(() -> {
            cuts.incrementAndGet();
            cut.countDown();
        });
        assertThat(due.passed()).isFalse();
        assertThat(deadlines.pending()).isEqualTo(1);

        assertThat(cut.await(10, TimeUnit.SECONDS)).as("the cut ran").isTrue();
        assertThat(System.nanoTime() - started).as("not before the deadline's length")
                .isGreaterThanOrEqualTo(Duration.ofMillis(200).toNanos());
        assertThat(due.passed()).isTrue();
        assertThat(deadlines.pending()).isZero();
        due.cancel(); // the call's end, after its cut: nothing more happens
        assertThat(cuts).hasValue(1);
    }

    @Test
    void aCancelledDeadlineNeverRunsItsCut() throws Exception {
        CallDeadlines deadlines = deadlines(Duration.ofMillis(100));
        AtomicInteger cancelledCuts = new AtomicInteger();
        CallDeadlines.Deadline cancelled = deadlines.start(cancelledCuts::incrementAndGet);
        cancelled.cancel();
        CountDownLatch later = new CountDownLatch(1);
        deadlines.start(later::countDown); // started after the cancelled one: it passes after it would have

        assertThat(later.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(cancelledCuts).hasValue(0);
        assertThat(cancelled.passed()).isFalse();
        assertThat(deadlines.pending()).isZero();
    }

    @Test
    void callsThatEndInTimeDoNotWakeTheWatcher() {
        CallDeadlines deadlines = deadlines(Duration.ofSeconds(20));
        await().atMost(Duration.ofSeconds(10)).until(() -> deadlines.looks() >= 1); // its first look, at its start
        long before = deadlines.looks();

        for (int i = 0; i < 10_000; i++) {
            deadlines.start(() -> { }).cancel();
        }

        assertThat(deadlines.pending()).isZero();
        // a scheduled executor's thread wakes at each call whose task becomes its queue's head: 10,000 times here
        assertThat(deadlines.looks() - before).as("looks while 10,000 calls ended in time").isLessThanOrEqualTo(1);
    }

    @Test
    void aDeadlineStartedWhileTheWatcherSleepsStillPassesOnTime() throws Exception {
        CallDeadlines deadlines = deadlines(Duration.ofMillis(300));
        await().atMost(Duration.ofSeconds(10)).until(() -> deadlines.looks() >= 1);
        List<CountDownLatch> cuts = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            CountDownLatch cut = new CountDownLatch(1);
            cuts.add(cut);
            long started = System.nanoTime();
            deadlines.start(cut::countDown);
            assertThat(cut.await(10, TimeUnit.SECONDS)).isTrue();
            // each passes within its length and a margin for a loaded machine, not a whole sleep later
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofMillis(300),
                    Duration.ofMillis(300 + 2_000));
        }
    }

    @Test
    void aDeadlineStillPendingWhenTheWatcherLooksPassesAtItsOwnTimeNotALengthAfterTheLook() throws Exception {
        // started a quarter of a second after the watcher's first look: its next look, a length after the first, finds
        // the deadline pending; it passes a quarter of a second later, not a whole length after that look (at most half
        // a length late here, for a loaded machine)
        CallDeadlines deadlines = deadlines(Duration.ofSeconds(2));
        await().atMost(Duration.ofSeconds(10)).until(() -> deadlines.looks() >= 1);
        CountDownLatch quarterOfASecond = new CountDownLatch(1);
        deadlines(Duration.ofMillis(250)).start(quarterOfASecond::countDown);
        assertThat(quarterOfASecond.await(10, TimeUnit.SECONDS)).isTrue();
        CountDownLatch cut = new CountDownLatch(1);
        long started = System.nanoTime();
        deadlines.start(cut::countDown);

        assertThat(cut.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofSeconds(2),
                Duration.ofSeconds(3));
    }

    @Test
    void aCutThatThrowsLeavesTheWatcherWatching() throws Exception {
        CallDeadlines deadlines = deadlines(Duration.ofMillis(50));
        CallDeadlines.Deadline failing = deadlines.start(() -> {
            throw new IllegalStateException("cut failed");
        });
        await().atMost(Duration.ofSeconds(10)).until(failing::passed);
        CountDownLatch next = new CountDownLatch(1);
        deadlines.start(next::countDown);

        assertThat(next.await(10, TimeUnit.SECONDS)).as("the next deadline still passes").isTrue();
        assertThat(deadlines.watcher().isAlive()).isTrue();
    }

    @Test
    void closeStopsTheWatcherAndPendingDeadlinesNeverPass() throws Exception {
        CallDeadlines deadlines = deadlines(Duration.ofSeconds(5));
        AtomicInteger cuts = new AtomicInteger();
        deadlines.start(cuts::incrementAndGet);
        assertThat(deadlines.watcher().isDaemon()).isTrue();

        deadlines.close();

        deadlines.watcher().join(10_000);
        assertThat(deadlines.watcher().isAlive()).isFalse();
        assertThat(cuts).hasValue(0);
        assertThat(deadlines.pending()).isZero();
    }

    @Test
    void closeStopsAWatcherAsleepUntilItsNextLookAtOnce() throws Exception {
        // a minute's deadlines: the watcher, asleep until a minute after its last look, is woken to stop
        CallDeadlines deadlines = deadlines(Duration.ofMinutes(1));
        await().atMost(Duration.ofSeconds(10)).until(() -> deadlines.looks() >= 1);

        deadlines.close();

        deadlines.watcher().join(10_000);
        assertThat(deadlines.watcher().isAlive()).isFalse();
    }

    @Test
    void aDeadlineMustHaveALength() {
        assertThatThrownBy(() -> new CallDeadlines("x", Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CallDeadlines("x", Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
