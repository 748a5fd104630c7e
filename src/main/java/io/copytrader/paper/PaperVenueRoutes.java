package io.copytrader.paper;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.copytrader.domain.TraderId;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The HTTP face of the paper venue (docs/paper-venue-api.md): routes, parameter checks, fault application and JSON
 * rendering. State lives in {@link FeedBook}, {@link PaperExchange} and {@link FaultModel}; handlers run on event
 * loops and only take those objects' short locks.
 */
final class PaperVenueRoutes {
    private static final String JSON = "application/json";
    private static final String SWALLOW_REPLY = "paper.swallowReply";
    private static final String ENDLESS_REPLY = "paper.endlessReply";
    private static final String TRICKLED_REPLY = "paper.trickledReply";
    /** The pace of a trickled answer: a byte at a time, each well within any sane response timeout. */
    private static final long TRICKLE_MS = 100;
    /** What an endless answer repeats: JSON whitespace after its opening bracket. */
    private static final Buffer ENDLESS_CHUNK = Buffer.buffer(" ".repeat(64 * 1024));
    private static final int MAX_LIMIT = 1000;
    private static final int DEFAULT_LIMIT = 100;

    private final Vertx vertx;
    private final FeedBook feeds;
    private final PaperExchange exchange;
    private final FaultModel faults;
    private final Duration hangTimeout;
    private final VenueTimer timer;

    PaperVenueRoutes(Vertx vertx, FeedBook feeds, PaperExchange exchange, FaultModel faults, Duration hangTimeout,
                     VenueTimer timer) {
        this.vertx = vertx;
        this.timer = timer;
        this.feeds = feeds;
        this.exchange = exchange;
        this.faults = faults;
        this.hangTimeout = hangTimeout;
    }

    /** The error body of every non-2xx answer. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ErrorBody(String error, String message) {
    }

    Router router() {
        Router router = Router.router(vertx);
        router.route().handler(BodyHandler.create().setBodyLimit(64 * 1024));
        router.get("/health").handler(ctx -> reply(ctx, 200, Map.of("status", "UP")));

        router.get("/feed/traders/:traderId/fills").handler(faulted(FaultTarget.Request.FEED, this::feedPage));

        router.post("/exchange/orders").handler(faulted(FaultTarget.Request.PLACE_ORDER, this::placeOrder));
        router.get("/exchange/orders").handler(faulted(FaultTarget.Request.EXCHANGE, this::openOrders));
        router.get("/exchange/orders/:clientOrderId").handler(faulted(FaultTarget.Request.EXCHANGE, this::lookupOrder));
        router.delete("/exchange/orders/:clientOrderId").handler(faulted(FaultTarget.Request.EXCHANGE, this::cancelOrder));
        router.get("/exchange/balance").handler(faulted(FaultTarget.Request.EXCHANGE, ctx -> reply(ctx, 200, exchange.balance())));
        router.get("/exchange/positions").handler(faulted(FaultTarget.Request.EXCHANGE,
                ctx -> reply(ctx, 200, Map.of("positions", exchange.positions()))));

        router.get("/admin/stats").handler(ctx -> reply(ctx, 200, stats()));
        router.post("/admin/traders/:traderId/rate").handler(badRequestOnError(this::setRate));
        router.post("/admin/traders/:traderId/emit").handler(badRequestOnError(this::emit));
        router.post("/admin/traders/:traderId/fills").handler(badRequestOnError(this::emitFills));
        router.post("/admin/traders/:traderId/patterns").handler(badRequestOnError(this::emitPattern));
        router.post("/admin/faults").handler(badRequestOnError(this::injectFault));
        router.delete("/admin/faults").handler(ctx -> {
            faults.clear();
            reply(ctx, 200, Map.of("faults", "cleared"));
        });
        router.post("/admin/balance").handler(badRequestOnError(this::setCash));

        router.route().last().handler(ctx -> error(ctx, 404, "NOT_FOUND", "no such endpoint: " + ctx.request().method() + " " + ctx.request().path()));
        router.route().failureHandler(ctx -> {
            Throwable failure = ctx.failure();
            if (failure instanceof IllegalArgumentException bad) {
                error(ctx, 400, "BAD_REQUEST", bad.getMessage());
            } else {
                error(ctx, ctx.statusCode() > 0 ? ctx.statusCode() : 500, "INTERNAL_ERROR",
                        failure == null ? "request failed" : failure.toString());
            }
        });
        return router;
    }

    VenueStats stats() {
        PaperExchange.Counts counts = exchange.counts();
        return new VenueStats(feeds.totalEmitted(), counts.accepted(), counts.rejected(), counts.duplicates(),
                counts.filled(), counts.canceled(), faults.firedCounts(), feeds.stats());
    }

    // ---- feed

    private void feedPage(RoutingContext ctx) {
        String trader = ctx.pathParam("traderId");
        long after = longParam(ctx, "after", 0, 0, Long.MAX_VALUE);
        int limit = (int) longParam(ctx, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        TraderFeed feed = feeds.trader(trader).orElse(null);
        if (feed == null) {
            error(ctx, 404, "UNKNOWN_TRADER", "no trader '" + trader + "' on this venue");
            return;
        }
        TraderFeed.Page page = feed.page(after, limit);
        ObjectNode body = PaperJson.MAPPER.createObjectNode().put("trader", trader);
        ArrayNode rows = body.putArray("fills");
        page.fills().forEach(fill -> rows.add(fill.toJson()));
        long next = page.fills().isEmpty() ? after : page.fills().get(page.fills().size() - 1).seq();
        body.put("nextCursor", Long.toString(next)).put("hasMore", page.hasMore());
        reply(ctx, 200, body);
    }

    private static long longParam(RoutingContext ctx, String name, long fallback, long min, long max) {
        String text = ctx.request().getParam(name);
        if (text == null || text.isBlank()) {
            return fallback;
        }
        try {
            long value = Long.parseLong(text.trim());
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // fall through to the message below
        }
        throw new IllegalArgumentException("query parameter '" + name + "' must be a whole number in [" + min + ", " + max + "], but was '" + text + "'");
    }

    // ---- exchange

    private void placeOrder(RoutingContext ctx) {
        OrderRequest request;
        try {
            request = OrderRequest.parse(PaperJson.tree(ctx.body().asString(), "order"));
        } catch (IllegalArgumentException e) {
            exchange.countRejection();
            error(ctx, 400, "INVALID_ORDER", e.getMessage());
            return;
        }
        PlaceOutcome outcome = exchange.place(request);
        timer.orderPlaced();
        if (outcome instanceof PlaceOutcome.Accepted accepted) {
            ObjectNode body = PaperJson.MAPPER.createObjectNode().put("status", "ACCEPTED");
            body.setAll((ObjectNode) PaperJson.MAPPER.valueToTree(accepted.order()));
            reply(ctx, 200, body);
        } else if (outcome instanceof PlaceOutcome.Rejected rejected) {
            int status = "DUPLICATE_CLIENT_ORDER_ID".equals(rejected.error()) ? 409 : 400;
            error(ctx, status, rejected.error(), rejected.message());
        }
    }

    private void openOrders(RoutingContext ctx) {
        String state = ctx.request().getParam("state");
        if (state != null && !"open".equalsIgnoreCase(state)) {
            throw new IllegalArgumentException("query parameter 'state' supports only 'open', but was '" + state + "'");
        }
        reply(ctx, 200, Map.of("orders", exchange.openOrders()));
    }

    private void lookupOrder(RoutingContext ctx) {
        String id = ctx.pathParam("clientOrderId");
        exchange.find(id).ifPresentOrElse(order -> reply(ctx, 200, order),
                () -> error(ctx, 404, "UNKNOWN_ORDER", "no order with client order id '" + id + "'"));
    }

    private void cancelOrder(RoutingContext ctx) {
        String id = ctx.pathParam("clientOrderId");
        exchange.cancel(id).ifPresentOrElse(order -> reply(ctx, 200, order),
                () -> error(ctx, 404, "UNKNOWN_ORDER", "no order with client order id '" + id + "'"));
    }

    // ---- admin

    private void setRate(RoutingContext ctx) {
        String trader = new TraderId(ctx.pathParam("traderId")).value();
        JsonNode body = PaperJson.tree(ctx.body().asString(), "rate request");
        TraderFeed feed = feeds.setRate(trader, PaperJson.decimal(body, "tradesPerSecond").doubleValue());
        timer.rateChanged();
        reply(ctx, 200, Map.of("trader", trader, "rate", feed.rate(), "emitted", feed.lastSeq()));
    }

    private void emit(RoutingContext ctx) {
        String trader = new TraderId(ctx.pathParam("traderId")).value();
        long count = PaperJson.integer(PaperJson.tree(ctx.body().asString(), "emit request"), "count");
        TraderFeed feed = feeds.emit(trader, (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, count)));
        reply(ctx, 200, Map.of("trader", trader, "emitted", count, "lastSeq", feed.lastSeq()));
    }

    private void emitFills(RoutingContext ctx) {
        String trader = new TraderId(ctx.pathParam("traderId")).value();
        JsonNode fills = PaperJson.tree(ctx.body().asString(), "fills request").get("fills");
        if (fills == null || !fills.isArray()) {
            throw new IllegalArgumentException("fills request needs a 'fills' array");
        }
        List<ScriptedFill> scripted = new ArrayList<>();
        fills.forEach(f -> scripted.add(ScriptedFill.parse(f)));
        emitted(ctx, trader, scripted);
    }

    private void emitPattern(RoutingContext ctx) {
        String trader = new TraderId(ctx.pathParam("traderId")).value();
        JsonNode body = PaperJson.tree(ctx.body().asString(), "pattern request");
        JsonNode seed = body.get("seed");
        emitted(ctx, trader, FeedPatterns.fromJson(body, trader, seed == null ? 1 : seed.asLong()));
    }

    private void emitted(RoutingContext ctx, String trader, List<ScriptedFill> fills) {
        TraderFeed feed = feeds.emitScripted(trader, fills);
        reply(ctx, 200, Map.of("trader", trader, "emitted", fills.size(), "lastSeq", feed.lastSeq()));
    }

    private void injectFault(RoutingContext ctx) {
        FaultSpec spec = PaperJson.read(ctx.body().asString(), FaultSpec.class, "fault");
        faults.inject(spec);
        reply(ctx, 200, spec);
    }

    private void setCash(RoutingContext ctx) {
        exchange.setAvailableCash(PaperJson.decimal(PaperJson.tree(ctx.body().asString(), "balance request"), "cash"));
        reply(ctx, 200, exchange.balance());
    }

    // ---- faults and replies

    /** Applies the fault model's decision before (or instead of) the handler. */
    private Handler<RoutingContext> faulted(FaultTarget.Request request, Handler<RoutingContext> handler) {
        Handler<RoutingContext> guarded = badRequestOnError(handler);
        return ctx -> {
            FaultDecision decision = faults.onRequest(request);
            if (decision.delay().isZero()) {
                apply(ctx, decision, guarded);
            } else {
                vertx.setTimer(decision.delay().toMillis(), id -> apply(ctx, decision, guarded));
            }
        };
    }

    private void apply(RoutingContext ctx, FaultDecision decision, Handler<RoutingContext> handler) {
        if (decision.outcome() == null) {
            handler.handle(ctx);
            return;
        }
        String injected = "injected fault " + decision.outcome();
        switch (decision.outcome()) {
            case HTTP_5XX -> error(ctx, 500, "INTERNAL_ERROR", injected);
            case FEED_OUTAGE -> error(ctx, 503, "FEED_OUTAGE", injected);
            case CONNECTION_RESET -> ctx.request().connection().close();
            case TIMEOUT -> hang(ctx);
            case TIMEOUT_AFTER_ACCEPT -> {
                ctx.put(SWALLOW_REPLY, Boolean.TRUE);
                handler.handle(ctx);
            }
            case ENDLESS_ANSWER_AFTER_ACCEPT -> {
                ctx.put(ENDLESS_REPLY, Boolean.TRUE);
                handler.handle(ctx);
            }
            case TRICKLED_ANSWER_AFTER_ACCEPT -> {
                ctx.put(TRICKLED_REPLY, Boolean.TRUE);
                handler.handle(ctx);
            }
            case RATE_LIMIT_429 -> {
                ctx.response().putHeader("Retry-After", Integer.toString(decision.spec().effectiveRetryAfterSeconds()));
                error(ctx, 429, "RATE_LIMITED", injected);
            }
            case INSUFFICIENT_BALANCE -> {
                exchange.countRejection();
                error(ctx, 400, "INSUFFICIENT_BALANCE", injected);
            }
            default -> handler.handle(ctx);
        }
    }

    /** Never answers; closes the connection after the hang timeout so it does not leak. */
    private void hang(RoutingContext ctx) {
        HttpConnection connection = ctx.request().connection();
        long timer = vertx.setTimer(hangTimeout.toMillis(), id -> connection.close());
        connection.closeHandler(v -> vertx.cancelTimer(timer));
    }

    /** Answers 200 with a body that never ends: written as fast as the client reads it, until it drops the connection. */
    private void endless(RoutingContext ctx) {
        HttpServerResponse response = ctx.response().setStatusCode(200).putHeader("Content-Type", JSON)
                .setChunked(true);
        response.write("[");
        writeOn(response);
    }

    /**
     * Answers 200 and sends the body a byte every {@link #TRICKLE_MS} ms, without end, until the client drops the
     * connection (or the hang timeout passes, so that it does not leak).
     */
    private void trickled(RoutingContext ctx) {
        HttpServerResponse response = ctx.response().setStatusCode(200).putHeader("Content-Type", JSON)
                .setChunked(true);
        HttpConnection connection = ctx.request().connection();
        long trickle = vertx.setPeriodic(TRICKLE_MS, id -> {
            if (!response.closed()) {
                response.write(" ");
            }
        });
        long hang = vertx.setTimer(hangTimeout.toMillis(), id -> connection.close());
        connection.closeHandler(v -> {
            vertx.cancelTimer(trickle);
            vertx.cancelTimer(hang);
        });
        response.write("[");
    }

    private void writeOn(HttpServerResponse response) {
        while (!response.writeQueueFull()) {
            if (response.closed()) {
                return;
            }
            response.write(ENDLESS_CHUNK.copy());
        }
        response.drainHandler(v -> writeOn(response));
    }

    private Handler<RoutingContext> badRequestOnError(Handler<RoutingContext> handler) {
        return ctx -> {
            try {
                handler.handle(ctx);
            } catch (IllegalArgumentException e) {
                error(ctx, 400, "BAD_REQUEST", e.getMessage());
            }
        };
    }

    private void error(RoutingContext ctx, int status, String code, String message) {
        reply(ctx, status, new ErrorBody(code, message));
    }

    private void reply(RoutingContext ctx, int status, Object body) {
        if (Boolean.TRUE.equals(ctx.get(SWALLOW_REPLY))) {
            hang(ctx);
            return;
        }
        if (Boolean.TRUE.equals(ctx.get(ENDLESS_REPLY))) {
            endless(ctx);
            return;
        }
        if (Boolean.TRUE.equals(ctx.get(TRICKLED_REPLY))) {
            trickled(ctx);
            return;
        }
        ctx.response().setStatusCode(status).putHeader("Content-Type", JSON).end(PaperJson.write(body));
    }
}
