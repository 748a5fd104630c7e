package io.copytrader.venue;

import io.copytrader.domain.InstrumentId;
import io.copytrader.domain.TraderId;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The trade-feed contract of a venue (DESIGN section 7): a page of a trader's fills after a cursor. Pure builders
 * and parsers; the engine executes the HTTP. Thread-safe.
 */
public interface FeedAdapter {
    String name();

    /** @param cursor where the last page ended, or null to start from the venue's beginning for this trader */
    HttpCall fetchPage(TraderId trader, String cursor);

    /**
     * Parses a page. A row that cannot be read becomes {@link FeedRow.Malformed}; the page as a whole fails only
     * when its envelope is unreadable ({@link IllegalArgumentException}) or the venue said "try again"
     * ({@link TransientVenueException}).
     *
     * @param now the engine's clock, for {@code tsInit}
     */
    FeedPage onPage(TraderId trader, String cursor, HttpReply reply, Instant now);

    /**
     * Page requests a second the engine may send this feed, for all its targets together (0: no limit of the venue's
     * to keep under). A poll that would go past it waits for the next tick (TradeDetector).
     */
    default int pageRequestsPerSecond() {
        return 0;
    }

    /** The call that reads a target's current positions (to seed proportional sells); empty when the venue has none. */
    default Optional<HttpCall> fetchPositions(TraderId trader) {
        return Optional.empty();
    }

    /** The target's positions by instrument (quantities held), from the answer to {@link #fetchPositions}. */
    default Map<InstrumentId, BigDecimal> onPositions(TraderId trader, HttpReply reply) {
        return Map.of();
    }

    /**
     * The call for the next page of a target's positions when {@code previous}, the answer to page
     * {@code pagesRead}, may not have been the last; empty when it was (or the venue does not page them).
     */
    default Optional<HttpCall> nextPositionsPage(TraderId trader, HttpReply previous, int pagesRead) {
        return Optional.empty();
    }
}
