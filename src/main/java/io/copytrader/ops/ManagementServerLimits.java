package io.copytrader.ops;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.impl.VertxInternal;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.TimeUnit;

/**
 * An idle timeout for the management server. Camel builds that server's Vert.x options itself, with no idle timeout
 * and no setting for one, so a client that opens a connection and never finishes its request (or stops reading) held
 * the connection, and a file descriptor of the engine, for as long as it liked. Camel takes the Vert.x instance from
 * the registry when there is one: this one is the engine's own, and every HTTP server it creates closes a connection
 * on which nothing was read or written for the idle timeout. The dashboard's event stream writes every 250 ms, so it
 * is never idle; a scraper's keep-alive connection that idles longer is closed and reopened at its next scrape.
 */
public final class ManagementServerLimits {
    private ManagementServerLimits() {
    }

    /** A Vert.x that is {@code delegate}, whose HTTP servers close a connection idle for {@code idleSeconds}. */
    public static Vertx withIdleTimeout(Vertx delegate, int idleSeconds) {
        if (idleSeconds < 1) {
            throw new IllegalArgumentException("idle timeout must be at least 1 s, was " + idleSeconds);
        }
        return (Vertx) Proxy.newProxyInstance(ManagementServerLimits.class.getClassLoader(),
                new Class<?>[]{VertxInternal.class}, (proxy, method, args) -> {
                    if (method.getName().equals("createHttpServer")) {
                        HttpServerOptions options = args == null || args.length == 0 ? new HttpServerOptions()
                                : new HttpServerOptions((HttpServerOptions) args[0]);
                        if (options.getIdleTimeout() <= 0) {
                            options.setIdleTimeoutUnit(TimeUnit.SECONDS).setIdleTimeout(idleSeconds);
                        }
                        return delegate.createHttpServer(options);
                    }
                    if (isObjectMethod(method)) {
                        return objectMethod(proxy, method, args, delegate);
                    }
                    try {
                        return method.invoke(delegate, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static boolean isObjectMethod(Method method) {
        return method.getDeclaringClass() == Object.class;
    }

    private static Object objectMethod(Object proxy, Method method, Object[] args, Vertx delegate) {
        return switch (method.getName()) {
            case "equals" -> proxy == args[0];
            case "hashCode" -> System.identityHashCode(proxy);
            default -> "idle-limited " + delegate;
        };
    }
}
