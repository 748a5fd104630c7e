package io.copytrader.paper;

/** Which requests a fault hits. Admin and health requests are never faulted. */
public enum FaultTarget {
    /** Order placements only ({@code POST /exchange/orders}). */
    ORDERS,
    /** Every exchange request: placement, lookup, list, cancel, balance, positions. */
    EXCHANGE,
    /** Feed pages. */
    FEED,
    /** Feed and exchange. */
    ALL;

    /** The kinds of request the venue tells apart for faults. */
    public enum Request { PLACE_ORDER, EXCHANGE, FEED }

    public boolean covers(Request request) {
        return switch (this) {
            case ORDERS -> request == Request.PLACE_ORDER;
            case EXCHANGE -> request != Request.FEED;
            case FEED -> request == Request.FEED;
            case ALL -> true;
        };
    }
}
