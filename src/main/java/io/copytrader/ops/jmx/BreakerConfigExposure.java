package io.copytrader.ops.jmx;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import org.apache.camel.CamelContext;
import org.apache.camel.Processor;
import org.apache.camel.spi.CamelEvent;
import io.copytrader.engine.LifecycleEventNotifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Field;

/**
 * Makes the breaker processor's MBean (Hawtio: Camel > routes > copy-trade > processors > order-circuit-breaker)
 * show the configuration the breaker really runs with. Camel 4.18's ResilienceProcessor builds its configuration
 * attributes (FailureRateThreshold, SlidingWindowSize, WaitDurationInOpenState ...) from the route's
 * resilience4jConfiguration, which the route does not use: it names a CircuitBreaker instance (ours, built from
 * MAX_CONSECUTIVE_FAILURES and CIRCUIT_BREAKER_COOLDOWN_MINUTES), so the MBean showed Camel's defaults (50 %, 100
 * calls, 60 s). The processor reads that configuration only to create a breaker of its own, which it does not do
 * when given an instance, so after each start of the route the field is pointed at the instance's configuration:
 * display only, nothing about the breaker's behaviour changes.
 */
public final class BreakerConfigExposure extends LifecycleEventNotifier {
    private static final Logger LOG = LoggerFactory.getLogger(BreakerConfigExposure.class);

    private final CamelContext context;
    private final String processorId;
    private final CircuitBreaker breaker;

    public BreakerConfigExposure(CamelContext context, String processorId, CircuitBreaker breaker) {
        super(true); // the route's start: the processor is new
        this.context = context;
        this.processorId = processorId;
        this.breaker = breaker;
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof CamelEvent.RouteStartedEvent || event instanceof CamelEvent.CamelContextStartedEvent;
    }

    @Override
    public void notify(CamelEvent event) {
        expose();
    }

    /** True when the processor now reports the instance's configuration. */
    public boolean expose() {
        Processor p = context.getProcessor(processorId);
        if (p == null) {
            return false;
        }
        try {
            Field f = findField(p.getClass(), "circuitBreakerConfig");
            if (f == null || !CircuitBreakerConfig.class.isAssignableFrom(f.getType())) {
                return false;
            }
            f.setAccessible(true);
            if (f.get(p) != breaker.getCircuitBreakerConfig()) {
                f.set(p, breaker.getCircuitBreakerConfig());
            }
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.debug("Breaker configuration not exposed on {}: {}", processorId, e.toString());
            return false;
        }
    }

    private static Field findField(Class<?> type, String name) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            try {
                return c.getDeclaredField(name);
            } catch (NoSuchFieldException e) {
                // look further up
            }
        }
        return null;
    }
}
