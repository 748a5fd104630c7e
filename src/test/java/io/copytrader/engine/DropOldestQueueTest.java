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
    void shouldKeepTheNewestElementWithACapacityOfOne() {
        DropOldestQueue<Integer> q = queue(1);

        q.offer(1);
        q.offer(2);

        assertThat(q).containsExactly(2);
        assertThat(dropped).containsExactly(1);
    }

    @Test
    void shouldHandOutAnUnkeyedQueuesElementsInOrderWhileTheEarlierOnesAreStillOut() {
        // no key, nothing to release: a taken element never holds the next back
        DropOldestQueue<Integer> q = queue(5);
        IntStream.rangeClosed(1, 3).forEach(q::offer);

        assertThat(List.of(q.poll(), q.poll(), q.poll())).containsExactly(1, 2, 3);
        assertThat(q.poll()).isNull();
    }

    @Test
    @Timeout(20)
    void shouldBlockATakeUntilAnElementIsOffered() throws Exception {
        DropOldestQueue<Integer> q = queue(5);
        var taken = new java.util.concurrent.CompletableFuture<Integer>();
        Thread taker = new Thread(() -> {
            try {
                taken.complete(q.take());
            } catch (InterruptedException e) {
                taken.completeExceptionally(e);
            }
        });
        taker.start();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> q.waitingTakers() == 1);
        assertThat(taken).isNotDone();

        q.offer(7);

        assertThat(taken.get(5, TimeUnit.SECONDS)).isEqualTo(7);
        assertThat(q).isEmpty();
    }

    @Test
    void shouldDrainTheOldestElementsUpToTheLimitAndCountThem() {
        DropOldestQueue<Integer> q = queue(5);
        IntStream.rangeClosed(1, 4).forEach(q::offer);
        List<Integer> drained = new ArrayList<>();

        assertThat(q.drainTo(drained, 2)).isEqualTo(2);
        assertThat(drained).containsExactly(1, 2);
        assertThat(q.drainTo(drained)).isEqualTo(2);
        assertThat(drained).containsExactly(1, 2, 3, 4);
        assertThat(q.drainTo(drained)).isZero();
        assertThat(q).isEmpty();
        assertThat(dropped).as("the caller took them over: neither dropped nor cleared").isEmpty();
        assertThat(cleared).isEmpty();
    }

    @Test
    @Timeout(20)
    void shouldLeaveTheQueueToOtherThreadsAfterBrowsingCountingOrDrainingIt() throws Exception {
        // a gauge (the queue length) or a browse reads the queue on another thread than the producers and consumers
        DropOldestQueue<String> q = keyed(10);
        q.offer("a1");
        assertThat(q.iterator().next()).isEqualTo("a1");
        assertThat(q.busyKeys()).isZero();
        assertThat(q.drainTo(new ArrayList<>())).isEqualTo(1);

        java.util.concurrent.CompletableFuture.runAsync(() -> q.offer("b1")).get(5, TimeUnit.SECONDS);
        assertThat(java.util.concurrent.CompletableFuture.supplyAsync(q::poll).get(5, TimeUnit.SECONDS)).isEqualTo("b1");
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

    // ---- keyed: one key's elements one at a time, in order; other keys concurrently

    final java.util.Map<String, Runnable> releases = new java.util.concurrent.ConcurrentHashMap<>();

    DropOldestQueue<String> keyed(int capacity) {
        return new DropOldestQueue<>(capacity, e -> e.substring(0, 1), (e, release) -> releases.put(e, release),
                e -> { }, e -> dropped.add(-1), e -> { });
    }

    @Test
    void shouldHoldBackAKeysNextElementUntilTheRunningOneIsReleased() throws Exception {
        DropOldestQueue<String> q = keyed(10);
        List.of("a1", "a2", "b1", "a3", "c1").forEach(q::offer);

        assertThat(q.poll()).isEqualTo("a1");
        assertThat(q.poll()).as("a2 waits behind a1; b1 is free").isEqualTo("b1");
        assertThat(q.poll()).isEqualTo("c1");
        assertThat(q.poll(10, TimeUnit.MILLISECONDS)).as("only a's are left, and a is busy").isNull();
        assertThat(q.size()).isEqualTo(2);

        releases.get("a1").run();
        releases.get("a1").run(); // a second release of the same element changes nothing
        assertThat(q.poll()).isEqualTo("a2");
        assertThat(q.poll()).isNull();
        releases.get("a2").run();
        assertThat(q.poll()).isEqualTo("a3");
    }

    // ---- joining: "aB1" is key a, group B; an element joins a taken one of its key and group

    final List<String> joinedTo = Collections.synchronizedList(new ArrayList<>());

    DropOldestQueue<String> joining(int capacity) {
        return new DropOldestQueue<>(capacity, e -> e.substring(0, 1), (e, release) -> releases.put(e, release),
                (taken, next) -> taken.charAt(1) == next.charAt(1),
                (taken, joined) -> joinedTo.add(taken + "<-" + joined), e -> { }, e -> dropped.add(-1), e -> { });
    }

    @Test
    void shouldHandOverTheKeysElementsThatJoinTheTakenOneUpToTheFirstThatMayNot() {
        DropOldestQueue<String> q = joining(10);
        List.of("aB1", "bB1", "aB2", "cS1", "aB3", "aS4", "aB5").forEach(q::offer);

        assertThat(q.poll()).isEqualTo("aB1");
        assertThat(joinedTo).containsExactly("aB1<-[aB2, aB3]");
        assertThat(q).as("aS4 may not join, so aB5 stays behind it").containsExactly("bB1", "cS1", "aS4", "aB5");
        assertThat(q.poll()).isEqualTo("bB1");
        assertThat(q.poll()).isEqualTo("cS1");
        assertThat(q.poll()).as("a is busy until aB1 is released").isNull();

        releases.get("aB1").run();
        assertThat(q.poll()).isEqualTo("aS4");
        releases.get("aS4").run();
        assertThat(q.poll()).isEqualTo("aB5");
        assertThat(joinedTo).as("nothing joins an element with no other of its key behind it").hasSize(1);
        assertThat(releases).doesNotContainKeys("aB2", "aB3");
    }

    @Test
    void shouldFreeTheRoomOfJoinedElements() {
        DropOldestQueue<String> q = joining(3);
        List.of("aB1", "aB2", "aB3").forEach(q::offer);

        assertThat(q.poll()).isEqualTo("aB1");
        List.of("bB1", "bB2", "bB3").forEach(q::offer);

        assertThat(q).containsExactly("bB1", "bB2", "bB3");
        assertThat(dropped).isEmpty();
    }

    @Test
    void shouldJoinWhatArrivedWhileTheKeyWasBusy() throws Exception {
        DropOldestQueue<String> q = joining(10);
        q.offer("aB1");
        assertThat(q.take()).isEqualTo("aB1");
        List.of("aB2", "aB3", "aB4").forEach(q::offer);

        releases.get("aB1").run();

        assertThat(q.poll(1, TimeUnit.SECONDS)).isEqualTo("aB2");
        assertThat(joinedTo).containsExactly("aB2<-[aB3, aB4]");
        assertThat(q).isEmpty();
    }

    @Test
    void shouldDropTheOldestWhateverItsKeyAndNeverHoldMoreThanTheCapacity() {
        DropOldestQueue<String> q = keyed(3);
        assertThat(q.poll()).isNull();
        q.offer("a1");
        assertThat(q.poll()).isEqualTo("a1"); // a is busy
        List.of("a2", "b1", "a3", "b2").forEach(q::offer);

        assertThat(q).containsExactly("b1", "a3", "b2");
        assertThat(dropped).hasSize(1);
        assertThat(q.poll()).isEqualTo("b1");
        releases.get("a1").run();
        assertThat(q.poll()).as("a2 was dropped; a3 is next of a").isEqualTo("a3");
    }

    @Test
    @Timeout(10)
    void shouldWakeAWaitingTakerOnlyWhenAnElementBecameTakeable() throws Exception {
        DropOldestQueue<String> q = keyed(10);
        q.offer("a1");
        q.offer("b1");
        assertThat(q.poll()).isEqualTo("a1");
        assertThat(q.poll()).isEqualTo("b1"); // a and b are busy
        var taken = takeInAThread(q);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> q.waitingTakers() == 1);

        long before = q.signals();
        q.offer("a2");
        assertThat(q.signals()).as("a2's key is busy: nobody can take it yet").isEqualTo(before);
        releases.get("b1").run();
        assertThat(q.signals()).as("b is free, but no b waits").isEqualTo(before);
        assertThat(q.waitingTakers()).isEqualTo(1);
        releases.get("a1").run();
        assertThat(q.signals()).as("a is free and a2 waits").isEqualTo(before + 1);
        assertThat(taken.get(5, TimeUnit.SECONDS)).isEqualTo("a2");

        var next = takeInAThread(q);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> q.waitingTakers() == 1);
        long beforeC = q.signals();
        q.offer("c1");
        assertThat(q.signals()).as("a free key's element wakes a taker").isEqualTo(beforeC + 1);
        assertThat(next.get(5, TimeUnit.SECONDS)).isEqualTo("c1");
    }

    /**
     * Woken for a shutdown: a taker waiting out a long poll goes at once, a held-back element stays held back (the
     * poll comes back empty after a moment), a free one is handed out; rearmed, a poll waits its timeout again.
     */
    @Test
    @Timeout(20)
    void shouldLetTakersGoWhenWokenAndHoldBackBusyKeysStill() throws Exception {
        DropOldestQueue<String> q = keyed(10);
        var waiting = takeInAThread(q, Duration.ofMinutes(10));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> q.waitingTakers() == 1);
        q.wakeTakers();
        assertThat(waiting.get(5, TimeUnit.SECONDS)).isNull();

        q.offer("a1");
        assertThat(q.poll(10, TimeUnit.MINUTES)).isEqualTo("a1");
        q.offer("a2");
        assertThat(q.poll(10, TimeUnit.MINUTES)).as("a is busy: nothing to take, and no ten-minute wait").isNull();
        assertThat(q.size()).isEqualTo(1);

        q.rearm();
        long start = System.nanoTime();
        assertThat(q.poll(100, TimeUnit.MILLISECONDS)).isNull();
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
        releases.get("a1").run();
        assertThat(q.poll(1, TimeUnit.SECONDS)).isEqualTo("a2");
    }

    // ---- waiting for a busy key: "aB1" is key a, side B; an S waits while elements of its key are out, a B does not

    DropOldestQueue<String> sidesWait(int capacity) {
        return new DropOldestQueue<>(capacity, e -> e.substring(0, 1), (e, release) -> releases.put(e, release),
                (taken, next) -> false, (taken, joined) -> { },
                e -> e.charAt(1) == 'S', e -> { }, e -> dropped.add(-1), e -> { });
    }

    @Test
    void shouldTakeWhatDoesNotWaitWhileItsKeyIsBusyButNeverPastAnOlderElementThatWaits() {
        DropOldestQueue<String> q = sidesWait(10);
        List.of("aS1", "aB2", "aB3", "aS4", "aB5").forEach(q::offer);

        assertThat(q.poll()).isEqualTo("aS1");
        assertThat(q.poll()).as("a B does not wait while a is busy").isEqualTo("aB2");
        assertThat(q.poll()).isEqualTo("aB3");
        assertThat(q.poll()).as("aS4 waits for the three, and aB5 never passes it").isNull();
        assertThat(q.busyKeys()).isEqualTo(1);

        releases.get("aS1").run();
        releases.get("aB2").run();
        assertThat(q.poll()).as("aB3 is still out").isNull();
        releases.get("aB3").run();
        assertThat(q.poll()).isEqualTo("aS4");
        assertThat(q.poll()).isEqualTo("aB5");
        releases.get("aS4").run();
        assertThat(q.busyKeys()).as("aB5 is out").isEqualTo(1);
        releases.get("aB5").run();
        assertThat(q.busyKeys()).isZero();
    }

    @Test
    void shouldJoinWhatMayJoinAnElementTakenWhileItsKeyIsBusyByDefault() {
        // B does not wait while its key is busy; a taken element's group (second letter) joins it
        DropOldestQueue<String> q = new DropOldestQueue<>(10, e -> e.substring(0, 1),
                (e, release) -> releases.put(e, release), (taken, next) -> taken.charAt(1) == next.charAt(1),
                (taken, joined) -> joinedTo.add(taken + "<-" + joined), e -> e.charAt(1) == 'S',
                e -> { }, e -> dropped.add(-1), e -> { });
        q.offer("aS1");
        assertThat(q.poll()).isEqualTo("aS1");
        List.of("aB2", "aB3").forEach(q::offer);

        assertThat(q.poll()).as("taken while aS1 is out").isEqualTo("aB2");
        assertThat(joinedTo).containsExactly("aB2<-[aB3]");
    }

    @Test
    void shouldWakeATakerForTheNextElementWhenItMayBeTakenToo() throws Exception {
        DropOldestQueue<String> q = sidesWait(10);
        q.offer("aB1");
        assertThat(q.poll()).isEqualTo("aB1");
        q.offer("aS2");
        q.offer("aB3");
        var first = takeInAThread(q);
        var second = takeInAThread(q);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> q.waitingTakers() == 2);

        // one release makes aS2 takeable; its taker wakes another for aB3, which does not wait while a is busy
        releases.get("aB1").run();
        assertThat(List.of(first.get(5, TimeUnit.SECONDS), second.get(5, TimeUnit.SECONDS)))
                .containsExactlyInAnyOrder("aS2", "aB3");
    }

    @Test
    void shouldWakeATakerOnlyForAnElementThatMayBeTakenNow() throws Exception {
        DropOldestQueue<String> q = sidesWait(10);
        q.offer("aB1");
        assertThat(q.poll()).isEqualTo("aB1");
        var taker = takeInAThread(q);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> q.waitingTakers() == 1);
        long before = q.signals();

        q.offer("aS2");
        assertThat(q.signals()).as("aS2 waits for aB1").isEqualTo(before);
        q.offer("aB3");
        assertThat(q.signals()).as("aB3 waits behind aS2").isEqualTo(before);
        releases.get("aB1").run();
        assertThat(taker.get(5, TimeUnit.SECONDS)).isEqualTo("aS2");
        assertThat(q.poll()).isEqualTo("aB3");
        q.offer("aB4");
        assertThat(q.signals()).as("aB4 does not wait while aS2 and aB3 are out").isGreaterThan(before + 1);
    }

    /**
     * A full queue drops its oldest element, which may be the one that held its key's next back: that next may go now,
     * and a waiting taker is woken for it, as a release would (not left waiting for the key's next release).
     */
    @Test
    @Timeout(20)
    void shouldWakeATakerWhenTheDropOfAHeldBackElementLetsTheNextOfItsKeyGo() throws Exception {
        DropOldestQueue<String> q = sidesWait(2);
        q.offer("aB1");
        assertThat(q.poll()).isEqualTo("aB1");
        q.offer("aS2");
        q.offer("aB3");
        var taker = takeInAThread(q, Duration.ofMinutes(10));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> q.waitingTakers() == 1);

        q.offer("aB4"); // full: aS2, which held aB3 back while aB1 is out, is dropped

        assertThat(dropped).hasSize(1);
        assertThat(taker.get(5, TimeUnit.SECONDS)).as("aB3 does not wait while a is busy").isEqualTo("aB3");
        assertThat(q).containsExactly("aB4");
    }

    // ---- a gate: "aB1" is key a, side B; everything waits while an element of its key is unsettled (being sized),
    // and an S waits while elements of its key are out unless the gate is open (the settled shares cover it)

    final java.util.Map<String, DropOldestQueue<String>.Hold> holds = new java.util.concurrent.ConcurrentHashMap<>();
    final java.util.concurrent.atomic.AtomicBoolean sellsGo = new java.util.concurrent.atomic.AtomicBoolean();

    DropOldestQueue<String> gated(int capacity) {
        return new DropOldestQueue<>(capacity, e -> e.substring(0, 1), (e, hold) -> holds.put(e, hold),
                (taken, next) -> false, (taken, joined) -> { },
                (DropOldestQueue.KeyGate<String>) (e, taken, unsettled) -> unsettled > 0 || e.charAt(1) == 'S' && !sellsGo.get(),
                e -> { }, e -> dropped.add(-1), e -> { });
    }

    @Test
    void shouldHoldAKeyWhileAnElementOfItIsUnsettledAndAskTheGateWithWhatIsOut() {
        DropOldestQueue<String> q = gated(10);
        List.of("aB1", "aB2", "bB1", "aS3", "aB4").forEach(q::offer);

        assertThat(q.poll()).isEqualTo("aB1");
        assertThat(q.poll()).as("aB2 waits while aB1 is unsettled; bB1 is free").isEqualTo("bB1");
        assertThat(q.poll()).isNull();
        holds.get("aB1").settle();
        holds.get("aB1").settle(); // a second settle changes nothing
        assertThat(q.poll()).as("a B goes once what is out is settled").isEqualTo("aB2");
        holds.get("aB2").settle();
        assertThat(q.poll()).as("aS3 waits for aB1 and aB2, the gate closed").isNull();

        sellsGo.set(true);
        assertThat(q.poll()).as("the gate open: aS3 goes while aB1 and aB2 are out").isEqualTo("aS3");
        assertThat(q.poll()).as("aB4 waits while aS3 is unsettled").isNull();
        holds.get("aS3").run(); // released before it was settled: settled too
        holds.get("aS3").settle(); // after the release, nothing
        assertThat(q.poll()).isEqualTo("aB4");
        assertThat(q.busyKeys()).as("aB1, aB2 and aB4 of a and bB1 are out").isEqualTo(2);
        List.of("aB1", "aB2", "aB4", "bB1").forEach(e -> holds.get(e).run());
        assertThat(q.busyKeys()).isZero();
    }

    @Test
    void shouldWakeATakerWhenASettleOrAReleaseLetsTheOldestOfItsKeyGo() throws Exception {
        DropOldestQueue<String> q = gated(10);
        q.offer("aB1");
        assertThat(q.poll()).isEqualTo("aB1");
        q.offer("aS2");
        q.offer("aB3");
        var taker = takeInAThread(q);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> q.waitingTakers() == 1);
        long before = q.signals();

        holds.get("aB1").settle();
        assertThat(q.signals()).as("aS2 still waits: the gate is closed").isEqualTo(before);
        sellsGo.set(true);
        holds.get("aB1").run();
        assertThat(taker.get(5, TimeUnit.SECONDS)).isEqualTo("aS2");
        assertThat(q.poll()).as("aB3 waits while aS2 is unsettled").isNull();
        var next = takeInAThread(q);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> q.waitingTakers() == 1);
        holds.get("aS2").settle();
        assertThat(next.get(5, TimeUnit.SECONDS)).isEqualTo("aB3");
    }

    /** A consumer on a thread of its own, waiting up to 5 s for an element. */
    private static java.util.concurrent.CompletableFuture<String> takeInAThread(DropOldestQueue<String> q) {
        return takeInAThread(q, Duration.ofSeconds(5));
    }

    /** A consumer on a thread of its own, waiting up to {@code wait} for an element. */
    private static java.util.concurrent.CompletableFuture<String> takeInAThread(DropOldestQueue<String> q, Duration wait) {
        var taken = new java.util.concurrent.CompletableFuture<String>();
        new Thread(() -> {
            try {
                taken.complete(q.poll(wait.toNanos(), TimeUnit.NANOSECONDS));
            } catch (InterruptedException e) {
                taken.completeExceptionally(e);
            }
        }).start();
        return taken;
    }
}
