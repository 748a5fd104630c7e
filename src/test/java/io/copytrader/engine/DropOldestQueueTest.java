package io.copytrader.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class DropOldestQueueTest {
    final List<Integer> enqueued = Collections.synchronizedList(new ArrayList<>());
    final List<Integer> dropped = Collections.synchronizedList(new ArrayList<>());
    final List<Integer> cleared = Collections.synchronizedList(new ArrayList<>());

    DropOldestQueue<Integer> queue(int capacity) {
        return new DropOldestQueue<>(capacity, enqueued::add, dropped::add, cleared::add);
    }

    @Test
    void shouldDropExactlyTheOldestInOrderWhenFull() {
        DropOldestQueue<Integer> q = queue(3);

        for (int i = 1; i <= 7; i++) {
            assertThat(q.offer(i)).isTrue();
            assertThat(q.size()).isLessThanOrEqualTo(3);
        }

        assertThat(q).containsExactly(5, 6, 7);
        assertThat(dropped).containsExactly(1, 2, 3, 4);
        assertThat(enqueued).containsExactly(1, 2, 3, 4, 5, 6, 7);
        assertThat(cleared).isEmpty();
    }

    @Test
    void shouldDropNothingWhileThereIsRoom() {
        DropOldestQueue<Integer> q = queue(3);

        q.offer(1);
        q.offer(2);
        q.poll();
        q.offer(3);
        q.offer(4);

        assertThat(q).containsExactly(2, 3, 4);
        assertThat(dropped).isEmpty();
    }

    @Test
    void shouldNeverBlockOrThrowOnAFullQueueWhicheverWayAnElementIsAdded() throws Exception {
        DropOldestQueue<Integer> q = queue(2);
        q.offer(1);
        q.offer(2);

        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            assertThat(q.add(3)).isTrue();
            q.put(4);
            assertThat(q.offer(5, 1, TimeUnit.HOURS)).isTrue();
            assertThat(q.addAll(List.of(6, 7))).isTrue();
        });

        assertThat(q).containsExactly(6, 7);
        assertThat(dropped).containsExactly(1, 2, 3, 4, 5);
        assertThat(enqueued).containsExactly(1, 2, 3, 4, 5, 6, 7);
    }

    @Test
    void shouldReportEveryLeftoverWhenCleared() {
        DropOldestQueue<Integer> q = queue(5);
        IntStream.rangeClosed(1, 4).forEach(q::offer);

        q.clear();

        assertThat(q).isEmpty();
        assertThat(cleared).containsExactly(1, 2, 3, 4);
        assertThat(dropped).isEmpty();
    }

    @Test
    void shouldReportNothingWhenAnEmptyQueueIsCleared() {
        queue(5).clear();

        assertThat(cleared).isEmpty();
    }

    @Test
    @Timeout(20)
    void shouldLoseNothingWithConcurrentProducersAndConsumers() throws Exception {
        int producers = 4;
        int perProducer = 5_000;
        int consumers = 2;
        DropOldestQueue<Integer> q = queue(16);
        List<Integer> consumed = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch producing = new CountDownLatch(producers);
        AtomicInteger overCapacity = new AtomicInteger();

        // threads 0..3 produce, 4..5 consume until every producer is done and the queue is empty
        Race.run(producers + consumers, 15, thread -> {
            if (thread < producers) {
                for (int i = 0; i < perProducer; i++) {
                    q.offer(thread * perProducer + i);
                }
                producing.countDown();
                return;
            }
            while (true) {
                if (q.size() > 16) {
                    overCapacity.incrementAndGet();
                }
                Integer e = q.poll(1, TimeUnit.MILLISECONDS);
                if (e != null) {
                    consumed.add(e);
                } else if (producing.getCount() == 0) {
                    return;
                }
            }
        });
        q.clear();

        int total = producers * perProducer;
        List<Integer> accounted = new ArrayList<>(consumed);
        accounted.addAll(dropped);
        accounted.addAll(cleared);
        assertThat(accounted).hasSize(total);
        assertThat(new HashSet<>(accounted)).hasSize(total);
        assertThat(enqueued).hasSize(total);
        assertThat(overCapacity).hasValue(0);
    }

    @Test
    void shouldDropEachProducersOwnElementsInTheOrderTheyWereAdded() {
        // a single producer's drops are a prefix of what it added, in order
        DropOldestQueue<Integer> q = queue(10);
        IntStream.range(0, 1000).forEach(q::offer);

        Set<Integer> kept = new HashSet<>(q);
        assertThat(dropped).containsExactlyElementsOf(IntStream.range(0, 990).boxed().toList());
        assertThat(kept).containsExactlyInAnyOrderElementsOf(IntStream.range(990, 1000).boxed().toList());
    }
}
