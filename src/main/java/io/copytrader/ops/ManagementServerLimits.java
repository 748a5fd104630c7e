package io.copytrader.ops;

import io.copytrader.engine.AggregatedWarn;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.impl.VertxInternal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Limits on the management server's connections. Camel builds that server's Vert.x options itself, with no idle
 * timeout, no deadline on a request's body and no cap on connections, and no setting for any of them. Camel takes the
 * Vert.x instance from the registry when there is one: this one is the engine's own, and every HTTP server it creates
 * <ul>
 *   <li>closes a connection on which nothing was read or written for the idle timeout. Vert.x counts a connection
 *   active when a whole request head or a piece of body has been decoded, not at each byte, so a client that sends
 *   nothing, or trickles a request's head, or stops reading, is closed there;</li>
 *   <li>closes a connection whose request's body has not all come within that same time from its head. Each byte of
 *   a body is decoded on its own, so a body trickled a byte now and then was never idle, and held its connection, and
 *   a file descriptor of the engine, for as long as the client liked;</li>
 *   <li>takes at most {@code maxConnections} connections at a time. Vert.x tells of a connection once its first
 *   request's head has come, so that is when one is counted, and one over the cap is closed then (the engine's file
 *   descriptors are shared with its store and its venue connections). Until then the idle timeout bounds it.</li>
 * </ul>
 * The dashboard's event stream is a request whose answer is still being written: it is never cut, and it writes every
 * 250 ms, so it is never idle. A scraper's keep-alive connection that waits longer than the timeout between scrapes is
 * closed and reopened at its next scrape.
 */
public final class ManagementServerLimits {
    private static final Logger LOG = LoggerFactory.getLogger(ManagementServerLimits.class);
    /** How often each connection is looked at: the deadlines hold to about this. */
    static final long CHECK_EVERY_MS = 500;

    private ManagementServerLimits() {
    }

    /**
     * A Vert.x that is {@code delegate}, whose HTTP servers close a connection idle, or with a request unfinished, for
     * {@code timeoutSeconds}, and take at most {@code maxConnections} connections at a time.
     */
    public static Vertx limited(Vertx delegate, int timeoutSeconds, int maxConnections) {
        if (timeoutSeconds < 1) {
            throw new IllegalArgumentException("idle timeout must be at least 1 s, was " + timeoutSeconds);
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("connections must be at least 1, was " + maxConnections);
        }
        return (Vertx) Proxy.newProxyInstance(ManagementServerLimits.class.getClassLoader(),
                new Class<?>[]{VertxInternal.class}, (proxy, method, args) -> {
                    if (method.getName().equals("createHttpServer")) {
                        HttpServerOptions options = args == null || args.length == 0 ? new HttpServerOptions()
                                : new HttpServerOptions((HttpServerOptions) args[0]);
                        if (options.getIdleTimeout() <= 0) {
                            options.setIdleTimeoutUnit(TimeUnit.SECONDS).setIdleTimeout(timeoutSeconds);
                        }
                        HttpServer server = delegate.createHttpServer(options);
                        Guard guard = new Guard(delegate, TimeUnit.SECONDS.toNanos(timeoutSeconds), maxConnections,
                                System::nanoTime);
                        server.connectionHandler(guard::opened);
                        return guarded(server, guard);
                    }
                    if (isObjectMethod(method)) {
                        return objectMethod(proxy, method, args, "limited " + delegate);
                    }
                    return call(method, delegate, args);
                });
    }

    /** The server, with each request noted by the guard before its handler sees it. */
    private static HttpServer guarded(HttpServer server, Guard guard) {
        return (HttpServer) Proxy.newProxyInstance(ManagementServerLimits.class.getClassLoader(),
                new Class<?>[]{HttpServer.class}, (proxy, method, args) -> {
                    if (isObjectMethod(method)) {
                        return objectMethod(proxy, method, args, "limited " + server);
                    }
                    Object[] passed = args;
                    if (method.getName().equals("requestHandler") && args != null && args.length == 1) {
                        @SuppressWarnings("unchecked")
                        Handler<HttpServerRequest> handler = (Handler<HttpServerRequest>) args[0];
                        passed = new Object[]{handler == null ? null : (Handler<HttpServerRequest>) request -> {
                            guard.request(request);
                            handler.handle(request);
                        }};
                    }
                    Object answer = call(method, server, passed);
                    return answer == server ? proxy : answer; // the fluent setters answer the proxy
                });
    }

    private static Object call(Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static boolean isObjectMethod(Method method) {
        return method.getDeclaringClass() == Object.class;
    }

    private static Object objectMethod(Object proxy, Method method, Object[] args, String name) {
        return switch (method.getName()) {
            case "equals" -> proxy == args[0];
            case "hashCode" -> System.identityHashCode(proxy);
            default -> name;
        };
    }

    /** One server's connections: how many are open, and each one's request deadline. */
    static final class Guard {
        private final Vertx vertx;
        private final long timeoutNanos;
        private final int maxConnections;
        private final LongSupplier nanos;
        private final AtomicInteger open = new AtomicInteger();
        /** The open connections, by identity: each of a connection's requests names it by the same object. */
        private final Map<HttpConnection, Watched> watching = Collections.synchronizedMap(new IdentityHashMap<>());
        private final AggregatedWarn refused = new AggregatedWarn(LOG,
                "management connections refused (too many open at once; MANAGEMENT_MAX_CONNECTIONS)", 60_000);
        private final AggregatedWarn cut = new AggregatedWarn(LOG,
                "management connections closed with a request unfinished past MANAGEMENT_IDLE_TIMEOUT_S", 60_000);

        Guard(Vertx vertx, long timeoutNanos, int maxConnections, LongSupplier nanos) {
            this.vertx = vertx;
            this.timeoutNanos = timeoutNanos;
            this.maxConnections = maxConnections;
            this.nanos = nanos;
        }

        void opened(HttpConnection connection) {
            if (open.incrementAndGet() > maxConnections) {
                open.decrementAndGet();
                refused.event(String.valueOf(connection.remoteAddress()));
                connection.close();
                return;
            }
            Watched watched = new Watched();
            watching.put(connection, watched);
            long timer = vertx.setPeriodic(CHECK_EVERY_MS, id -> {
                String late = watched.late(nanos.getAsLong(), timeoutNanos);
                if (late != null) {
                    cut.event(connection.remoteAddress() + ": " + late);
                    connection.close();
                }
            });
            connection.closeHandler(closed -> {
                vertx.cancelTimer(timer);
                watching.remove(connection);
                open.decrementAndGet();
            });
        }

        void request(HttpServerRequest request) {
            Watched watched = watching.get(request.connection());
            if (watched != null) {
                watched.request(request, nanos.getAsLong());
            }
        }

        int open() {
            return open.get();
        }
    }

    /** Where one connection's current request stands. */
    static final class Watched {
        private HttpServerRequest current;
        private long headAt;

        synchronized void request(HttpServerRequest request, long now) {
            headAt = now;
            current = request;
        }

        /** Null while the connection is within its deadline; else what is late. */
        synchronized String late(long now, long timeout) {
            HttpServerRequest request = current;
            if (request == null || request.isEnded()) {
                return null; // between requests, or answering one (the dashboard's stream): the idle timeout watches
            }
            return now - headAt > timeout ? "a request body not all come" : null;
        }
    }
}
