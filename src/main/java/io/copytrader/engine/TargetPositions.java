package io.copytrader.engine;

import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.InstrumentId;
import io.copytrader.domain.Side;
import io.copytrader.domain.TraderId;
import org.apache.camel.Exchange;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each target's position per instrument, as its observed trades build it (a buy adds, a sell takes off, never below
 * zero), optionally seeded from the venue's view of the target's positions at start. A detected trade is stamped
 * with the target's position just before it ({@link #PROPERTY}), so a sell can be sized as the same share of our
 * holding however much later it is sized. Trades are observed in feed order (detect-trades, one poll at a time).
 */
public final class TargetPositions {
    /** Exchange property: the target's position in the trade's instrument before the trade (BigDecimal). */
    public static final String PROPERTY = "targetPositionBefore";

    private record Book(Map<InstrumentId, BigDecimal> positions, Instant seededAt) {
    }

    private final Map<TraderId, Book> books = new ConcurrentHashMap<>();

    /** The detect-trades step: records the trade and stamps the exchange with the position before it. */
    public void observe(Exchange exchange) {
        DetectedTrade trade = exchange.getMessage().getBody(DetectedTrade.class);
        if (trade != null) {
            exchange.setProperty(PROPERTY, observe(trade));
        }
    }

    /** Records the trade; returns the target's position before it. */
    public BigDecimal observe(DetectedTrade trade) {
        Book book = books.computeIfAbsent(trade.trader(), t -> new Book(new HashMap<>(), null));
        synchronized (book) {
            BigDecimal now = book.positions().getOrDefault(trade.instrument(), BigDecimal.ZERO);
            if (book.seededAt() != null && trade.tsEvent().isBefore(book.seededAt())) {
                // the seeded snapshot already counts this trade: a sell's position before it was the snapshot plus it
                return trade.side() == Side.SELL ? now.add(trade.quantity()) : now;
            }
            BigDecimal after = trade.side() == Side.BUY ? now.add(trade.quantity())
                    : now.subtract(trade.quantity()).max(BigDecimal.ZERO);
            book.positions().put(trade.instrument(), after);
            return now;
        }
    }

    /**
     * Replaces a target's positions with the venue's view, taken at {@code asOf}: trades that happened before it are
     * in the snapshot already and do not move it again.
     */
    public void seed(TraderId trader, Map<InstrumentId, BigDecimal> positions, Instant asOf) {
        books.put(trader, new Book(new HashMap<>(positions), asOf));
    }

    public BigDecimal position(TraderId trader, InstrumentId instrument) {
        Book book = books.get(trader);
        if (book == null) {
            return BigDecimal.ZERO;
        }
        synchronized (book) {
            return book.positions().getOrDefault(instrument, BigDecimal.ZERO);
        }
    }
}
