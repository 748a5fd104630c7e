package io.copytrader.engine;

import org.apache.camel.support.EventNotifierSupport;

/**
 * An event notifier of the engine: it listens to the context's lifecycle (started, stopping, routes stopped) and, when
 * asked, to the routes' (started), never to exchanges. Camel builds an event object for every exchange created, sent
 * and completed, and at every hop between routes, as soon as one notifier does not say it ignores exchange events;
 * when none wants them it skips that work altogether. Every notifier the engine registers extends this class, so none
 * switches that cost on by default.
 */
public abstract class LifecycleEventNotifier extends EventNotifierSupport {

    /** @param routeEvents true to receive the routes' events (started, stopped) as well as the context's */
    protected LifecycleEventNotifier(boolean routeEvents) {
        setIgnoreExchangeEvents(true);
        setIgnoreStepEvents(true);
        setIgnoreServiceEvents(true);
        setIgnoreRouteEvents(!routeEvents);
    }

    /** A notifier of the context's events only. */
    protected LifecycleEventNotifier() {
        this(false);
    }

    /** A notifier that runs {@code action} on each of the context's events of type {@code event}. */
    public static LifecycleEventNotifier on(Class<? extends org.apache.camel.spi.CamelEvent> event, Runnable action) {
        return new LifecycleEventNotifier() {
            @Override
            public boolean isEnabled(org.apache.camel.spi.CamelEvent e) {
                return event.isInstance(e);
            }

            @Override
            public void notify(org.apache.camel.spi.CamelEvent e) {
                action.run();
            }
        };
    }
}
