package io.copytrader.engine;

import io.copytrader.domain.DetectedTrade;
import org.apache.camel.Exchange;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The idempotent consumer's repository, backed by the trade store: adding a key stores the detected trade itself
 * (primary key on the trade key, so concurrent adds cannot both win). One write admits and dedupes at once, and
 * the dedup survives restarts whenever the store does.
 */
public final class TradeAdmissions extends ServiceSupport implements IdempotentRepository {
    /** The exchange property holding a page's admission answers, by trade key (see {@link #admitPage}). */
    static final String PAGE_ADMITTED = "copytraderPageAdmitted";
    private final TradeLedger ledger;
    /** The detection source recorded with each trade, when the same fills have two (DETECTION=both); else null. */
    private final String source;

    public TradeAdmissions(TradeLedger ledger) {
        this(ledger, null);
    }

    /**
     * @param source the source of the trades admitted here when another source reports the same fills (a fill one
     *               source admitted is then a duplicate for the other, {@link TradeLedger#admit(DetectedTrade, String)});
     *               null when this is the only source
     */
    public TradeAdmissions(TradeLedger ledger, String source) {
        this.ledger = ledger;
        this.source = source;
    }

    /**
     * Admits a polled page's trades in one group commit before the page is split (detect-trades' first step after the
     * poll), instead of one durable write each on the detection thread; each trade's answer waits in an exchange
     * property for {@link #add(Exchange, String)}, which the split's copies share. A trade the page write could not
     * store has no answer there and is admitted alone by the idempotent consumer, which reports the error as before.
     */
    public void admitPage(Exchange exchange) {
        TradeDetector.Poll poll = exchange.getMessage().getBody(TradeDetector.Poll.class);
        if (poll == null || poll.trades().size() < 2) {
            return; // nothing to share a commit with
        }
        List<Boolean> admitted = ledger.admitAll(poll.trades(), source);
        Map<String, Boolean> answers = new ConcurrentHashMap<>();
        for (int i = 0; i < admitted.size(); i++) {
            if (admitted.get(i) != null) {
                answers.putIfAbsent(poll.trades().get(i).key(), admitted.get(i)); // a key twice: its first answer
            }
        }
        exchange.setProperty(PAGE_ADMITTED, answers);
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
        @SuppressWarnings("unchecked")
        Map<String, Boolean> page = exchange.getProperty(PAGE_ADMITTED, Map.class);
        Boolean answered = page == null ? null : page.remove(key); // once: a second look is a duplicate
        return answered != null ? answered : ledger.admit(trade, source);
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
