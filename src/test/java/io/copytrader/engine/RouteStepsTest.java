package io.copytrader.engine;

import io.copytrader.domain.CopyIntent;
import io.copytrader.domain.DetectedTrade;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Expression;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The routes' conditions decide as the simple-language comparisons they replace decided. */
class RouteStepsTest {
    private final CamelContext context = new DefaultCamelContext();
    private final Map<String, Expression> conditions = RouteSteps.conditions(new FillAggregation(50, null));

    @AfterEach
    void close() throws Exception {
        context.close();
    }

    private Exchange with(Object body) {
        Exchange exchange = new DefaultExchange(context);
        exchange.getMessage().setBody(body);
        return exchange;
    }

    private boolean holds(String condition, Exchange exchange) {
        return conditions.get(condition).evaluate(exchange, Boolean.class);
    }

    @Test
    void shouldSendOnAnOrderUnlessItIsAlreadyPlaced() {
        Exchange exchange = with(null);
        assertThat(holds("orderNotYetPlaced", exchange)).as("not marked").isTrue();
        exchange.setProperty(ExchangeProps.ALREADY_PLACED, false);
        assertThat(holds("orderNotYetPlaced", exchange)).as("marked false").isTrue();
        exchange.setProperty(ExchangeProps.ALREADY_PLACED, true);
        assertThat(holds("orderNotYetPlaced", exchange)).as("marked true").isFalse();
        exchange.setProperty(ExchangeProps.ALREADY_PLACED, "true"); // as ${...} != true read text, by conversion
        assertThat(holds("orderNotYetPlaced", exchange)).as("marked \"true\"").isFalse();
    }

    @Test
    void shouldReadATicksFirstPageAndThenAnotherOnlyWhenThePageBeforeAskedForIt() {
        Exchange tick = with("alice");
        assertThat(holds("feedPageToRead", tick)).as("no page read yet").isTrue();
        tick.setProperty(ExchangeProps.FEED_PAGES, 1);
        assertThat(holds("feedPageToRead", tick)).as("a page read, which did not ask for the next").isFalse();
        tick.setProperty(ExchangeProps.NEXT_FEED_PAGE, true);
        assertThat(holds("feedPageToRead", tick)).isTrue();
        tick.setProperty(ExchangeProps.NEXT_FEED_PAGE, false);
        assertThat(holds("feedPageToRead", tick)).isFalse();
    }

    @Test
    void shouldSendToTheDeadLettersOnlyWithAReason() {
        Exchange exchange = with(null);
        assertThat(holds("orderFailed", exchange)).isFalse();
        exchange.setProperty(ExchangeProps.DEAD_LETTER_REASON, "EXCHANGE_ERROR");
        assertThat(holds("orderFailed", exchange)).isTrue();
    }

    @Test
    void shouldGoOnOnlyWithACopyIntent() {
        DetectedTrade trade = Trades.buy("alice-7", "0.42", "10");
        CopyIntent intent = new CopyIntent(trade.clientOrderId(), trade, trade.instrument(), trade.side(),
                new BigDecimal("0.42"), new BigDecimal("10"), new BigDecimal("4.20"));
        assertThat(holds("hasIntent", with(intent))).isTrue();
        assertThat(holds("hasIntent", with(null))).as("a skipped trade").isFalse();
        assertThat(holds("hasIntent", with(trade))).as("the trade itself").isFalse();
    }

    @Test
    void shouldCompleteAFillGroupAtOnceOnlyWhenNothingCouldJoinIt() {
        DetectedTrade alone = Trades.buy("alice-7", "0.42", "10");
        DetectedTrade ofAnOrder = alone.withSourceOrder("order-1");
        assertThat(holds("fillGroupCompletes", with(ofAnOrder))).as("a fill of a known order waits").isFalse();
        assertThat(holds("fillGroupCompletes", with(alone))).as("a fill of an unknown order").isTrue();
        assertThat(RouteSteps.conditions(new FillAggregation(0, null)).get("fillGroupCompletes")
                .evaluate(with(ofAnOrder), Boolean.class)).as("aggregation off").isTrue();
    }

    @Test
    void shouldNameEachStepAfterItself() {
        assertThat(RouteSteps.step(new StageTimeline(java.time.Clock.systemUTC()), "writeOutbox", e -> { })).hasToString("writeOutbox");
        assertThat(conditions.get("orderFailed")).hasToString("orderFailed");
        assertThat(conditions).containsOnlyKeys("feedPageToRead", "fillGroupCompletes", "hasIntent", "orderNotYetPlaced",
                "orderFailed");
    }
}
