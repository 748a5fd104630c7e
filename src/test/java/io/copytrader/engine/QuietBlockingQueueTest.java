package io.copytrader.engine;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

@Timeout(30)
class QuietBlockingQueueTest {
    /** A thread per task: the takers block, and the common pool may have fewer threads than they are. */
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    @Test
    void shouldKeepOrderAndItsBound() throws Exception {
        QuietBlockingQueue<String> q = new QuietBlockingQueue<>(3);
        assertThat(q.offer("a")).isTrue();
        assertThat(q.offer("b", 1, TimeUnit.MILLISECONDS)).isTrue();
        q.put("c");
        assertThat(q.offer("d")).as("full").isFalse();
        assertThat(q.offer("d", 20, TimeUnit.MILLISECONDS)).as("still full after waiting").isFalse();
        assertThat(q.size()).isEqualTo(3);
        assertThat(q.remainingCapacity()).isZero();
        assertThat(q.peek()).isEqualTo("a");
        assertThat(q.poll()).isEqualTo("a");
        assertThat(q.remainingCapacity()).isEqualTo(1);
        assertThat(q.take()).isEqualTo("b");
        assertThat(q.poll(1, TimeUnit.SECONDS)).isEqualTo("c");
        assertThat(q.poll()).isNull();
        assertThat(q.peek()).isNull();
        assertThat(q.emptyPolls()).as("no timed poll came back empty").isZero();
    }

    @Test
    void shouldLetAWaitingProducerInWhenATakerMakesRoom() throws Exception {
        QuietBlockingQueue<String> q = new QuietBlockingQueue<>(1);
        q.put("first");
        CompletableFuture<Boolean> offered = CompletableFuture.supplyAsync(() -> {
            try {
                return q.offer("second", 20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, threads);
        CompletableFuture<Void> put = CompletableFuture.runAsync(() -> {
            try {
                q.put("third");
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, threads);
        assertThat(q.take()).isEqualTo("first");
        String next = q.poll(20, TimeUnit.SECONDS);
        assertThat(next).isIn("second", "third");
        assertThat(q.poll(20, TimeUnit.SECONDS)).isIn("second", "third").isNotEqualTo(next);
        assertThat(offered.get(20, TimeUnit.SECONDS)).isTrue();
        put.get(20, TimeUnit.SECONDS);
    }

    @Test
    void shouldHandATimedPollWhatArrivesWhileItWaitsAndNullWhenItsTimeoutRunsOut() throws Exception {
        QuietBlockingQueue<String> q = new QuietBlockingQueue<>(5);
        CompletableFuture<String> taken = CompletableFuture.supplyAsync(() -> poll(q, 20_000), threads);
        await().atMost(Duration.ofSeconds(10)).until(() -> waiting(q));
        q.offer("x");
        assertThat(taken.get(20, TimeUnit.SECONDS)).isEqualTo("x");

        long start = System.nanoTime();
        assertThat(q.poll(100, TimeUnit.MILLISECONDS)).isNull();
        assertThat(System.nanoTime() - start).as("waited its timeout").isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
        assertThat(q.emptyPolls()).isEqualTo(1);
    }

    @Test
    void shouldLetEveryWaitingTakerGoWhenWokenUntilRearmed() throws Exception {
        QuietBlockingQueue<String> q = new QuietBlockingQueue<>(5);
        List<CompletableFuture<String>> takers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            takers.add(CompletableFuture.supplyAsync(() -> poll(q, 600_000), threads));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> q.waitingTakers() == 4);

        q.wakeTakers();
        for (CompletableFuture<String> t : takers) {
            assertThat(t.get(10, TimeUnit.SECONDS)).as("woken long before its ten minutes").isNull();
        }
        assertThat(q.emptyPolls()).isEqualTo(4);
        // woken: a timed poll of an empty queue waits a moment only, and elements are still handed out
        long woken = System.nanoTime();
        assertThat(q.poll(600, TimeUnit.SECONDS)).isNull();
        assertThat(System.nanoTime() - woken).isLessThan(TimeUnit.SECONDS.toNanos(10));
        q.offer("late");
        assertThat(q.poll(600, TimeUnit.SECONDS)).isEqualTo("late");

        q.rearm();
        long start = System.nanoTime();
        assertThat(q.poll(100, TimeUnit.MILLISECONDS)).isNull();
        assertThat(System.nanoTime() - start).as("rearmed: waits its timeout again")
                .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
    }

    @Test
    void shouldDrainRemoveClearAndIterateOverACopy() throws Exception {
        QuietBlockingQueue<String> q = new QuietBlockingQueue<>(10);
        for (String s : List.of("a", "b", "c", "d", "b")) {
            q.put(s);
        }
        Iterator<String> it = q.iterator();
        assertThat(q.remove("b")).as("first occurrence").isTrue();
        assertThat(q.remove("z")).isFalse();
        assertThat(it).toIterable().containsExactly("a", "b", "c", "d", "b");
        assertThat(q).containsExactly("a", "c", "d", "b");
        List<String> out = new ArrayList<>();
        assertThat(q.drainTo(out, 2)).isEqualTo(2);
        assertThat(out).containsExactly("a", "c");
        assertThat(q.drainTo(out)).isEqualTo(2);
        assertThat(out).containsExactly("a", "c", "d", "b");
        assertThat(q).isEmpty();
        q.put("e");
        q.clear();
        assertThat(q.size()).isZero();
        assertThat(q.remainingCapacity()).isEqualTo(10);
        assertThatThrownBy(() -> q.drainTo(q)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> q.offer(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new QuietBlockingQueue<String>(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 1");
    }

    private static String poll(QuietBlockingQueue<String> q, long millis) {
        try {
            return q.poll(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean waiting(QuietBlockingQueue<String> q) {
        return q.waitingTakers() == 1;
    }
}
