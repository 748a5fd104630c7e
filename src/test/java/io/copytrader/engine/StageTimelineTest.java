package io.copytrader.engine;

import io.copytrader.domain.CopyIntent;
import io.copytrader.domain.DetectedTrade;
import io.copytrader.paper.MutableClock;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.builder.ExchangeBuilder;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class StageTimelineTest {
    /** Never started: the exchanges need a context, nothing runs in it. */
    private static final CamelContext CONTEXT = new DefaultCamelContext();
    private final MutableClock clock = new MutableClock(Trades.T0);
    private final StageTimeline timeline = new StageTimeline(clock, 2);
    private final List<Long> latencies = new ArrayList<>();
    private final List<List<StageTimeline.Mark>> told = new ArrayList<>();

    private static Exchange with(Object body) {
        return ExchangeBuilder.anExchange(CONTEXT).withBody(body).build();
    }

    /** A step that takes {@code micros} of the clock's time. */
    private Processor taking(String name, long micros) {
        return RouteSteps.step(timeline, name, e -> clock.advance(Duration.ofNanos(micros * 1_000)));
    }

    private void listen() {
        timeline.listen((latency, marks) -> {
            latencies.add(latency);
            told.add(marks);
        });
    }

    private static CopyIntent intentOf(DetectedTrade trade) {
        return new CopyIntent(trade.clientOrderId(), trade, trade.instrument(), trade.side(), new BigDecimal("0.42"),
                new BigDecimal("10"), new BigDecimal("4.20"));
    }

    @Test
    void shouldMarkEachStepOfATradeFromItsDetectionAndTellThemWhenItIsCopied() throws Exception {
        listen();
        DetectedTrade trade = Trades.buy("alice-1", "0.42", "10");
        clock.advance(Duration.ofNanos(200_000));
        taking("recordDetectionLag", 10).process(with(trade));
        clock.advance(Duration.ofNanos(300_000));
        // later steps find the trade in the intent the body or the exchange carries
        taking("writeOutbox", 700).process(with(intentOf(trade)));
        Exchange answered = with("the venue's answer");
        answered.setProperty(ExchangeProps.INTENT, intentOf(trade));
        taking("classifyAnswer", 40).process(answered);

        timeline.copied(trade, 1_250);

        assertThat(latencies).containsExactly(1_250L);
        assertThat(told.get(0)).containsExactly(
                new StageTimeline.Mark("recordDetectionLag", 200, 210),
                new StageTimeline.Mark("writeOutbox", 510, 1_210),
                new StageTimeline.Mark("classifyAnswer", 1_210, 1_250));
        timeline.copied(trade, 1_250);
        assertThat(told).as("a trade's marks are told once").hasSize(1);
    }

    @Test
    void shouldRunStepsUnmarkedWhileOff() throws Exception {
        DetectedTrade trade = Trades.buy("alice-2", "0.42", "10");
        List<String> ran = new ArrayList<>();
        RouteSteps.step(timeline, "writeOutbox", e -> ran.add("ran")).process(with(trade));
        listen();
        timeline.copied(trade, 900);
        assertThat(ran).as("the step itself still runs").containsExactly("ran");
        assertThat(told).as("nothing was marked while off").isEmpty();
    }

    @Test
    void shouldIgnoreExchangesWithoutATradeAndForgetOnANewListener() throws Exception {
        listen();
        taking("pollFeed", 5).process(with("a page"));
        DetectedTrade trade = Trades.buy("alice-3", "0.42", "10");
        taking("writeOutbox", 5).process(with(trade));
        listen();
        timeline.copied(trade, 900);
        assertThat(told).as("marks from before the listener was set again are forgotten").isEmpty();

        timeline.listen(null);
        taking("writeOutbox", 5).process(with(trade));
        listen();
        timeline.copied(trade, 900);
        assertThat(told).as("off again: nothing marked").isEmpty();
    }

    @Test
    void shouldFollowNoMoreTradesAtOnceThanItsBound() throws Exception {
        listen();
        DetectedTrade first = Trades.buy("alice-4", "0.42", "10");
        DetectedTrade second = Trades.buy("alice-5", "0.42", "10");
        DetectedTrade third = Trades.buy("alice-6", "0.42", "10");
        for (DetectedTrade t : List.of(first, second, third)) {
            taking("writeOutbox", 5).process(with(t));
        }
        timeline.copied(third, 100);
        assertThat(told).as("the third trade was over the bound of two").isEmpty();
        timeline.copied(first, 100);
        taking("writeOutbox", 5).process(with(third));
        timeline.copied(third, 100);
        assertThat(told).as("a trade copied makes room for another").hasSize(2);
        assertThat(told.get(1)).hasSize(1);
    }
}
