package io.copytrader.store;

import io.copytrader.domain.CopyIntent;
import io.copytrader.domain.Decimals;
import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.InstrumentId;
import io.copytrader.domain.Side;
import io.copytrader.domain.SourceTradeId;
import io.copytrader.domain.TraderId;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/** Named trades and intents for store tests, and a clock that moves forward one millisecond per reading. */
final class TradeFixtures {
    static final TraderId ALICE = new TraderId("alice");
    static final InstrumentId YES_TOKEN = new InstrumentId("token-yes-123");
    static final Instant START = Instant.parse("2026-11-02T10:15:30.123456789Z");

    private TradeFixtures() {
    }

    /** Alice buys 10 at 0.42 in trade {@code id}. */
    static DetectedTrade trade(String id) {
        return trade(ALICE, id);
    }

    static DetectedTrade trade(TraderId trader, String id) {
        BigDecimal price = new BigDecimal("0.42");
        BigDecimal quantity = new BigDecimal("10.000");
        return new DetectedTrade(new SourceTradeId(id), trader, YES_TOKEN, "Yes", Side.BUY, price, quantity,
                Decimals.notional(price, quantity), START, START.plusMillis(7));
    }

    /** A copy at half the size with a 2 % slippage cap on the limit. */
    static CopyIntent intent(DetectedTrade source) {
        BigDecimal limit = new BigDecimal("0.4284");
        BigDecimal quantity = new BigDecimal("5.00");
        return new CopyIntent(source.clientOrderId(), source, source.instrument(), source.side(), limit, quantity,
                Decimals.notional(limit, quantity));
    }

    static final class TickingClock extends Clock {
        private final AtomicLong millis = new AtomicLong(START.toEpochMilli());

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis.incrementAndGet());
        }
    }
}
