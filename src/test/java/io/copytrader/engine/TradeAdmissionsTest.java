package io.copytrader.engine;

import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.TraderId;
import io.copytrader.store.InMemoryTradeStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;

import static io.copytrader.engine.Trades.buy;
import static io.copytrader.engine.Trades.T0;
import static org.assertj.core.api.Assertions.assertThat;

/** A polled page admitted in one store call before the split; the idempotent consumer then reads each answer. */
class TradeAdmissionsTest {
    final InMemoryTradeStore store = new InMemoryTradeStore(Clock.fixed(T0, ZoneOffset.UTC));
    final TradeLedger ledger = new TradeLedger(store, new PipelineMetrics(new SimpleMeterRegistry()));
    final TradeAdmissions admissions = new TradeAdmissions(ledger);
    final CamelContext context = new DefaultCamelContext();

    @AfterEach
    void close() throws Exception {
        context.close();
    }

    @Test
    void shouldAdmitThePageBeforeTheSplitAndAnswerEachTradeOnceFromIt() {
        DetectedTrade seen = buy("t0", "0.40", "10");
        assertThat(ledger.admit(seen)).isTrue();
        DetectedTrade t1 = buy("t1", "0.40", "10");
        DetectedTrade t2 = buy("t2", "0.40", "10");
        Exchange page = new DefaultExchange(context);
        page.getMessage().setBody(new TradeDetector.Poll(new TraderId("alice"), List.of(t1, seen, t2, t1), "c-1"));

        // 1. the page's trades are stored before any of them is split off
        admissions.admitPage(page);
        assertThat(store.detectedCount()).isEqualTo(3);
        assertThat(store.inFlightCount()).isEqualTo(3);

        // 2. each split copy is answered from the page: new, already seen, new, and the same trade a second time
        assertThat(admissions.add(split(page, t1), t1.key())).isTrue();
        assertThat(admissions.add(split(page, seen), seen.key())).isFalse();
        assertThat(admissions.add(split(page, t2), t2.key())).isTrue();
        assertThat(admissions.add(split(page, t1), t1.key())).isFalse();
        assertThat(store.detectedCount()).isEqualTo(3);

        // 3. a trade the page did not hold is admitted on its own, as before
        DetectedTrade t3 = buy("t3", "0.40", "10");
        assertThat(admissions.add(split(page, t3), t3.key())).isTrue();
        assertThat(store.detectedCount()).isEqualTo(4);
    }

    @Test
    void shouldAdmitAPageOfTwoInOneCommitAndAPageOfOneAtItsSplit() {
        DetectedTrade t1 = buy("t1", "0.40", "10");
        DetectedTrade t2 = buy("t2", "0.40", "10");
        Exchange two = new DefaultExchange(context);
        two.getMessage().setBody(new TradeDetector.Poll(new TraderId("alice"), List.of(t1, t2), "c-1"));

        admissions.admitPage(two);

        assertThat(store.detectedCount()).as("both stored before the split").isEqualTo(2);
        assertThat(admissions.add(split(two, t1), t1.key())).isTrue();
        assertThat(admissions.add(split(two, t2), t2.key())).isTrue();

        DetectedTrade t3 = buy("t3", "0.40", "10");
        Exchange one = new DefaultExchange(context);
        one.getMessage().setBody(new TradeDetector.Poll(new TraderId("alice"), List.of(t3), "c-2"));
        admissions.admitPage(one);
        assertThat(store.detectedCount()).as("nothing to share a commit with: admitted by the dedup step").isEqualTo(2);
        assertThat(admissions.add(split(one, t3), t3.key())).isTrue();
        assertThat(store.detectedCount()).isEqualTo(3);
    }

    @Test
    void shouldNeverForgetAnAdmittedTrade() {
        DetectedTrade t1 = buy("t1", "0.40", "10");
        assertThat(admissions.contains(t1.key())).isFalse();
        Exchange exchange = new DefaultExchange(context);
        exchange.getMessage().setBody(t1);
        assertThat(admissions.add(exchange, t1.key())).isTrue();
        assertThat(admissions.contains(t1.key())).isTrue();

        // the dedup step's removal on a failure, and a clear: the trade stays admitted, a second sighting a duplicate
        assertThat(admissions.remove(t1.key())).as("nothing removed").isFalse();
        admissions.clear();
        assertThat(admissions.contains(t1.key())).isTrue();
        assertThat(admissions.add(exchange, t1.key())).isFalse();
        assertThat(store.detectedCount()).isEqualTo(1);
    }

    /** What split-trades hands the idempotent consumer: a copy of the page's exchange with one trade as its body. */
    private static Exchange split(Exchange page, DetectedTrade trade) {
        Exchange copy = page.copy();
        copy.getMessage().setBody(trade);
        return copy;
    }
}
