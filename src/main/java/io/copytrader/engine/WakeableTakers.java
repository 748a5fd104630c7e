package io.copytrader.engine;

/**
 * A blocking queue whose takers waiting in a timed poll can be let go before their timeout runs out. A SEDA consumer
 * thread polls with a timeout only to see, when it runs out, whether it should stop; on such a queue
 * {@link PromptSedaComponent} gives its consumers a long timeout (idle consumers stay parked) and lets them go when
 * the endpoint is shut down.
 */
public interface WakeableTakers {
    /** How long a timed poll of a woken queue waits at most for an element (until {@link #rearm()}). */
    long WOKEN_WAIT_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(50);

    /**
     * Wakes every taker waiting in a timed poll; from now until {@link #rearm()} a timed poll waits at most
     * {@link #WOKEN_WAIT_NANOS} for an element and then returns null, so a consumer looks for its stop at once.
     */
    void wakeTakers();

    /** Timed polls wait for their whole timeout again (the endpoint's consumers started again). */
    void rearm();
}
