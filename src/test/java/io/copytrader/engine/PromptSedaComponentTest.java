package io.copytrader.engine;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.seda.BlockingQueueFactory;
import org.apache.camel.component.seda.SedaComponent;
import org.apache.camel.component.seda.SedaEndpoint;
import org.apache.camel.ServiceStatus;
import org.apache.camel.StatefulService;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.ThreadPoolProfile;
import org.apache.camel.support.DefaultThreadPoolFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A SEDA route started after its context polls at once with every consumer: no consumer thread sleeps before its
 * first poll (Camel's own consumer sleeps up to a second when its task runs before the consumer finished starting,
 * which with 64 consumers is most of them). Watched in the consumer threads' stacks from the route's start until
 * all of them wait in the queue's poll.
 */
@Timeout(30)
class PromptSedaComponentTest {

    private static final int CONSUMERS = 64;
    private final CamelContext camel = new DefaultCamelContext();

    @AfterEach
    void stop() {
        camel.stop();
    }

    @Test
    void shouldPollWithEveryConsumerAsSoonAsTheRouteHasStarted() throws Exception {
        assertThat(consumerSleepsSeen(new PromptSedaComponent())).as("consumer threads seen sleeping before polling")
                .isEmpty();
    }

    /** The check itself: Camel's component shows the sleep this one removes. */
    @Test
    void shouldSeeCamelsOwnConsumersSleepBeforeTheirFirstPoll() throws Exception {
        assertThat(consumerSleepsSeen(new SedaComponent())).isNotEmpty();
    }

    /**
     * A task polls as soon as it runs, while its consumer is still starting the other tasks' threads: an exchange
     * that was waiting is processed before the route's start has made its second thread. Here every thread after the
     * first is made only once that exchange went through (5 s after the start at most); with a consumer whose tasks
     * wait for the start to end, the exchange would be processed after those 5 s, by a consumer already Started.
     */
    @Test
    void shouldProcessAWaitingExchangeWhileTheRestOfTheConsumerThreadsAreStillStarting() throws Exception {
        camel.addComponent("seda", new PromptSedaComponent());
        CountDownLatch firstProcessed = new CountDownLatch(1);
        AtomicBoolean gating = new AtomicBoolean();
        camel.getExecutorServiceManager().setThreadPoolFactory(new DefaultThreadPoolFactory() {
            @Override
            public ExecutorService newThreadPool(ThreadPoolProfile profile, ThreadFactory factory) {
                if (!gating.get()) {
                    return super.newThreadPool(profile, factory);
                }
                AtomicInteger made = new AtomicInteger();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                return super.newThreadPool(profile, task -> {
                    if (made.getAndIncrement() > 0) {
                        try {
                            firstProcessed.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    return factory.newThread(task);
                });
            }
        });
        AtomicReference<ServiceStatus> consumerWhenProcessed = new AtomicReference<>();
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("seda:work?concurrentConsumers=8").routeId("work").autoStartup(false)
                        .process(e -> {
                            StatefulService consumer = (StatefulService) camel.getRoute("work").getConsumer();
                            consumerWhenProcessed.set(consumer.getStatus());
                            firstProcessed.countDown();
                        });
            }
        });
        camel.start();
        camel.createProducerTemplate().sendBody("seda:work", "x"); // waits in the queue: no consumer yet
        gating.set(true);
        long start = System.nanoTime();
        camel.getRouteController().startRoute("work");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("start, its threads made after the first exchange")
                .isLessThan(Duration.ofSeconds(4));
        assertThat(consumerWhenProcessed.get()).as("consumer's status when the exchange was processed")
                .isEqualTo(ServiceStatus.Starting);
        SedaEndpoint endpoint = (SedaEndpoint) camel.getRoute("work").getEndpoint();
        QuietBlockingQueue<?> queue = (QuietBlockingQueue<?>) endpoint.getQueue();
        await().atMost(Duration.ofSeconds(10)).until(() -> queue.waitingTakers() == 8);
    }

    /**
     * Idle consumers wait in the queue without waking (Camel's own wake every second, each of them, to look for a
     * stop), and a stop still reaches them at once, not after their minute-long poll.
     */
    @Test
    void shouldKeepIdleConsumersParkedAndStillStopPromptly() throws Exception {
        camel.addComponent("seda", new PromptSedaComponent());
        CountDownLatch processed = new CountDownLatch(2);
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("seda:work?size=5&concurrentConsumers=" + CONSUMERS).routeId("work").process(e -> processed.countDown());
            }
        });
        camel.start();
        SedaEndpoint endpoint = (SedaEndpoint) camel.getRoute("work").getEndpoint();
        assertThat(endpoint.getQueue()).isInstanceOf(QuietBlockingQueue.class);
        QuietBlockingQueue<?> queue = (QuietBlockingQueue<?>) endpoint.getQueue();
        assertThat(queue.remainingCapacity()).isEqualTo(5);
        assertThat(endpoint.getPollTimeout()).isEqualTo(PromptSedaComponent.QUIET_POLL_TIMEOUT_MS);
        await().atMost(Duration.ofSeconds(10)).until(() -> queue.waitingTakers() == CONSUMERS);
        camel.createProducerTemplate().sendBody("seda:work", "x");
        await().atMost(Duration.ofSeconds(10)).until(() -> processed.getCount() == 1);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> queue.emptyPolls() == 0);

        long start = System.nanoTime();
        camel.getRouteController().stopRoute("work");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("route stopped long before a consumer's poll ran out")
                .isLessThan(Duration.ofSeconds(10));
        assertThat(queue.waitingTakers()).isZero();

        long woken = queue.emptyPolls();
        camel.getRouteController().startRoute("work");
        await().atMost(Duration.ofSeconds(10)).until(() -> queue.waitingTakers() == CONSUMERS);
        camel.createProducerTemplate().sendBody("seda:work", "y");
        assertThat(processed.await(10, TimeUnit.SECONDS)).isTrue();
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> queue.emptyPolls() == woken);

        start = System.nanoTime();
        camel.stop();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    /** The copy queue's kind of queue, from a factory of the route's own, is woken for a stop as well. */
    @Test
    void shouldKeepConsumersOfADropOldestQueueParkedAndStopThemPromptly() throws Exception {
        camel.addComponent("seda", new PromptSedaComponent());
        camel.getRegistry().bind("keyedQueues", new BlockingQueueFactory<Exchange>() {
            @Override
            public BlockingQueue<Exchange> create() {
                return create(100);
            }

            @Override
            public BlockingQueue<Exchange> create(int capacity) {
                return new DropOldestQueue<>(capacity, e -> { }, e -> { }, e -> { });
            }
        });
        CountDownLatch processed = new CountDownLatch(1);
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("seda:copy?size=100&concurrentConsumers=5&queueFactory=#keyedQueues").routeId("copy")
                        .process(e -> processed.countDown());
            }
        });
        camel.start();
        SedaEndpoint endpoint = (SedaEndpoint) camel.getRoute("copy").getEndpoint();
        assertThat(endpoint.getQueue()).isInstanceOf(DropOldestQueue.class);
        assertThat(endpoint.getPollTimeout()).isEqualTo(PromptSedaComponent.QUIET_POLL_TIMEOUT_MS);
        DropOldestQueue<?> queue = (DropOldestQueue<?>) endpoint.getQueue();
        await().atMost(Duration.ofSeconds(10)).until(() -> queue.waitingTakers() == 5);
        camel.createProducerTemplate().sendBody("seda:copy", "x");
        assertThat(processed.await(10, TimeUnit.SECONDS)).isTrue();

        long start = System.nanoTime();
        camel.getRouteController().stopRoute("copy");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    private List<String> consumerSleepsSeen(SedaComponent seda) throws Exception {
        camel.addComponent("seda", seda);
        CountDownLatch processed = new CountDownLatch(1);
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("seda:work?concurrentConsumers=" + CONSUMERS).routeId("work").autoStartup(false)
                        .process(e -> processed.countDown());
            }
        });
        camel.start();
        camel.getRouteController().startRoute("work");
        List<String> sleeping = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int polling = 0;
        while (polling < CONSUMERS && System.nanoTime() < deadline) {
            polling = 0;
            for (Map.Entry<Thread, StackTraceElement[]> t : Thread.getAllStackTraces().entrySet()) {
                if (!t.getKey().getName().contains("seda://work")) {
                    continue;
                }
                List<StackTraceElement> frames = Arrays.asList(t.getValue());
                if (frames.stream().anyMatch(f -> f.getMethodName().equals("sleep") && f.getClassName().equals(Thread.class.getName()))) {
                    sleeping.add(t.getKey().getName());
                }
                if (frames.stream().anyMatch(f -> f.getMethodName().equals("poll") && f.getClassName().contains("BlockingQueue"))) {
                    polling++;
                }
            }
        }
        assertThat(polling).as("consumer threads waiting in the queue's poll").isEqualTo(CONSUMERS);
        camel.createProducerTemplate().sendBody("seda:work", "x");
        assertThat(processed.await(10, TimeUnit.SECONDS)).isTrue();
        return sleeping;
    }
}
