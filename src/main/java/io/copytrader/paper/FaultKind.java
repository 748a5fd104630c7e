package io.copytrader.paper;

/** The faults the paper venue can inject, each with the requests it hits unless told otherwise. */
public enum FaultKind {
    /** Delay the request by a duration drawn from a {@link LatencyModel}; combines with any other fault. */
    LATENCY(FaultTarget.ALL),
    /** Answer 500 without doing anything. */
    HTTP_5XX(FaultTarget.ORDERS),
    /** Close the connection without answering. */
    CONNECTION_RESET(FaultTarget.ORDERS),
    /** Never answer (the connection is closed after the venue's hang timeout). */
    TIMEOUT(FaultTarget.ORDERS),
    /** Do the work (place the order), then never answer. */
    TIMEOUT_AFTER_ACCEPT(FaultTarget.ORDERS),
    /**
     * Do the work (place the order), then answer 200 with a body that never ends (a broken proxy's): the answer is
     * written until the client drops the connection.
     */
    ENDLESS_ANSWER_AFTER_ACCEPT(FaultTarget.ORDERS),
    /**
     * Do the work (place the order), then answer 200 with a body sent a byte every 100 ms without end (a stalled
     * proxy's): each byte comes well within the response timeout, until the client drops the connection.
     */
    TRICKLED_ANSWER_AFTER_ACCEPT(FaultTarget.ORDERS),
    /** Answer 429 with a Retry-After header. */
    RATE_LIMIT_429(FaultTarget.ORDERS),
    /** Reject an order placement with 400 INSUFFICIENT_BALANCE whatever the cash. Placements only. */
    INSUFFICIENT_BALANCE(FaultTarget.ORDERS),
    /** Emit a fill whose row is malformed (see {@link MalformedVariant}). Applies to emission, not to requests. */
    MALFORMED_ROW(FaultTarget.FEED),
    /** Answer feed requests with 503. */
    FEED_OUTAGE(FaultTarget.FEED);

    private final FaultTarget naturalTarget;

    FaultKind(FaultTarget naturalTarget) {
        this.naturalTarget = naturalTarget;
    }

    public FaultTarget naturalTarget() {
        return naturalTarget;
    }
}
