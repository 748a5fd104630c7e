package io.copytrader.paper;

import io.copytrader.domain.Side;
import io.copytrader.venue.OrderState;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.TreeMap;

/**
 * The paper account and order book, exact to the last digit. A buy reserves {@code price * quantity} of cash at
 * placement; a sell reserves the quantity it sells. Orders fill at their limit price, as their {@link FillPlan}
 * says; resting fills happen in {@link #advance()} once the injected clock passes their due time. A cancel releases
 * the reserve of what is left. One lock guards everything: placements from many clients are serialised. An order that
 * ended (filled or canceled) is kept for a retention period (an hour by default), then forgotten; and when more ended
 * orders than a limit are known (100,000 by default), the oldest are forgotten earlier.
 */
final class PaperExchange {
    private static final int AVG_PRICE_SCALE = 6;

    private final FillModel fillModel;
    private final Clock clock;
    private final Map<String, Order> orders = new HashMap<>();
    private final Map<String, Order> open = new LinkedHashMap<>();
    private final PriorityQueue<Order> due = new PriorityQueue<>(Comparator.comparing((Order o) -> o.dueAt));
    private final Map<String, Holding> holdings = new TreeMap<>();
    private final Map<String, BigDecimal> sellReserved = new HashMap<>();
    /**
     * Ended orders (filled or canceled) in the order they ended: each is forgotten once it ended longer than
     * {@link #endedRetention} ago, or once {@link #endedLimit} later orders have ended, so a venue that runs for weeks,
     * or for an hour at hundreds of orders a second, does not keep every order it ever took.
     */
    private final ArrayDeque<Order> ended = new ArrayDeque<>();
    private final Duration endedRetention;
    private final int endedLimit;
    private BigDecimal cash;
    private BigDecimal reserved = BigDecimal.ZERO;
    private long nextVenueOrderId = 1;
    private long accepted;
    private long rejected;
    private long duplicates;
    private long filled;
    private long canceled;

    PaperExchange(BigDecimal startingCash, FillModel fillModel, Clock clock) {
        this(startingCash, fillModel, clock, PaperVenueConfig.DEFAULT_ENDED_ORDER_RETENTION,
                PaperVenueConfig.DEFAULT_ENDED_ORDER_LIMIT);
    }

    /**
     * @param endedRetention how long an ended order stays known: looked up, canceled (answered as it ended) and its
     *                       client order id refused as a duplicate; after that the venue answers as for an id it never saw
     * @param endedLimit     the most ended orders known at once: past it the oldest ended order is forgotten early
     */
    PaperExchange(BigDecimal startingCash, FillModel fillModel, Clock clock, Duration endedRetention, int endedLimit) {
        if (endedRetention == null || endedRetention.isNegative() || endedRetention.isZero()) {
            throw new IllegalArgumentException("endedRetention must be positive, but was " + endedRetention);
        }
        if (endedLimit < 1) {
            throw new IllegalArgumentException("endedLimit must be >= 1, but was " + endedLimit);
        }
        this.cash = startingCash;
        this.fillModel = fillModel;
        this.clock = clock;
        this.endedRetention = endedRetention;
        this.endedLimit = endedLimit;
    }

    /** Order counts for the stats endpoint; {@code rejected} excludes duplicates, counted apart. */
    record Counts(long accepted, long rejected, long duplicates, long filled, long canceled) {
    }

    synchronized PlaceOutcome place(OrderRequest request) {
        forgetExpired();
        if (orders.containsKey(request.clientOrderId())) {
            duplicates++;
            return new PlaceOutcome.Rejected("DUPLICATE_CLIENT_ORDER_ID",
                    "client order id " + request.clientOrderId() + " was already used");
        }
        if (request.side() == Side.BUY && request.notional().compareTo(available()) > 0) {
            rejected++;
            return new PlaceOutcome.Rejected("INSUFFICIENT_BALANCE", "buy of " + request.notional().toPlainString()
                    + " exceeds available cash " + available().toPlainString());
        }
        if (request.side() == Side.SELL) {
            BigDecimal free = held(request.instrument()).subtract(sellReserved.getOrDefault(request.instrument(), BigDecimal.ZERO));
            if (request.quantity().compareTo(free) > 0) {
                rejected++;
                return new PlaceOutcome.Rejected("INVALID_ORDER", "sell of " + request.quantity().toPlainString() + " "
                        + request.instrument() + " exceeds the " + free.toPlainString() + " held and not already being sold");
            }
        }
        Order order = new Order(request, "P-" + nextVenueOrderId++, fillModel.plan());
        orders.put(order.request.clientOrderId(), order);
        open.put(order.request.clientOrderId(), order);
        if (request.side() == Side.BUY) {
            reserved = reserved.add(request.notional());
        } else {
            sellReserved.merge(request.instrument(), request.quantity(), BigDecimal::add);
        }
        accepted++;
        applyPlan(order);
        return new PlaceOutcome.Accepted(order.view());
    }

    /** Counts a placement refused before it reached the book: an unreadable request or an injected fault. */
    synchronized void countRejection() {
        rejected++;
    }

    synchronized Optional<OrderView> find(String clientOrderId) {
        forgetExpired();
        return Optional.ofNullable(orders.get(clientOrderId)).map(Order::view);
    }

    synchronized List<OrderView> openOrders() {
        return open.values().stream().map(Order::view).toList();
    }

    /** Cancels what is left of an order; a terminal order is returned as it is. Empty when unknown. */
    synchronized Optional<OrderView> cancel(String clientOrderId) {
        forgetExpired();
        Order order = orders.get(clientOrderId);
        if (order == null) {
            return Optional.empty();
        }
        if (!order.state.isTerminal()) {
            BigDecimal left = order.request.quantity().subtract(order.filled);
            release(order, left);
            order.state = OrderState.CANCELED;
            open.remove(clientOrderId);
            due.remove(order);
            canceled++;
            ended(order);
        }
        return Optional.of(order.view());
    }

    /** Fills every resting order whose due time has come. Returns how many filled. */
    synchronized int advance() {
        forgetExpired();
        Instant now = clock.instant();
        int count = 0;
        while (!due.isEmpty() && !due.peek().dueAt.isAfter(now)) {
            Order order = due.poll();
            fill(order, order.request.quantity().subtract(order.filled));
            count++;
        }
        return count;
    }

    /** Milliseconds until the next resting order comes due (0 when one is due now), or Long.MAX_VALUE when none rests. */
    synchronized long millisToNextDue() {
        Order next = due.peek();
        if (next == null) {
            return Long.MAX_VALUE;
        }
        long nanos = Duration.between(clock.instant(), next.dueAt).toNanos();
        return nanos <= 0 ? 0 : (nanos + 999_999) / 1_000_000;
    }

    synchronized BalanceView balance() {
        return new BalanceView(cash, reserved, available());
    }

    synchronized List<PositionView> positions() {
        List<PositionView> list = new ArrayList<>();
        holdings.forEach((instrument, h) -> list.add(new PositionView(instrument, h.quantity, h.avgPrice)));
        return list;
    }

    /** Sets the free cash: afterwards {@code available == freeCash}, reserves untouched. */
    synchronized void setAvailableCash(BigDecimal freeCash) {
        if (freeCash.signum() < 0) {
            throw new IllegalArgumentException("cash must be >= 0, but was " + freeCash.toPlainString());
        }
        cash = freeCash.add(reserved);
    }

    synchronized Counts counts() {
        return new Counts(accepted, rejected, duplicates, filled, canceled);
    }

    private BigDecimal available() {
        return cash.subtract(reserved);
    }

    private BigDecimal held(String instrument) {
        Holding h = holdings.get(instrument);
        return h == null ? BigDecimal.ZERO : h.quantity;
    }

    private void applyPlan(Order order) {
        FillPlan plan = order.plan;
        switch (plan.kind()) {
            case IMMEDIATE -> fill(order, order.request.quantity());
            case PARTIAL_THEN_REST, RESTING_THEN_FILLED -> {
                BigDecimal first = order.request.quantity().multiply(plan.firstFraction());
                if (first.signum() > 0) {
                    fill(order, first);
                }
                order.dueAt = clock.instant().plus(plan.delay());
                due.add(order);
            }
            case NEVER -> { }
        }
    }

    private void fill(Order order, BigDecimal quantity) {
        BigDecimal px = order.request.price();
        BigDecimal value = px.multiply(quantity);
        String instrument = order.request.instrument();
        if (order.request.side() == Side.BUY) {
            cash = cash.subtract(value);
            reserved = reserved.subtract(value);
            holdings.computeIfAbsent(instrument, k -> new Holding()).buy(quantity, px);
        } else {
            cash = cash.add(value);
            sellReserved.merge(instrument, quantity.negate(), BigDecimal::add);
            Holding h = holdings.get(instrument);
            h.quantity = h.quantity.subtract(quantity);
            if (h.quantity.signum() == 0) {
                holdings.remove(instrument);
            }
        }
        order.filled = order.filled.add(quantity);
        if (order.filled.compareTo(order.request.quantity()) >= 0) {
            order.state = OrderState.FILLED;
            open.remove(order.request.clientOrderId());
            filled++;
            ended(order);
        } else {
            order.state = OrderState.PARTIALLY_FILLED;
        }
    }

    /** How many ended orders the venue still knows (for tests). */
    synchronized int endedKnown() {
        forgetExpired();
        return ended.size();
    }

    private void ended(Order order) {
        order.endedAt = clock.instant();
        ended.addLast(order);
        while (ended.size() > endedLimit) {
            forget(ended.pollFirst());
        }
    }

    /** Forgets the orders that ended longer than the retention ago (oldest first; they are in the order they ended). */
    private void forgetExpired() {
        Instant horizon = clock.instant().minus(endedRetention);
        while (!ended.isEmpty() && ended.peekFirst().endedAt.isBefore(horizon)) {
            forget(ended.pollFirst());
        }
    }

    private void forget(Order order) {
        orders.remove(order.request.clientOrderId(), order);
    }

    private void release(Order order, BigDecimal quantity) {
        if (order.request.side() == Side.BUY) {
            reserved = reserved.subtract(order.request.price().multiply(quantity));
        } else {
            sellReserved.merge(order.request.instrument(), quantity.negate(), BigDecimal::add);
        }
    }

    private static final class Holding {
        BigDecimal quantity = BigDecimal.ZERO;
        BigDecimal avgPrice = BigDecimal.ZERO;

        void buy(BigDecimal qty, BigDecimal px) {
            BigDecimal total = quantity.add(qty);
            avgPrice = avgPrice.multiply(quantity).add(px.multiply(qty)).divide(total, AVG_PRICE_SCALE, RoundingMode.HALF_EVEN);
            quantity = total;
        }
    }

    private static final class Order {
        final OrderRequest request;
        final String venueOrderId;
        final FillPlan plan;
        BigDecimal filled = BigDecimal.ZERO;
        OrderState state = OrderState.OPEN;
        Instant dueAt;
        Instant endedAt;

        Order(OrderRequest request, String venueOrderId, FillPlan plan) {
            this.request = request;
            this.venueOrderId = venueOrderId;
            this.plan = plan;
        }

        OrderView view() {
            return new OrderView(request.clientOrderId(), venueOrderId, request.instrument(), request.side(),
                    request.price(), request.quantity(), filled, filled.signum() > 0 ? request.price() : null, state);
        }
    }
}
