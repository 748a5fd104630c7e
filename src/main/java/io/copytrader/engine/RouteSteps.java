package io.copytrader.engine;

import io.copytrader.domain.CopyIntent;
import io.copytrader.domain.DetectedTrade;
import org.apache.camel.Exchange;
import org.apache.camel.Expression;
import org.apache.camel.Processor;
import org.apache.camel.support.ExpressionAdapter;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The engine's steps and conditions on the path of every trade, as beans the routes name ({@code process: ref:
 * writeOutbox}, {@code filter: ref: orderNotYetPlaced}). A {@code bean:} step with a {@code method:} is bound by
 * Camel's bean component at every call: it looks the method up by name, parses its parameter list, binds the
 * parameters and calls it reflectively (8 % of the engine's CPU samples at 1,000 trades/s, none of them in the
 * called methods); and a simple-language comparison ({@code ${exchangeProperty.x} != true}) is evaluated as a
 * typed binary expression. These call the method. Each name says which method it runs:
 *
 * <table>
 *   <caption>Steps</caption>
 *   <tr><th>name</th><th>runs</th></tr>
 *   <tr><td>recoverPreviousRun</td><td>metrics.detectionTicked, then recovery.beforePolling (at each poll tick;
 *   recovers once)</td></tr>
 *   <tr><td>pollFeed</td><td>tradeDetector.pollTrader(body as text) for the tick's first page,
 *   tradeDetector.pollNextPage(the page's trader) for the next; the page as body, counted in property
 *   feedPagesRead</td></tr>
 *   <tr><td>admitPage</td><td>tradeAdmissions.admitPage</td></tr>
 *   <tr><td>commitCursor</td><td>tradeDetector.commit(body as page), unless tradeAdmissions.cursorHeld; then
 *   property feedNextPage when tradeDetector.readsOn(page, pages read, tradeAdmissions.admittedThisTick)</td></tr>
 *   <tr><td>recordDetectionLag</td><td>pipelineMetrics.feedDetectionLag(body as trade)</td></tr>
 *   <tr><td>trackTargetPosition</td><td>targetPositions.observe</td></tr>
 *   <tr><td>completePreviousOrder</td><td>fillAggregation.beforeFill</td></tr>
 *   <tr><td>linkAggregate</td><td>fillAggregation.completed</td></tr>
 *   <tr><td>takeFromQueue</td><td>copyQueue.take</td></tr>
 *   <tr><td>sizeAndRisk</td><td>copyPlanner.plan(body as trade, property targetPositionBefore), the intent (or null) as
 *   body</td></tr>
 *   <tr><td>awaitCooldown</td><td>cooldown.await</td></tr>
 *   <tr><td>commitQueueOffset</td><td>copyQueue.done</td></tr>
 *   <tr><td>writeOutbox, prepareOrder, buildRequest, recordAnswer, recordSendFailure, classifyFailure</td>
 *   <td>orderPlacer.prepare, sign, request, onResult, onSendFailed, onFailure</td></tr>
 *   <tr><td>classifyAnswer</td><td>orderPlacer.classify, the result as body</td></tr>
 * </table>
 * Values: {@code traderNames} (tradeDetector.traderNames, what each tick splits into). Conditions:
 * {@code feedPageToRead} (no page read yet on this exchange, or property feedNextPage is true: detect-trades' loop),
 * {@code fillGroupCompletes} (fillAggregation.completes), {@code hasIntent} (the body is a copy intent),
 * {@code orderNotYetPlaced} (property orderAlreadyPlaced is not true), {@code orderFailed} (property deadLetterReason
 * is set).
 */
public final class RouteSteps {

    private RouteSteps() {
    }

    /** Every step and condition by the name the routes use. */
    public static Map<String, Object> all(TradeDetector detector, TradeAdmissions admissions, PipelineMetrics metrics,
                                          TargetPositions positions, FillAggregation aggregation, CopyQueue queue,
                                          CopyPlanner planner, Cooldown cooldown, OrderPlacer placer,
                                          Recovery recovery) {
        Map<String, Object> steps = new LinkedHashMap<>();
        StageTimeline timeline = metrics.timeline();
        // the first step of every tick: it marks the tick for the feed's readiness check, then recovers (once)
        steps.put("recoverPreviousRun", step(timeline, "recoverPreviousRun", e -> {
            metrics.detectionTicked();
            recovery.beforePolling();
        }));
        steps.put("traderNames", value("traderNames", e -> detector.traderNames()));
        steps.put("pollFeed", step(timeline, "pollFeed", e -> {
            Integer pages = e.getProperty(ExchangeProps.FEED_PAGES, Integer.class);
            e.removeProperty(ExchangeProps.NEXT_FEED_PAGE); // set again only by this page's commit
            if (pages == null) { // the tick's first page: the body is the trader's name
                e.setProperty(ExchangeProps.FEED_PAGES, 1);
                e.getMessage().setBody(detector.pollTrader(e.getMessage().getMandatoryBody(String.class)));
            } else { // the next page of the trader of the page before, which said the feed has more
                e.setProperty(ExchangeProps.FEED_PAGES, pages + 1);
                e.getMessage().setBody(detector.pollNextPage(
                        e.getMessage().getMandatoryBody(TradeDetector.Poll.class).trader()));
            }
        }));
        steps.put("admitPage", step(timeline, "admitPage", admissions::admitPage));
        steps.put("commitCursor", step(timeline, "commitCursor", e -> {
            if (admissions.cursorHeld(e)) {
                return; // a trade the store refused is read again at the next poll; this tick reads no further page
            }
            TradeDetector.Poll page = e.getMessage().getMandatoryBody(TradeDetector.Poll.class);
            detector.commit(page);
            if (detector.readsOn(page, e.getProperty(ExchangeProps.FEED_PAGES, 1, Integer.class),
                    admissions.admittedThisTick(e))) {
                e.setProperty(ExchangeProps.NEXT_FEED_PAGE, true);
            }
        }));
        steps.put("recordDetectionLag", step(timeline, "recordDetectionLag",
                e -> metrics.feedDetectionLag(e.getMessage().getMandatoryBody(DetectedTrade.class))));
        steps.put("trackTargetPosition", step(timeline, "trackTargetPosition", positions::observe));
        steps.put("completePreviousOrder", step(timeline, "completePreviousOrder", aggregation::beforeFill));
        steps.put("linkAggregate", step(timeline, "linkAggregate", aggregation::completed));
        steps.put("takeFromQueue", step(timeline, "takeFromQueue", queue::take));
        steps.put("sizeAndRisk", step(timeline, "sizeAndRisk", e -> {
            try {
                e.getMessage().setBody(planner.plan(e.getMessage().getMandatoryBody(DetectedTrade.class),
                        e.getProperty(TargetPositions.PROPERTY, BigDecimal.class)));
            } finally {
                // the next trade of its instrument may be sized now (docs/ordering.md)
                DropOldestQueueFactory.sized(e);
            }
        }));
        steps.put("awaitCooldown", step(timeline, "awaitCooldown", e -> cooldown.await()));
        steps.put("commitQueueOffset", step(timeline, "commitQueueOffset", queue::done));
        steps.put("writeOutbox", step(timeline, "writeOutbox", placer::prepare));
        steps.put("prepareOrder", step(timeline, "prepareOrder", placer::sign));
        steps.put("buildRequest", step(timeline, "buildRequest", placer::request));
        steps.put("classifyAnswer", step(timeline, "classifyAnswer", e -> e.getMessage().setBody(placer.classify(e))));
        steps.put("recordAnswer", step(timeline, "recordAnswer", placer::onResult));
        steps.put("recordSendFailure", step(timeline, "recordSendFailure", placer::onSendFailed));
        steps.put("classifyFailure", step(timeline, "classifyFailure", placer::onFailure));
        steps.putAll(conditions(aggregation));
        return steps;
    }

    /** The conditions, by the name the routes use. */
    static Map<String, Expression> conditions(FillAggregation aggregation) {
        Map<String, Expression> conditions = new LinkedHashMap<>();
        conditions.put("feedPageToRead", condition("feedPageToRead",
                e -> e.getProperty(ExchangeProps.FEED_PAGES) == null
                        || Boolean.TRUE.equals(e.getProperty(ExchangeProps.NEXT_FEED_PAGE, Boolean.class))));
        conditions.put("fillGroupCompletes", condition("fillGroupCompletes", aggregation::completes));
        conditions.put("hasIntent", condition("hasIntent", e -> e.getMessage().getBody() instanceof CopyIntent));
        conditions.put("orderNotYetPlaced", condition("orderNotYetPlaced",
                e -> !Boolean.TRUE.equals(e.getProperty(ExchangeProps.ALREADY_PLACED, Boolean.class))));
        conditions.put("orderFailed", condition("orderFailed",
                e -> e.getProperty(ExchangeProps.DEAD_LETTER_REASON) != null));
        return conditions;
    }

    /**
     * A step that reads its name in route dumps and error messages, and whose runs are marked on the timeline of the
     * trade it works on while the timeline is on.
     */
    static Processor step(StageTimeline timeline, String name, Processor work) {
        return new Processor() {
            @Override
            public void process(Exchange exchange) throws Exception {
                if (!timeline.on()) {
                    work.process(exchange);
                    return;
                }
                long start = timeline.nowMicros();
                work.process(exchange);
                timeline.mark(exchange, name, start);
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    /** An expression's value (the {@code ref} language), e.g. what a split goes through. */
    static Expression value(String name, java.util.function.Function<Exchange, Object> of) {
        return new ExpressionAdapter() {
            @Override
            public Object evaluate(Exchange exchange) {
                return of.apply(exchange);
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    /** A condition for a filter or a completion predicate (the {@code ref} language), true or false. */
    static Expression condition(String name, Predicate<Exchange> test) {
        return value(name, test::test);
    }
}
