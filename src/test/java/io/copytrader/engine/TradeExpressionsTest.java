package io.copytrader.engine;

import io.copytrader.domain.DetectedTrade;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Expression;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The routes' key expressions give what the simple-language calls they replace gave. */
class TradeExpressionsTest {
    private final CamelContext context = new DefaultCamelContext();

    @AfterEach
    void close() throws Exception {
        context.close();
    }

    private Exchange with(Object body) {
        Exchange exchange = new DefaultExchange(context);
        exchange.getMessage().setBody(body);
        return exchange;
    }

    @Test
    void shouldReadEachKeyOffTheTrade() {
        DetectedTrade trade = Trades.buy("alice-7", "0.42", "10");
        Map<String, Expression> all = TradeExpressions.all(new FillAggregation(0, null));

        assertThat(all).containsOnlyKeys("tradeKey", "aggregationKey", "orderingKey", "pageTrades", "pageHasTrades");
        assertThat(all.get("tradeKey").evaluate(with(trade), String.class)).isEqualTo(trade.key());
        assertThat(all.get("aggregationKey").evaluate(with(trade), String.class)).isEqualTo(trade.aggregationKey());
        assertThat(all.get("orderingKey").evaluate(with(trade), String.class)).isEqualTo(trade.orderingKey());
    }

    @Test
    void shouldReadAPolledPage() {
        DetectedTrade trade = Trades.buy("alice-7", "0.42", "10");
        TradeDetector.Poll page = new TradeDetector.Poll(trade.trader(), List.of(trade), "c-8");
        TradeDetector.Poll empty = new TradeDetector.Poll(trade.trader(), List.of(), "c-7");
        Map<String, Expression> all = TradeExpressions.all(new FillAggregation(0, null));

        assertThat(all.get("pageTrades").evaluate(with(page), List.class)).containsExactly(trade);
        assertThat(all.get("pageTrades").evaluate(with(empty), List.class)).isEmpty();
        assertThat(all.get("pageHasTrades").evaluate(with(page), Boolean.class)).isTrue();
        assertThat(all.get("pageHasTrades").evaluate(with(empty), Boolean.class)).isFalse();
        assertThat(all.get("pageTrades")).hasToString("pageTrades");
        assertThat(all.get("pageHasTrades")).hasToString("pageHasTrades");
        // not a page: nothing to split, nothing to complete
        assertThat(all.get("pageTrades").evaluate(with("not a page"), List.class)).isEmpty();
        assertThat(all.get("pageHasTrades").evaluate(with(null), Boolean.class)).isFalse();
    }

    @Test
    void shouldGiveNoKeyForABodyThatIsNotATrade() {
        for (String name : List.of("tradeKey", "aggregationKey", "orderingKey")) {
            Expression e = TradeExpressions.all(new FillAggregation(0, null)).get(name);
            assertThat(e).as("named as the routes name it, in route dumps").hasToString(name);
            assertThat(e.evaluate(with("not a trade"), String.class)).as(e.toString()).isNull();
            assertThat(e.evaluate(with(null), String.class)).as(e.toString()).isNull();
        }
    }
}
