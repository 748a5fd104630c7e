package io.copytrader.venue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@link VenueHttpClient} on the JDK's HTTP client: pooled keep-alive connections, explicit timeouts. The paper venue's
 * admin client and the tools use it; the engine uses {@link ApacheVenueHttpClient}, which costs less CPU per call.
 */
public final class JdkVenueHttpClient implements VenueHttpClient {
    private final HttpClient client;
    private final Duration requestTimeout;

    public JdkVenueHttpClient(Duration connectTimeout, Duration requestTimeout) {
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.requestTimeout = requestTimeout;
    }

    @Override
    public HttpReply execute(HttpCall call) throws IOException {
        HttpRequest.BodyPublisher body = call.body() == null
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(call.body());
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(call.url()))
                .timeout(requestTimeout)
                .method(call.method(), body);
        call.headers().forEach(request::header);
        try {
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            Map<String, String> headers = new HashMap<>();
            for (Map.Entry<String, List<String>> e : response.headers().map().entrySet()) {
                if (!e.getValue().isEmpty()) {
                    headers.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue().get(0));
                }
            }
            return new HttpReply(response.statusCode(), headers, response.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while calling " + call, e);
        }
    }
}
