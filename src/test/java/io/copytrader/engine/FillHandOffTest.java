package io.copytrader.engine;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The fill aggregator's executor: a full hand-off makes the completing thread wait, never run the group itself. */
@Timeout(30)
class FillHandOffTest {
    private final FillHandOff handOff = new FillHandOff("Camel (test) Aggregator aggregate-fills", 2);
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void stop() {
        release.countDown();
        handOff.shutdownNow();
    }

    /** Occupies the hand-off's thread until {@link #release}. */
    private void occupy() throws InterruptedException {
        CountDownLatch running = new CountDownLatch(1);
        handOff.execute(() -> {
            running.countDown();
            awaitRelease();
        });
        assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
    }

    /** The capacity (two) taken: one task running until {@link #release}, one waiting behind it. */
    private void fillToCapacity() throws InterruptedException {
        occupy();
        handOff.execute(() -> { });
    }

    private void awaitRelease() {
        try {
            release.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A thread that hands {@code task} off; it waits there while the hand-off is full. */
    private static Thread handingOff(FillHandOff handOff, Runnable task, AtomicReference<Throwable> failure) {
        Thread t = new Thread(() -> {
            try {
                handOff.execute(task);
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "completing");
        t.start();
        return t;
    }

    private static void awaitWaiting(Thread t) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5))
                .until(() -> t.getState() == Thread.State.TIMED_WAITING || t.getState() == Thread.State.WAITING);
    }

    @Test
    void shouldRunTasksInTheirOrderOnItsOwnThread() throws Exception {
        List<String> ran = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(5);
        for (int i = 0; i < 5; i++) {
            int n = i;
            handOff.execute(() -> {
                // a daemon: a hand-off left running does not keep the JVM up
                ran.add(n + " " + Thread.currentThread().getName() + (Thread.currentThread().isDaemon() ? "" : " (not a daemon)"));
                done.countDown();
            });
        }
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(ran).containsExactly("0 Camel (test) Aggregator aggregate-fills",
                "1 Camel (test) Aggregator aggregate-fills", "2 Camel (test) Aggregator aggregate-fills",
                "3 Camel (test) Aggregator aggregate-fills", "4 Camel (test) Aggregator aggregate-fills");
    }

    @Test
    void shouldMakeTheCompletingThreadWaitWhileFullAndRunItsTaskOnItsOwnThreadAfter() throws Exception {
        fillToCapacity();
        // 1. one runs and one waits behind it, the capacity: the next completing thread waits, and its task is not run
        AtomicReference<String> ranOn = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Logger log = (Logger) LoggerFactory.getLogger(FillHandOff.class);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        log.addAppender(logged);
        Thread completing;
        try {
            completing = handingOff(handOff, () -> ranOn.set(Thread.currentThread().getName()), failure);
            awaitWaiting(completing);
        } finally {
            log.detachAppender(logged);
        }
        assertThat(ranOn.get()).isNull();
        assertThat(handOff.waits()).isEqualTo(1);
        // one WARN line says why detection slows (the next ones at most every 10 s, with their count)
        assertThat(logged.list).singleElement().satisfies(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.WARN);
            assertThat(e.getFormattedMessage()).startsWith("Detection waited for the fill aggregator")
                    .contains("1 since the last such line");
        });
        // 2. room again: the task is queued and run on the hand-off's thread, never on the completing one
        release.countDown();
        completing.join(10_000);
        await().atMost(Duration.ofSeconds(10)).until(() -> ranOn.get() != null);
        assertThat(ranOn.get()).isEqualTo("Camel (test) Aggregator aggregate-fills");
        assertThat(failure.get()).isNull();
    }

    @Test
    void shouldFreeThePlaceOfATaskThatThrew() throws Exception {
        for (int i = 1; i <= 3; i++) {
            handOff.execute(() -> {
                throw new IllegalStateException("a group's route failed");
            });
            long thrown = i;
            // the task's exception ends the thread (a new one takes its place), as in any ThreadPoolExecutor
            await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(10)).until(() -> handOff.getCompletedTaskCount() == thrown);
        }
        // three that threw, on a capacity of two: their places are free again, so two more go in without a wait
        fillToCapacity();
        assertThat(handOff.waits()).isZero();
    }

    @Test
    void shouldRefuseAWaitingTaskOnceShutDown() throws Exception {
        fillToCapacity();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread completing = handingOff(handOff, () -> { }, failure);
        awaitWaiting(completing);
        handOff.shutdown();
        completing.join(10_000);
        assertThat(completing.isAlive()).isFalse();
        assertThat(failure.get()).isInstanceOf(RejectedExecutionException.class).hasMessageContaining("shut down");
    }

    @Test
    void shouldRefuseAWaitingTaskWhoseThreadIsInterruptedAndKeepTheInterrupt() throws Exception {
        fillToCapacity();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CompletableFuture<Boolean> interrupted = new CompletableFuture<>();
        Thread completing = new Thread(() -> {
            try {
                handOff.execute(() -> { });
            } catch (Throwable e) {
                failure.set(e);
            }
            interrupted.complete(Thread.currentThread().isInterrupted());
        });
        completing.start();
        awaitWaiting(completing);
        completing.interrupt();
        assertThat(interrupted.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(failure.get()).isInstanceOf(RejectedExecutionException.class).hasMessageContaining("Interrupted");
    }

    @Test
    void shouldNotMakeItsOwnThreadWaitForItself() throws Exception {
        // a task on the hand-off's thread completing groups while full: queued, though past the capacity
        CountDownLatch inner = new CountDownLatch(4);
        CountDownLatch queued = new CountDownLatch(1);
        handOff.execute(() -> {
            for (int i = 0; i < 4; i++) {
                handOff.execute(inner::countDown);
            }
            queued.countDown();
        });
        assertThat(queued.await(10, TimeUnit.SECONDS)).as("its own thread did not wait").isTrue();
        assertThat(inner.await(10, TimeUnit.SECONDS)).isTrue();
        // and the places of those over the capacity were not taken from others: two fit again at once
        await().atMost(Duration.ofSeconds(10)).until(() -> handOff.getCompletedTaskCount() == 5);
        fillToCapacity();
        assertThat(handOff.waits()).isZero();
    }

    @Test
    void shouldRefuseACapacityBelowOne() {
        assertThatThrownBy(() -> new FillHandOff("x", 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 1");
        new FillHandOff("x", 1).shutdown();
    }

    @Test
    void shouldRefuseATaskOnceShutDown() {
        handOff.shutdown();
        assertThatThrownBy(() -> handOff.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
        assertThat(handOff.waits()).isZero();
    }
}
