package io.copytrader.engine;

import org.apache.camel.Component;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.component.seda.BlockingQueueFactory;
import org.apache.camel.component.seda.SedaComponent;
import org.apache.camel.component.seda.SedaConsumer;
import org.apache.camel.component.seda.SedaEndpoint;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Camel's {@code seda} component, registered under the same name, whose consumers poll as soon as they have started.
 * <p>
 * Camel's SEDA consumer submits its polling tasks while it is still starting, and a task that runs before the start
 * has finished sleeps {@code min(pollTimeout, 1000)} ms before its first poll. With 64 dispatch consumers, most of
 * them (often all) slept through the first second, and the first copies after a start or restart waited in the
 * dispatch queue for that second. A task here first waits for its consumer to finish starting, for a millisecond at a
 * time (the start takes a few), then polls as Camel's does. The engine starts the consumer routes once the context
 * is Started (the context's own starting check sleeps the same second), see {@link EngineConfiguration}.
 * <p>
 * Its consumers also stay parked while their queue is empty. Camel's SEDA consumer polls with a timeout (1 s) only
 * to see, each time it runs out, whether it should stop: 64 idle dispatch consumers woke 64 times a second. An
 * endpoint without a queue factory of its own gets a {@link QuietBlockingQueue} here; the consumers of a queue that
 * can wake its takers ({@link WakeableTakers}: that one, and the copy queue's {@link DropOldestQueue}) poll it with a
 * timeout of {@link #QUIET_POLL_TIMEOUT_MS} (or the endpoint's, if longer), and when the endpoint is shut down the
 * queue wakes them, so they see the shutdown at once, as before, rather than a minute later.
 */
public final class PromptSedaComponent extends SedaComponent {

    private static final long START_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** How long an idle consumer of a quiet queue waits before it looks again (it is woken to stop). */
    static final int QUIET_POLL_TIMEOUT_MS = 60_000;

    public PromptSedaComponent() {
        setDefaultQueueFactory(new BlockingQueueFactory<>() {
            @Override
            public BlockingQueue<Exchange> create() {
                return new QuietBlockingQueue<>(Integer.MAX_VALUE);
            }

            @Override
            public BlockingQueue<Exchange> create(int capacity) {
                return new QuietBlockingQueue<>(capacity);
            }
        });
    }

    @Override
    protected SedaEndpoint createEndpoint(String endpointUri, Component component,
                                          BlockingQueueFactory<Exchange> queueFactory, int concurrentConsumers) {
        return new Endpoint(endpointUri, component, queueFactory, concurrentConsumers);
    }

    @Override
    protected SedaEndpoint createEndpoint(String endpointUri, Component component, BlockingQueue<Exchange> queue,
                                          int concurrentConsumers) {
        return new Endpoint(endpointUri, component, queue, concurrentConsumers);
    }

    private static final class Endpoint extends SedaEndpoint {
        Endpoint(String uri, Component component, BlockingQueueFactory<Exchange> queueFactory, int consumers) {
            super(uri, component, queueFactory, consumers);
        }

        Endpoint(String uri, Component component, BlockingQueue<Exchange> queue, int consumers) {
            super(uri, component, queue, consumers);
        }

        /** Not an override of getPollTimeout: JMX calls the endpoint's getters reflectively, and this class is private. */
        @Override
        protected SedaConsumer createNewConsumer(Processor processor) {
            if (quiet(getQueue()) != null && getPollTimeout() < QUIET_POLL_TIMEOUT_MS) {
                setPollTimeout(QUIET_POLL_TIMEOUT_MS);
            }
            return new Consumer(this, processor);
        }
    }

    private static WakeableTakers quiet(BlockingQueue<Exchange> queue) {
        return queue instanceof WakeableTakers q ? q : null;
    }

    private static final class Consumer extends SedaConsumer {
        Consumer(SedaEndpoint endpoint, Processor processor) {
            super(endpoint, processor);
        }

        @Override
        protected void doRun() {
            while (isStarting() && !Thread.currentThread().isInterrupted()) {
                LockSupport.parkNanos(START_CHECK_NANOS);
            }
            super.doRun();
        }

        @Override
        protected void doStart() throws Exception {
            WakeableTakers queue = quiet(getEndpoint().getQueue());
            if (queue != null) {
                queue.rearm(); // a route started again after a stop
            }
            super.doStart();
        }

        /**
         * Camel's consumer marks the shutdown, then waits for every consumer thread to see it, which a thread does
         * when its poll returns: the queue wakes them (and from then on a timed poll waits a moment only, so a
         * thread that polls again before the mark is set is back within that moment).
         */
        @Override
        public void prepareShutdown(boolean suspendOnly, boolean forced) {
            WakeableTakers queue = suspendOnly ? null : quiet(getEndpoint().getQueue());
            if (queue != null) {
                queue.wakeTakers();
            }
            super.prepareShutdown(suspendOnly, forced);
        }
    }
}
