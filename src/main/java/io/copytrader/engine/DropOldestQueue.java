package io.copytrader.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.function.Consumer;

/**
 * A bounded queue that never refuses: when full, it drops the <em>oldest</em> waiting element to make room and
 * reports it, so detection never blocks and the freshest trades are the ones copied. What is cleared away (on
 * shutdown or a purge) is reported too, never lost silently.
 */
public final class DropOldestQueue<E> extends ArrayBlockingQueue<E> {
    private final transient Consumer<E> onEnqueue;
    private final transient Consumer<E> onDrop;
    private final transient Consumer<E> onClear;

    public DropOldestQueue(int capacity, Consumer<E> onEnqueue, Consumer<E> onDrop, Consumer<E> onClear) {
        super(capacity);
        this.onEnqueue = onEnqueue;
        this.onDrop = onDrop;
        this.onClear = onClear;
    }

    @Override
    public boolean offer(E e) {
        while (!super.offer(e)) {
            E oldest = poll();
            if (oldest != null) {
                onDrop.accept(oldest);
            }
        }
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
    public boolean offer(E e, long timeout, java.util.concurrent.TimeUnit unit) {
        return offer(e);
    }

    @Override
    public void clear() {
        List<E> left = new ArrayList<>();
        drainTo(left);
        left.forEach(onClear);
    }
}
