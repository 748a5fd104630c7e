package io.copytrader.engine;

import java.util.AbstractQueue;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.BiPredicate;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A bounded queue that never refuses: when full, it drops the <em>oldest</em> waiting element to make room and
 * reports it, so detection never blocks and the freshest trades are the ones copied. What is cleared away (on
 * shutdown or a purge) is reported too, never lost silently.
 *
 * <p>Keyed (docs/ordering.md): each element may carry an ordering key. A key is <em>busy</em> while elements of it
 * that were taken are not yet {@linkplain Hold#run() released}, and <em>unsettled</em> while some of those are not yet
 * {@linkplain Hold#settle() settled} either (a taken element is unsettled until its taker settles or releases it). A
 * taker gets the oldest waiting element that is not held back: by default every element waits while its key is busy,
 * so elements of one key are handed out one at a time, in the order they were added, while elements of other keys are
 * handed out concurrently; optionally a {@linkplain KeyGate gate} decides, from how many elements of its key are out
 * and how many of them are unsettled, whether a waiting element waits; one that does not is taken while elements of
 * its key are out, never before an older element of its key. Elements without a key (null) are never held back. The
 * capacity bounds everything waiting, whatever its key.
 *
 * <p>Joining (optional): a taker of a keyed element also takes the elements of the same key waiting right behind it
 * that may {@linkplain #DropOldestQueue(int, Function, BiConsumer, BiPredicate, BiConsumer, Consumer, Consumer, Consumer)
 * join} it, up to the first of that key that may not, so what is left of the key stays in order; they are handed to
 * the taker with it, to be worked on as one.
 */
public final class DropOldestQueue<E> extends AbstractQueue<E> implements BlockingQueue<E>, WakeableTakers {
    /** Whether a waiting keyed element is held back, given its key's taken elements. Asked under the queue's lock. */
    @FunctionalInterface
    public interface KeyGate<E> {
        /**
         * @param waiting   the oldest waiting element of its key
         * @param taken     elements of its key taken and not yet released (at least 1: asked only of a busy key)
         * @param unsettled how many of those are not yet settled either
         */
        boolean holdsBack(E waiting, int taken, int unsettled);

        /**
         * Whether {@code next} may join {@code taken}, taken while elements of their key were out (asked after the
         * queue's {@code joins} said yes); by default it may.
         */
        default boolean joinsWhileOut(E taken, E next) {
            return true;
        }
    }

    /**
     * A taken keyed element's hold on its key: {@link #run()} releases it (exactly once counts, whatever the element's
     * end), {@link #settle()} keeps the key busy but no longer unsettled. Releasing settles too.
     */
    public final class Hold implements Runnable {
        private final String key;
        private boolean settled;
        private boolean released;

        private Hold(String key) {
            this.key = key;
        }

        /** The element no longer holds its key unsettled (once; after a release, nothing). */
        public void settle() {
            synchronized (this) {
                if (settled || released) {
                    return;
                }
                settled = true;
            }
            settled(key);
        }

        /** Releases the element's hold on its key (once). */
        @Override
        public void run() {
            boolean wasSettled;
            synchronized (this) {
                if (released) {
                    return;
                }
                released = true;
                wasSettled = settled;
                settled = true;
            }
            released(key, !wasSettled);
        }
    }

    private final int capacity;
    private final Function<E, String> keyOf;
    private final BiConsumer<E, Hold> onTake;
    private final BiPredicate<E, E> joins;
    private final BiConsumer<E, List<E>> onJoin;
    private final KeyGate<E> gate;
    private final Consumer<E> onEnqueue;
    private final Consumer<E> onDrop;
    private final Consumer<E> onClear;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition takeable = lock.newCondition();
    private final LinkedList<E> waiting = new LinkedList<>();
    /** Per busy key, how many taken elements of it are not yet released. */
    private final Map<String, Integer> busy = new HashMap<>();
    /** Per key, how many of its taken elements are neither settled nor released. */
    private final Map<String, Integer> unsettled = new HashMap<>();
    /** Keys whose oldest waiting element was found held back in the scan under way. Under the lock. */
    private final Set<String> heldBack = new HashSet<>();
    /** Wake-ups sent so far (see {@link #signals()}). */
    private long signals;
    /** Timed polls wait a moment only ({@link #wakeTakers()}); guarded by lock. */
    private boolean woken;

    /** An unkeyed queue: plain FIFO. */
    public DropOldestQueue(int capacity, Consumer<E> onEnqueue, Consumer<E> onDrop, Consumer<E> onClear) {
        this(capacity, e -> null, (e, release) -> { }, onEnqueue, onDrop, onClear);
    }

    /**
     * @param keyOf  the element's ordering key, or null for none
     * @param onTake called with a taken keyed element and its {@link Hold} on its key: run it when the element's work
     *               is over, whatever its end (it releases the key); settle it earlier if the gate asks
     */
    public DropOldestQueue(int capacity, Function<E, String> keyOf, BiConsumer<E, Hold> onTake,
                           Consumer<E> onEnqueue, Consumer<E> onDrop, Consumer<E> onClear) {
        this(capacity, keyOf, onTake, (taken, next) -> false, (taken, joined) -> { }, onEnqueue, onDrop, onClear);
    }

    /**
     * @param keyOf  the element's ordering key, or null for none
     * @param onTake called with a taken keyed element and the action that releases its key (run it exactly once,
     *               when the element's work is over, whatever its end)
     * @param joins  whether a waiting element of the taken element's key may join it (asked of the elements of that
     *               key behind it, in order, until one may not)
     * @param onJoin called, before {@code onTake}, with a taken element and the elements that joined it (oldest first),
     *               when any did; they left the queue with it and are the taker's to finish
     */
    public DropOldestQueue(int capacity, Function<E, String> keyOf, BiConsumer<E, Hold> onTake,
                           BiPredicate<E, E> joins, BiConsumer<E, List<E>> onJoin,
                           Consumer<E> onEnqueue, Consumer<E> onDrop, Consumer<E> onClear) {
        this(capacity, keyOf, onTake, joins, onJoin, e -> true, onEnqueue, onDrop, onClear);
    }

    /**
     * As above, and
     * @param waitsForKey whether a waiting keyed element waits while its key is busy (elements of it taken and not
     *                    yet released); one that does not is taken even then, but never before an older element of
     *                    its key. The 8-argument form: every element waits (one element of a key out at a time).
     */
    public DropOldestQueue(int capacity, Function<E, String> keyOf, BiConsumer<E, Hold> onTake,
                           BiPredicate<E, E> joins, BiConsumer<E, List<E>> onJoin, Predicate<E> waitsForKey,
                           Consumer<E> onEnqueue, Consumer<E> onDrop, Consumer<E> onClear) {
        this(capacity, keyOf, onTake, joins, onJoin, (KeyGate<E>) (e, taken, unsettled) -> taken > 0 && waitsForKey.test(e),
                onEnqueue, onDrop, onClear);
    }

    /**
     * As above, and
     * @param gate whether a waiting keyed element is held back, from how many elements of its key are out and how many
     *             of those are unsettled; asked again whenever an element of its key is settled or released. It may
     *             read state other than the queue's (under the queue's lock: it must not take a lock held while
     *             calling into this queue); when that state changes, an element of the key is settled or released.
     */
    public DropOldestQueue(int capacity, Function<E, String> keyOf, BiConsumer<E, Hold> onTake,
                           BiPredicate<E, E> joins, BiConsumer<E, List<E>> onJoin, KeyGate<E> gate,
                           Consumer<E> onEnqueue, Consumer<E> onDrop, Consumer<E> onClear) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, but was " + capacity);
        }
        this.capacity = capacity;
        this.keyOf = keyOf;
        this.onTake = onTake;
        this.joins = joins;
        this.onJoin = onJoin;
        this.gate = gate;
        this.onEnqueue = onEnqueue;
        this.onDrop = onDrop;
        this.onClear = onClear;
    }

    @Override
    public boolean offer(E e) {
        if (e == null) {
            throw new NullPointerException("null element");
        }
        List<E> dropped = new ArrayList<>(1);
        lock.lock();
        try {
            while (waiting.size() >= capacity) {
                dropped.add(waiting.removeFirst());
            }
            waiting.addLast(e);
            // an element held back cannot be taken before a release, which signals then: waking a consumer now
            // would only have it find nothing and wait again
            if (takeable(e, keyOf.apply(e))) {
                signal();
            }
            // a dropped element may have held back the next of its key, which may be taken now
            for (E d : dropped) {
                String key = keyOf.apply(d);
                E next = key == null ? null : oldestWaiting(key);
                if (next != null && next != e && !isHeldBack(next, key)) {
                    signal();
                }
            }
        } finally {
            lock.unlock();
        }
        dropped.forEach(onDrop);
        onEnqueue.accept(e);
        return true;
    }

    @Override
    public boolean add(E e) {
        return offer(e);
    }

    @Override
    public void put(E e) {
        offer(e);
    }

    @Override
    public boolean offer(E e, long timeout, TimeUnit unit) {
        return offer(e);
    }

    @Override
    public E poll() {
        E taken;
        List<E> joined = new ArrayList<>(0);
        lock.lock();
        try {
            taken = takeEligible(joined);
        } finally {
            lock.unlock();
        }
        return handOut(taken, joined);
    }

    @Override
    public E poll(long timeout, TimeUnit unit) throws InterruptedException {
        long nanos = unit.toNanos(timeout);
        E taken;
        List<E> joined = new ArrayList<>(0);
        lock.lockInterruptibly();
        try {
            while ((taken = takeEligible(joined)) == null) {
                if (woken) {
                    nanos = Math.min(nanos, WOKEN_WAIT_NANOS);
                }
                if (nanos <= 0) {
                    return null;
                }
                nanos = takeable.awaitNanos(nanos);
            }
        } finally {
            lock.unlock();
        }
        return handOut(taken, joined);
    }

    @Override
    public E take() throws InterruptedException {
        E taken;
        List<E> joined = new ArrayList<>(0);
        lock.lockInterruptibly();
        try {
            while ((taken = takeEligible(joined)) == null) {
                takeable.await();
            }
        } finally {
            lock.unlock();
        }
        return handOut(taken, joined);
    }

    /**
     * The oldest element not held back (by its busy key, or by an older element of its key that is), removed, its key
     * made busy one more time, and into {@code joined} the elements of its key behind it that may join it; null if
     * none. Under the lock.
     */
    private E takeEligible(List<E> joined) {
        heldBack.clear();
        ListIterator<E> it = waiting.listIterator();
        while (it.hasNext()) {
            E e = it.next();
            String key = keyOf.apply(e);
            if (key == null) {
                it.remove();
                return e;
            }
            if (heldBack.contains(key)) {
                continue;
            }
            if (isHeldBack(e, key)) {
                heldBack.add(key); // nothing of its key may pass it
                continue;
            }
            it.remove();
            takeJoining(e, key, it, joined, busy.containsKey(key));
            busy.merge(key, 1, Integer::sum);
            unsettled.merge(key, 1, Integer::sum);
            E next = oldestWaiting(key);
            if (next != null && !isHeldBack(next, key)) {
                // the next of its key may be taken at once too
                signal();
            }
            return e;
        }
        return null;
    }

    /** Whether {@code e} of {@code key} waits because of its key's taken elements. Under the lock. */
    private boolean isHeldBack(E e, String key) {
        Integer taken = busy.get(key);
        return taken != null && gate.holdsBack(e, taken, unsettled.getOrDefault(key, 0));
    }

    /**
     * Removes the elements of {@code key} after {@code taken} that may join it, up to the first that may not
     * ({@code out}: elements of the key were out when it was taken, and the gate has its say too).
     */
    private void takeJoining(E taken, String key, ListIterator<E> it, List<E> joined, boolean out) {
        while (it.hasNext()) {
            E next = it.next();
            if (!key.equals(keyOf.apply(next))) {
                continue;
            }
            if (!joins.test(taken, next) || out && !gate.joinsWhileOut(taken, next)) {
                return;
            }
            it.remove();
            joined.add(next);
        }
    }

    private E handOut(E taken, List<E> joined) {
        if (taken != null && !joined.isEmpty()) {
            onJoin.accept(taken, List.copyOf(joined));
        }
        if (taken != null) {
            String key = keyOf.apply(taken);
            if (key != null) {
                onTake.accept(taken, new Hold(key));
            }
        }
        return taken;
    }

    /** One taken element of a key is settled: the oldest waiting element of the key may be takeable now. */
    private void settled(String key) {
        lock.lock();
        try {
            decrement(unsettled, key);
            wakeForOldest(key);
        } finally {
            lock.unlock();
        }
    }

    /** One taken element of a key is released (and settled, if it was not): its oldest waiting element may go now. */
    private void released(String key, boolean alsoSettled) {
        lock.lock();
        try {
            decrement(busy, key);
            if (alsoSettled) {
                decrement(unsettled, key);
            }
            wakeForOldest(key);
        } finally {
            lock.unlock();
        }
    }

    private static void decrement(Map<String, Integer> counts, String key) {
        counts.computeIfPresent(key, (k, n) -> n > 1 ? n - 1 : null);
    }

    /**
     * Wakes one waiting consumer if the oldest waiting element of {@code key} can be taken now. A change of one key
     * makes at most that element takeable, so one consumer, not all of them (the others would find nothing and wait
     * again), and none when nothing of that key waits or it is still held back. Under the lock.
     */
    private void wakeForOldest(String key) {
        E next = oldestWaiting(key);
        if (next != null && !isHeldBack(next, key)) {
            signal();
        }
    }

    @Override
    public void wakeTakers() {
        lock.lock();
        try {
            woken = true;
            takeable.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void rearm() {
        lock.lock();
        try {
            woken = false;
        } finally {
            lock.unlock();
        }
    }

    /** Wakes one waiting consumer, if any. Under the lock. */
    private void signal() {
        signals++;
        takeable.signal();
    }

    /** Whether {@code e}, waiting, could be taken now: nothing older of its key waits and its key does not hold it back. */
    private boolean takeable(E e, String key) {
        return key == null || oldestWaiting(key) == e && !isHeldBack(e, key);
    }

    /** The oldest waiting element of this key, null if none. Under the lock. */
    private E oldestWaiting(String key) {
        for (E e : waiting) {
            if (key.equals(keyOf.apply(e))) {
                return e;
            }
        }
        return null;
    }

    /** Consumers waiting for an element to become takeable (for tests). */
    int waitingTakers() {
        lock.lock();
        try {
            return lock.getWaitQueueLength(takeable);
        } finally {
            lock.unlock();
        }
    }

    /** Wake-ups sent to waiting consumers so far (for tests: who was woken, and who was not). */
    long signals() {
        lock.lock();
        try {
            return signals;
        } finally {
            lock.unlock();
        }
    }

    /** Keys with elements being worked on right now. */
    public int busyKeys() {
        lock.lock();
        try {
            return busy.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public E peek() {
        lock.lock();
        try {
            return waiting.peekFirst();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int size() {
        lock.lock();
        try {
            return waiting.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int remainingCapacity() {
        // never refuses: a full queue makes room by dropping its oldest element
        return Integer.MAX_VALUE;
    }

    /** A snapshot, oldest first (for browsing); removing through it is not supported. */
    @Override
    public Iterator<E> iterator() {
        lock.lock();
        try {
            return List.copyOf(waiting).iterator();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean remove(Object o) {
        lock.lock();
        try {
            return waiting.remove(o);
        } finally {
            lock.unlock();
        }
    }

    /** Removes everything waiting, whatever its key (the caller takes over the elements). */
    @Override
    public int drainTo(Collection<? super E> c) {
        return drainTo(c, Integer.MAX_VALUE);
    }

    @Override
    public int drainTo(Collection<? super E> c, int maxElements) {
        lock.lock();
        try {
            int n = 0;
            while (n < maxElements && !waiting.isEmpty()) {
                c.add(waiting.removeFirst());
                n++;
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void clear() {
        List<E> left = new ArrayList<>();
        drainTo(left);
        left.forEach(onClear);
    }
}
