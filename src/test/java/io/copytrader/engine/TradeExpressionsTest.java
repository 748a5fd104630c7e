package io.copytrader.engine;

import io.copytrader.domain.DetectedTrade;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Expression;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

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
        Map<String, Expression> all = TradeExpressions.all();

        assertThat(all).containsOnlyKeys("tradeKey", "aggregationKey", "orderingKey");
        assertThat(all.get("tradeKey").evaluate(with(trade), String.class)).isEqualTo(trade.key());
        assertThat(all.get("aggregationKey").evaluate(with(trade), String.class)).isEqualTo(trade.aggregationKey());
        assertThat(all.get("orderingKey").evaluate(with(trade), String.class)).isEqualTo(trade.orderingKey());
    }

    @Test
    void shouldGiveNoKeyForABodyThatIsNotATrade() {
        for (Expression e : TradeExpressions.all().values()) {
            assertThat(e.evaluate(with("not a trade"), String.class)).as(e.toString()).isNull();
            assertThat(e.evaluate(with(null), String.class)).as(e.toString()).isNull();
        }
    }
}
