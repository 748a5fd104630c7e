package io.copytrader.engine;

import java.util.AbstractQueue;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bounded first-in first-out {@link BlockingQueue} whose waiting takers can be let go at once
 * ({@link WakeableTakers}); otherwise it keeps the interface's contract. Iterators run over a copy taken under the lock.
 * <p>
 * What it is for: a SEDA consumer thread polls its queue with a timeout only to see, when the timeout runs out,
 * whether it should stop. With this queue the consumers of {@link PromptSedaComponent} poll with a long timeout and
 * are woken when their endpoint is shut down, so an idle engine's 64 dispatch threads stay parked instead of each
 * waking once a second.
 *
 * @param <E> the elements
 */
public final class QuietBlockingQueue<E> extends AbstractQueue<E> implements BlockingQueue<E>, WakeableTakers {
    private final int capacity;
    private final ArrayDeque<E> items = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    /** Guarded by lock. */
    private boolean woken;
    /** Timed polls that returned nothing (timed out, or woken), guarded by lock. */
    private long emptyPolls;

    /** @param capacity elements it holds at most, at least 1 */
    public QuietBlockingQueue(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        this.capacity = capacity;
    }

    @Override
    public void wakeTakers() {
        lock.lock();
        try {
            woken = true;
            notEmpty.signalAll();
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

    /** Timed polls that returned nothing so far: each is a taker that woke up without work. */
    public long emptyPolls() {
        lock.lock();
        try {
            return emptyPolls;
        } finally {
            lock.unlock();
        }
    }

    /** Takers waiting in a poll or a take now. */
    int waitingTakers() {
        lock.lock();
        try {
            return lock.getWaitQueueLength(notEmpty);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean offer(E e) {
        Objects.requireNonNull(e);
        lock.lock();
        try {
            if (items.size() == capacity) {
                return false;
            }
            enqueue(e);
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean offer(E e, long timeout, TimeUnit unit) throws InterruptedException {
        Objects.requireNonNull(e);
        long nanos = unit.toNanos(timeout);
        lock.lockInterruptibly();
        try {
            while (items.size() == capacity) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = notFull.awaitNanos(nanos);
            }
            enqueue(e);
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void put(E e) throws InterruptedException {
        Objects.requireNonNull(e);
        lock.lockInterruptibly();
        try {
            while (items.size() == capacity) {
                notFull.await();
            }
            enqueue(e);
        } finally {
            lock.unlock();
        }
    }

    /** Adds under the lock, room checked; wakes one taker. */
    private void enqueue(E e) {
        items.addLast(e);
        notEmpty.signal();
    }

    @Override
    public E poll() {
        lock.lock();
        try {
            return take1();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public E poll(long timeout, TimeUnit unit) throws InterruptedException {
        long nanos = unit.toNanos(timeout);
        lock.lockInterruptibly();
        try {
            while (items.isEmpty()) {
                if (woken) {
                    nanos = Math.min(nanos, WOKEN_WAIT_NANOS);
                }
                if (nanos <= 0) {
                    emptyPolls++;
                    return null;
                }
                nanos = notEmpty.awaitNanos(nanos);
            }
            return take1();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public E take() throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (items.isEmpty()) {
                notEmpty.await();
            }
            return take1();
        } finally {
            lock.unlock();
        }
    }

    /** Removes the head under the lock (null if none); wakes one producer waiting for room. */
    private E take1() {
        E e = items.pollFirst();
        if (e != null) {
            notFull.signal();
        }
        return e;
    }

    @Override
    public E peek() {
        lock.lock();
        try {
            return items.peekFirst();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int size() {
        lock.lock();
        try {
            return items.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int remainingCapacity() {
        lock.lock();
        try {
            return capacity - items.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean remove(Object o) {
        lock.lock();
        try {
            boolean removed = items.removeFirstOccurrence(o);
            if (removed) {
                notFull.signal();
            }
            return removed;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void clear() {
        lock.lock();
        try {
            items.clear();
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int drainTo(Collection<? super E> c) {
        return drainTo(c, Integer.MAX_VALUE);
    }

    @Override
    public int drainTo(Collection<? super E> c, int maxElements) {
        Objects.requireNonNull(c);
        if (c == this) {
            throw new IllegalArgumentException("cannot drain a queue into itself");
        }
        lock.lock();
        try {
            int n = 0;
            while (n < maxElements && !items.isEmpty()) {
                c.add(items.pollFirst());
                n++;
            }
            if (n > 0) {
                notFull.signalAll();
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** Over a copy taken now; removing through it is not supported. */
    @Override
    public Iterator<E> iterator() {
        lock.lock();
        try {
            return Collections.unmodifiableList(new ArrayList<>(items)).iterator();
        } finally {
            lock.unlock();
        }
    }
}
