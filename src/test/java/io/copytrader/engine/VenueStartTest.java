package io.copytrader.engine;

import io.copytrader.paper.PaperVenue;
import io.copytrader.paper.PaperVenueConfig;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embedded paper venue started beside the engine's other parts: closed when the engine never got as far as using
 * it (a failure while it was being assembled), stopped with the context once it is in use.
 */
class VenueStartTest {
    private static PaperVenueConfig config() {
        return PaperVenueConfig.builder().port(0).seed(3).traders(Map.of("alice", 0.0)).build();
    }

    @Test
    void shouldCloseAVenueTheEngineNeverUsed() throws Exception {
        EngineConfiguration.VenueStart start = new EngineConfiguration.VenueStart(config());
        PaperVenue venue = start.started();
        assertThat(answers(venue.baseUrl())).as("serving once started").isTrue();
        start.abandon();
        assertThat(answers(venue.baseUrl())).as("serving after the engine gave up").isFalse();
    }

    @Test
    void shouldLeaveAVenueInUseToTheContext() throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            EngineConfiguration.VenueStart start = new EngineConfiguration.VenueStart(config());
            String url = start.url(context);
            start.abandon();
            assertThat(answers(url)).as("in use: not closed by abandon").isTrue();
            context.start();
            context.stop();
            assertThat(answers(url)).as("stopped with the context").isFalse();
        }
    }

    /** Whether anything answers HTTP at the venue's address. */
    private static boolean answers(String baseUrl) throws InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        try {
            client.send(HttpRequest.newBuilder(URI.create(baseUrl + "/health")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding());
            return true;
        } catch (IOException refused) {
            return false;
        }
    }
}
