package io.copytrader.engine;

import io.copytrader.domain.DetectedTrade;
import org.apache.camel.Exchange;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;

/**
 * The idempotent consumer's repository, backed by the trade store: adding a key stores the detected trade itself
 * (primary key on the trade key, so concurrent adds cannot both win). One write admits and dedupes at once, and
 * the dedup survives restarts whenever the store does.
 */
public final class TradeAdmissions extends ServiceSupport implements IdempotentRepository {
    private final TradeLedger ledger;

    public TradeAdmissions(TradeLedger ledger) {
        this.ledger = ledger;
    }

    @Override
    public boolean add(Exchange exchange, String key) {
        DetectedTrade trade = exchange.getMessage().getBody(DetectedTrade.class);
        if (trade == null) {
            throw new IllegalStateException("no trade to admit for key " + key);
        }
        if (!trade.key().equals(key)) {
            throw new IllegalStateException("dedup key " + key + " does not match trade " + trade.key());
        }
        return ledger.admit(trade);
    }

    @Override
    public boolean add(String key) {
        throw new UnsupportedOperationException("trades are admitted with their exchange");
    }

    @Override
    public boolean contains(String key) {
        return ledger.store().trade(key).isPresent();
    }

    @Override
    public boolean remove(String key) {
        return false; // an admitted trade is never forgotten: it ends in an outcome instead
    }

    @Override
    public boolean confirm(String key) {
        return true;
    }

    @Override
    public void clear() {
        // never: the store is the record of what was copied
    }
}
