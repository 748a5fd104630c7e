package io.copytrader.engine;

import io.copytrader.venue.ApacheVenueHttpClient;
import org.apache.camel.component.http.HttpComponent;
import org.apache.hc.client5.http.io.HttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.socket.ConnectionSocketFactory;
import org.apache.hc.core5.http.config.Registry;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.pool.PoolConcurrencyPolicy;
import org.apache.hc.core5.util.TimeValue;

/**
 * camel-http's component (the {@code http:} of {@code to: http://exchange} in place-order.camel.yaml, and every
 * {@code camel.component.http.*} setting) with its connections reading an answer's head within bounds: a status or
 * header line longer than {@link ApacheVenueHttpClient#MAX_HEADER_LINE_BYTES}, or more than
 * {@link ApacheVenueHttpClient#MAX_HEADER_COUNT} header lines, fails the order's send with an IOException (its outcome
 * unknown, looked up by the monitor) instead of being read into memory until the heap runs out, as Apache
 * HttpClient's defaults would. The pool is set up as camel-http sets up its own: the same settings, the same sockets.
 */
public final class BoundedHttpComponent extends HttpComponent {

    @Override
    protected HttpClientConnectionManager createConnectionManager(Registry<ConnectionSocketFactory> registry,
                                                                  int maxTotalConnections, int connectionsPerRoute,
                                                                  SocketConfig defaultSocketConfig) {
        PoolingHttpClientConnectionManager pool = new PoolingHttpClientConnectionManager(registry,
                PoolConcurrencyPolicy.STRICT, TimeValue.ofMilliseconds(getConnectionTimeToLive()),
                ApacheVenueHttpClient.boundedConnections());
        int total = maxTotalConnections != 0 ? maxTotalConnections : getMaxTotalConnections();
        if (total > 0) {
            pool.setMaxTotal(total);
        }
        int perRoute = connectionsPerRoute != 0 ? connectionsPerRoute : getConnectionsPerRoute();
        if (perRoute > 0) {
            pool.setDefaultMaxPerRoute(perRoute);
        }
        pool.setDefaultSocketConfig(defaultSocketConfig);
        return pool;
    }
}
