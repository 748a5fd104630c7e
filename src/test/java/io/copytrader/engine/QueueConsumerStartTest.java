package io.copytrader.engine;

import io.copytrader.paper.PaperVenue;
import io.copytrader.paper.PaperVenueConfig;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The routes that consume a SEDA queue start only once the context is Started: Camel's SEDA consumer, started while
 * the context is still starting, sleeps a second before its first poll, and the first copies after every start
 * waited that second. Every route runs once the engine is up, and the book is read from the venue once at start.
 */
@Timeout(60)
class QueueConsumerStartTest {

    @Test
    void shouldStartTheQueueConsumersOnceTheContextIsStarted(@TempDir Path dir) throws Exception {
        Map<String, ServiceStatus> contextStatusWhenStarted = new ConcurrentHashMap<>();
        try (PaperVenue venue = PaperVenue.start(PaperVenueConfig.builder().port(0).seed(3)
                .traders(Map.of("alice", 0.0)).startingCash(new BigDecimal("1000")).build())) {
            Main main = new Main();
            main.setPropertyPlaceholderLocations("file:application.properties");
            main.addOverrideProperty("copytrader.paper.url", venue.baseUrl());
            main.addOverrideProperty("camel.management.port", String.valueOf(freePort()));
            main.addOverrideProperty("copytrader.portfolio.refresh-ms", "3600000");
            main.addOverrideProperty("copytrader.store.url", "jdbc:sqlite:" + dir.resolve("copytrader.db"));
            main.addMainListener(new MainListenerSupport() {
                @Override
                public void afterConfigure(BaseMainSupport m) {
                    m.getCamelContext().getManagementStrategy().addEventNotifier(new EventNotifierSupport() {
                        @Override
                        public boolean isEnabled(CamelEvent event) {
                            return event instanceof CamelEvent.RouteStartedEvent;
                        }

                        @Override
                        public void notify(CamelEvent event) {
                            Route route = ((CamelEvent.RouteStartedEvent) event).getRoute();
                            contextStatusWhenStarted.put(route.getRouteId(), route.getCamelContext().getStatus());
                        }
                    });
                }
            });
            main.start();
            try {
                for (String id : EngineConfiguration.QUEUE_CONSUMER_ROUTES) {
                    assertThat(contextStatusWhenStarted.get(id)).as("context status when %s started", id)
                            .isEqualTo(ServiceStatus.Started);
                }
                for (Route route : main.getCamelContext().getRoutes()) {
                    assertThat(main.getCamelContext().getRouteController().getRouteStatus(route.getRouteId()))
                            .as("route %s", route.getRouteId()).isEqualTo(ServiceStatus.Started);
                }
                // the others start with the context, as before
                assertThat(contextStatusWhenStarted.get("tick-traders")).isEqualTo(ServiceStatus.Starting);
                // the book was read from the venue once before the routes started, not again for each queue
                // consumer route started afterwards (the monitor's own refresh is an hour away here)
                OrderMonitor monitor = main.getCamelContext().getRegistry().lookupByNameAndType("orderMonitor",
                        OrderMonitor.class);
                assertThat(monitor.bookRefreshes()).as("book refreshes at start").isEqualTo(1);
            } finally {
                main.stop();
            }
        }
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
