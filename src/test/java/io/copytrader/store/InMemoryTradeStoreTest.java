package io.copytrader.store;

import java.time.Clock;

class InMemoryTradeStoreTest extends TradeStoreContractTest {
    @Override
    protected TradeStore createStore(Clock clock) {
        return new InMemoryTradeStore(clock);
    }
}
