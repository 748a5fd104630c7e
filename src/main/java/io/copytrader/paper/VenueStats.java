package io.copytrader.paper;

import java.util.Map;

/**
 * What {@code GET /admin/stats} answers. {@code ordersRejected} counts 400 rejections (balance, invalid, and the
 * INSUFFICIENT_BALANCE fault); duplicates are counted apart in {@code duplicateOrdersRejected}.
 */
public record VenueStats(long tradesEmitted, long ordersAccepted, long ordersRejected, long duplicateOrdersRejected,
                         long ordersFilled, long ordersCanceled, Map<FaultKind, Long> faultsInjected,
                         Map<String, TraderStats> traders) {
    /** One target trader: its emission rate (trades/s) and how many fills it emitted ({@code emitted == lastSeq}). */
    public record TraderStats(double rate, long emitted) {
    }

    public VenueStats {
        faultsInjected = Map.copyOf(faultsInjected);
        traders = Map.copyOf(traders);
    }

    /** How many times a fault kind fired (0 when never). */
    public long faults(FaultKind kind) {
        return faultsInjected.getOrDefault(kind, 0L);
    }
}
