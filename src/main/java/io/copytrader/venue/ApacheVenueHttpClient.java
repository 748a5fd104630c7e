package io.copytrader.venue;

import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.ManagedHttpClientConnectionFactory;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.client5.http.ssl.TlsSocketStrategy;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@link VenueHttpClient} on Apache HttpClient 5's blocking client (the one camel-http places orders with): the call
 * runs on the caller's thread from start to end, over pooled keep-alive connections. The JDK's client it replaced
 * hands every call to its selector thread and back through a worker pool, three threads woken per feed poll.
 * <p>
 * It does what the caller asks and nothing more (Apache's minimal client): no redirects, no automatic retries (a 429 or
 * 503 reaches the caller, which owns rate limits and retries), no cookies, no transparent compression, no
 * authentication, no proxy. A connection is kept until the server closes it or answers with {@code Connection: close};
 * one idle for more than a second is checked before it is reused. Bodies are read as UTF-8 unless the answer names
 * another charset. A call that has not ended within the connect timeout and three request timeouts (16 s as shipped)
 * is cut ({@link CallDeadlines}): the timeouts bound each wait and each read, so an answer a broken server sends a byte
 * at a time would otherwise hold the caller (a feed poll, the monitor's lookups) for as long as it lasts.
 */
public final class ApacheVenueHttpClient implements VenueHttpClient, AutoCloseable {
    /** The longest answer read (a page of the Data API or a market's book is well under 1 MB). */
    public static final int MAX_BODY_BYTES = 32 * 1024 * 1024;
    /** The longest status or header line read; Apache HttpClient's default has no bound. */
    public static final int MAX_HEADER_LINE_BYTES = 64 * 1024;
    /** The most header lines an answer may have; Apache HttpClient's default has no bound. */
    public static final int MAX_HEADER_COUNT = 256;

    /** The client and its pool, replaced as a pair when the pool was shut down under a call ({@link #renewed}). */
    private record Pool(CloseableHttpClient client, PoolingHttpClientConnectionManager connections) {
    }

    private volatile Pool pool;
    private final Duration connectTimeout;
    private final Duration requestTimeout;
    private final int connectionsPerHost;
    private volatile boolean closed;
    private final int maxBodyBytes;
    /** A call not ended by then is cut: the timeouts bound each wait and each read, not a whole slow answer. */
    private final Duration deadline;
    private final CallDeadlines deadlines;
    private final RequestConfig requestConfig;

    /**
     * @param connectionsPerHost keep-alive connections to one host at most; a call beyond them waits for one (up to
     *                           the request timeout). The engine gives each dispatch consumer (which may look up
     *                           an earlier order before placing one) a connection, plus the feed's and the monitor's.
     */
    public ApacheVenueHttpClient(Duration connectTimeout, Duration requestTimeout, int connectionsPerHost) {
        this(connectTimeout, requestTimeout, connectionsPerHost, MAX_BODY_BYTES);
    }

    /** @param maxBodyBytes a longer answer is an IOException, not read into memory (a broken or hostile server's) */
    ApacheVenueHttpClient(Duration connectTimeout, Duration requestTimeout, int connectionsPerHost, int maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
        // a connection from the pool, the connect, the first byte of the answer, then the rest of it
        this.deadline = connectTimeout.plus(requestTimeout.multipliedBy(3));
        if (connectionsPerHost < 1) {
            throw new IllegalArgumentException("connectionsPerHost must be at least 1, was " + connectionsPerHost);
        }
        this.connectTimeout = connectTimeout;
        this.requestTimeout = requestTimeout;
        this.connectionsPerHost = connectionsPerHost;
        this.requestConfig = RequestConfig.custom()
                .setConnectionRequestTimeout(Timeout.of(requestTimeout))
                .setResponseTimeout(Timeout.of(requestTimeout))
                .build();
        this.pool = newPool();
        this.deadlines = new CallDeadlines("venue-call-deadline", deadline);
    }

    private Pool newPool() {
        PoolingHttpClientConnectionManager connections = PoolingHttpClientConnectionManagerBuilder.create()
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(Timeout.of(connectTimeout))
                        .setSocketTimeout(Timeout.of(requestTimeout))
                        .setValidateAfterInactivity(TimeValue.ofSeconds(1))
                        .build())
                .setMaxConnPerRoute(connectionsPerHost)
                .setMaxConnTotal(4 * connectionsPerHost)
                .setTlsSocketStrategy(new LazyTls())
                .setConnectionFactory(boundedConnections())
                .build();
        // the minimal client: a call goes from the pool straight to the connection, without the exec chain of
        // redirects, retries, cookies, decompression and authentication this client never uses. That chain parsed the
        // request's URI again at every call (for its authentication scope): 5 % of a feed poll's CPU
        return new Pool(HttpClients.createMinimal(connections), connections);
    }

    /**
     * A new pool in place of {@code broken}, unless another call renewed it already or this client is closed. The
     * minimal client shuts its whole pool down when an {@link Error} passes through a call (a stack overflow on the
     * caller's thread, an out-of-memory): every later call then failed with "Connection pool shut down", and the feed
     * and the monitor stopped for good, the engine otherwise running.
     */
    private synchronized void renewed(Pool broken) {
        if (pool == broken && !closed) {
            pool = newPool();
            broken.client().close(org.apache.hc.core5.io.CloseMode.IMMEDIATE);
        }
    }

    @Override
    public HttpReply execute(HttpCall call) throws IOException {
        HttpUriRequestBase request = new HttpUriRequestBase(call.method(), URI.create(call.url()));
        request.setConfig(requestConfig);
        String contentType = null;
        for (Map.Entry<String, String> h : call.headers().entrySet()) {
            request.addHeader(h.getKey(), h.getValue());
            if (h.getKey().equalsIgnoreCase("content-type")) {
                contentType = h.getValue();
            }
        }
        if (call.body() != null) {
            ContentType type = contentType == null ? ContentType.TEXT_PLAIN.withCharset(StandardCharsets.UTF_8)
                    : ContentType.parse(contentType).withCharset(StandardCharsets.UTF_8);
            request.setEntity(new StringEntity(call.body(), type));
        }
        CallDeadlines.Deadline due = deadlines.start(request::cancel);
        Pool current = pool;
        try {
            return current.client().execute(request, response -> {
                Map<String, String> headers = new HashMap<>();
                for (Header h : response.getHeaders()) {
                    headers.putIfAbsent(h.getName().toLowerCase(Locale.ROOT), h.getValue());
                }
                HttpEntity entity = response.getEntity();
                return new HttpReply(response.getCode(), headers, entity == null ? "" : body(entity, request));
            });
        } catch (IOException e) {
            if (due.passed()) {
                throw new IOException("no whole answer within " + deadline.toMillis() + " ms (the server sent it too"
                        + " slowly, or not at all); the call was cut", e);
            }
            throw e;
        } catch (Error e) {
            renewed(current); // the client shut its pool down on the way out: the next call gets a new one
            throw e;
        } catch (IllegalStateException e) {
            if (closed || e.getMessage() == null || !e.getMessage().contains("shut down")) {
                throw e;
            }
            // a pool shut down under a call some other way: renewed, and this call failed as a transient one
            renewed(current);
            throw new IOException("the connection pool was shut down under this call (" + e.getMessage()
                    + "); a new one is in place", e);
        } finally {
            due.cancel();
        }
    }

    /**
     * The answer's text, read up to {@code maxBodyBytes}. A longer one is refused and its connection dropped at once:
     * closing its stream would read it to its end first, and an answer that does not end would hold the caller.
     */
    private String body(HttpEntity entity, HttpUriRequestBase request) throws IOException {
        if (entity.getContentLength() > maxBodyBytes) {
            request.cancel();
            throw new IOException("the answer's " + entity.getContentLength() + " bytes are more than the " + maxBodyBytes
                    + " read");
        }
        InputStream in = entity.getContent();
        long length = entity.getContentLength();
        byte[] bytes;
        if (in == null) {
            bytes = new byte[0];
        } else if (length >= 0) {
            // the length is known (and within the bound): read it into an array of its size. readNBytes(int) reads
            // through a fresh 8 KB buffer and copies the answer out of it, on every call (a feed poll's answer is a
            // few hundred bytes); the stream ends at the length, and one that ends earlier throws
            bytes = new byte[(int) length];
            int read = in.readNBytes(bytes, 0, bytes.length);
            if (read < bytes.length) {
                throw new IOException("the answer ended after " + read + " of its " + length + " bytes");
            }
        } else {
            bytes = in.readNBytes(maxBodyBytes + 1);
        }
        if (bytes.length > maxBodyBytes) {
            request.cancel();
            throw new IOException("the answer is longer than the " + maxBodyBytes + " bytes read");
        }
        if (in != null) {
            in.close();
        }
        Charset charset = null;
        try {
            ContentType type = entity.getContentType() == null ? null : ContentType.parse(entity.getContentType());
            charset = type == null ? null : type.getCharset();
        } catch (RuntimeException unknownCharset) {
            // read as UTF-8
        }
        return new String(bytes, charset == null ? StandardCharsets.UTF_8 : charset);
    }

    /**
     * Connections that read an answer's head within {@link #MAX_HEADER_LINE_BYTES} a line and
     * {@link #MAX_HEADER_COUNT} lines: past them the call fails with an IOException. Without a bound, a status or
     * header line that never ends (a broken or hostile server's) is read into memory until the heap runs out.
     */
    public static ManagedHttpClientConnectionFactory boundedConnections() {
        return ManagedHttpClientConnectionFactory.builder()
                .http1Config(Http1Config.custom()
                        .setMaxLineLength(MAX_HEADER_LINE_BYTES)
                        .setMaxHeaderCount(MAX_HEADER_COUNT)
                        .build())
                .build();
    }

    /** Connections out to callers now, over all hosts. */
    int connectionsInUse() {
        return pool.connections().getTotalStats().getLeased();
    }

    /** Calls waiting for a connection now, over all hosts. */
    int callsWaitingForAConnection() {
        return pool.connections().getTotalStats().getPending();
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        pool.client().close(org.apache.hc.core5.io.CloseMode.GRACEFUL);
        deadlines.close();
    }

    /**
     * The JDK's default TLS, set up at the first https connection rather than with the client: building the SSL
     * context costs about a tenth of a second of start-up, and the embedded paper venue is plain http on loopback.
     */
    private static final class LazyTls implements TlsSocketStrategy {
        private volatile TlsSocketStrategy tls;

        @Override
        public SSLSocket upgrade(Socket socket, String target, int port, Object attachment, HttpContext context)
                throws IOException {
            TlsSocketStrategy current = tls;
            if (current == null) {
                synchronized (this) {
                    current = tls;
                    if (current == null) {
                        current = DefaultClientTlsStrategy.createDefault();
                        tls = current;
                    }
                }
            }
            return current.upgrade(socket, target, port, attachment, context);
        }
    }
}
