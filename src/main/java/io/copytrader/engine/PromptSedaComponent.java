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
 */
public final class PromptSedaComponent extends SedaComponent {

    private static final long START_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

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

        @Override
        protected SedaConsumer createNewConsumer(Processor processor) {
            return new Consumer(this, processor);
        }
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
    }
}
