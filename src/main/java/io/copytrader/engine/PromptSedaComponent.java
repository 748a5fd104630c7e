package io.copytrader.engine;

import org.apache.camel.Component;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.component.seda.BlockingQueueFactory;
import org.apache.camel.component.seda.SedaComponent;
import org.apache.camel.component.seda.SedaConsumer;
import org.apache.camel.component.seda.SedaEndpoint;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Camel's {@code seda} component, registered under the same name, whose consumers poll as soon as they have started.
 * <p>
 * Camel's SEDA consumer submits its polling tasks while it is still starting, and a task that runs before the start
 * has finished sleeps {@code min(pollTimeout, 1000)} ms before its first poll. With 64 dispatch consumers, most of
 * them (often all) slept through the first second, and the first copies after a start or restart waited in the
 * dispatch queue for that second. A task here polls as soon as it runs when its queue has one consuming route (that
 * consumer's processor is started before the first task is submitted), so the first copies need not wait for the
 * last of 200 dispatch threads to be made; with several consuming routes it waits for its consumer's start to end (a
 * latch the start opens). The engine starts the consumer routes once the context is Started (the context's own
 * starting check sleeps the same second), see {@link EngineConfiguration}.
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

        /**
         * Opened once this consumer's {@link #doStart()} has returned (or failed); a new one for each start. The tasks
         * of a queue with several consuming routes wait on it (the endpoint knows its consumers only then); they used
         * to check the start every millisecond, and 200 consumers doing that woke 200,000 times a second on two cores.
         */
        private volatile CountDownLatch started = new CountDownLatch(0);
        /**
         * Whether this consumer's tasks poll while the rest of them are still being started: set at each start on an
         * endpoint with one consumer, whose tasks process with this consumer's own processor, started before the first
         * task is submitted. Starting dispatch-orders' 200 threads takes 0.1-0.35 s on a 2-core machine; the first
         * copies of a launch no longer wait for the last of them.
         */
        private volatile boolean pollsWhileStarting;

        @Override
        protected void doRun() {
            if (!pollsWhileStarting) {
                try {
                    started.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            // the status moves to Started just after doStart returned: a moment at most
            while (isStarting() && !Thread.currentThread().isInterrupted()) {
                LockSupport.parkNanos(START_CHECK_NANOS);
            }
            super.doRun();
        }

        /**
         * Camel's task skips its poll and sleeps up to a second while its consumer is starting; a task of a consumer
         * that {@link #pollsWhileStarting} sees it as no longer starting. Camel's own start and stop read the status
         * itself, not this method.
         */
        @Override
        public boolean isStarting() {
            return super.isStarting() && !pollsWhileStarting;
        }

        @Override
        protected void doStart() throws Exception {
            CountDownLatch starting = new CountDownLatch(1);
            started = starting; // before super.doStart() submits the tasks that wait on it
            pollsWhileStarting = !getEndpoint().isMultipleConsumersSupported();
            try {
                WakeableTakers queue = quiet(getEndpoint().getQueue());
                if (queue != null) {
                    queue.rearm(); // a route started again after a stop
                }
                super.doStart();
            } finally {
                // pollsWhileStarting stays as it is: a task that checks between here and the status's move to Started
                // would otherwise sleep a second
                starting.countDown();
            }
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
