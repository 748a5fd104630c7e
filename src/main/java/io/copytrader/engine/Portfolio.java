package io.copytrader.engine;

import io.copytrader.domain.ClientOrderId;
import io.copytrader.domain.CopyIntent;
import io.copytrader.domain.Decimals;
import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.InstrumentId;
import io.copytrader.domain.Side;
import io.copytrader.venue.PositionSnapshot;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Our book: cash and holdings, updated optimistically as orders are planned (a buy is assumed filled in full, a
 * sell is taken off at once) and corrected when the venue reports what really happened. Reconciled with the
 * venue's balance and positions in the background. One lock: planning is microseconds, five consumers never
 * queue long on it, and it makes "check the caps, then reserve" atomic so concurrent buys cannot overshoot.
 */
public final class Portfolio {
    /**
     * A holding: quantity (counting open buys as if filled), what it cost (USD), and the part of the quantity and of
     * the cost that is still only an open buy: what we may sell is {@code quantity - pendingBuy}, and what it cost
     * is {@code cost - pendingCost}.
     */
    public record Holding(BigDecimal quantity, BigDecimal cost, BigDecimal pendingBuy, BigDecimal pendingCost) {
        static final Holding EMPTY = new Holding(BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO);

        Holding(BigDecimal quantity, BigDecimal cost) {
            this(quantity, cost, BigDecimal.ZERO, BigDecimal.ZERO);
        }

        /** Settled shares: what a sell may take. */
        public BigDecimal sellable() {
            return quantity.subtract(pendingBuy).max(BigDecimal.ZERO);
        }

        BigDecimal avgPrice() {
            return quantity.signum() == 0 ? BigDecimal.ZERO : cost.divide(quantity, 8, RoundingMode.HALF_EVEN);
        }
    }

    /**
     * What an open sell took off the book: its quantity and the cost of those shares, to give back exactly; what it
     * counts in cash as if sold at its limit; and how many of its shares had sold when the book was last replaced
     * (the venue's cash holds their proceeds already): none when this book reserved it.
     */
    private record SellReservation(InstrumentId instrument, BigDecimal quantity, BigDecimal cost, BigDecimal proceeds,
                                   BigDecimal filledAtRefresh) {
    }

    /**
     * What an open buy counts in the book as still to come (its quantity and cost, in the holding's pending part),
     * and how many of its shares the venue's positions held already when the book was last replaced (those are in
     * the holding as the venue's, not as pending): all of the buy and none when this book reserved it; what was left
     * of it and what it had filled when a refresh found it open.
     */
    private record BuyReservation(BigDecimal pendingQuantity, BigDecimal pendingCost, BigDecimal filledAtRefresh) {
    }

    private final Map<InstrumentId, Holding> holdings = new HashMap<>();
    private final Map<ClientOrderId, SellReservation> openSells = new HashMap<>();
    private final Map<ClientOrderId, BuyReservation> openBuys = new HashMap<>();
    /**
     * Orders this book reserved and has not settled, released or withdrawn yet. Each is among the store's open
     * orders, or not yet (its intent is written after it is sized), or no longer (it ended there and is about to be
     * settled here): a snapshot of the venue taken while one of the last two is so may count it nowhere, and the book
     * keeps its own figure instead (see {@link #reconcileIfUnchanged}).
     */
    private final Set<ClientOrderId> outstanding = new HashSet<>();
    /**
     * Orders whose place in the book is only the reservation of the placing that sized them: made since the last
     * refresh, and no other placing of the same order joined it. A placing that follows an order placed before takes
     * such a reservation off ({@link #withdraw}); any other the book counts for the order itself.
     */
    private final Set<ClientOrderId> placingsOnly = new HashSet<>();
    private BigDecimal cash = BigDecimal.ZERO;
    private BigDecimal exposure = BigDecimal.ZERO;
    /** Bumped by every reservation and settlement: a refresh replaces the book only if it did not move meanwhile. */
    private long version;
    /**
     * Shares the venue reported held at the last refresh, plus what our buys filled since, minus what our sells took
     * since: a sell is never sized above it. Null until the first refresh (no cap).
     */
    private Map<InstrumentId, BigDecimal> venueHeld;

    /** Sizes a trade against the book and, unless skipped, reserves it in the book, atomically. */
    public synchronized Sizing.Decision planAndReserve(DetectedTrade trade, SizingRules rules) {
        return planAndReserve(trade, rules, null);
    }

    /** The same, for a trade of a target whose position before it is known (proportional sells); null if not. */
    public synchronized Sizing.Decision planAndReserve(DetectedTrade trade, SizingRules rules, BigDecimal targetPositionBefore) {
        Holding h = holdings.getOrDefault(trade.instrument(), Holding.EMPTY);
        BigDecimal sellable = sellable(trade.instrument(), h);
        // a buy's position cap counts the shares an open sell of the instrument took off until the venue says they
        // sold: a buy may be sized while that sell is out (docs/ordering.md), and the sell may fail
        BigDecimal positionCost = trade.side() == Side.BUY ? h.cost().add(openSellCost(trade.instrument())) : h.cost();
        Sizing.Decision d = null;
        if (trade.side() == Side.SELL && h.pendingBuy().signum() > 0) {
            // sized as if the open buys had filled, as it would be once they did, when the settled shares cover it
            // (docs/ordering.md: a sell that goes while orders of its instrument are out); otherwise on what is settled
            Sizing.Decision projected = Sizing.decide(trade, rules, targetPositionBefore, sellable.add(h.pendingBuy()),
                    positionCost, cash, exposure);
            if (!projected.isSkip() && projected.quantity().compareTo(sellable) <= 0) {
                d = projected;
            }
        }
        if (d == null) {
            d = Sizing.decide(trade, rules, targetPositionBefore, sellable, positionCost, cash, exposure);
        }
        if (!d.isSkip()) {
            apply(trade.clientOrderId(), trade.instrument(), trade.side(), d.quantity(), d.notional());
        }
        return d;
    }

    /**
     * Whether this sell may be sized and placed while orders of its instrument are out: sized on the book that counts
     * the open buys filled (as it would be once they are), it sells settled shares only, and not all that the book
     * would then hold (a sell of everything waits to sell what is really left). False for a sell the book would skip.
     */
    public synchronized boolean sellGoesNow(DetectedTrade trade, SizingRules rules, BigDecimal targetPositionBefore) {
        if (trade.side() != Side.SELL) {
            return false;
        }
        Holding h = holdings.getOrDefault(trade.instrument(), Holding.EMPTY);
        BigDecimal settled = sellable(trade.instrument(), h);
        BigDecimal projected = settled.add(h.pendingBuy());
        Sizing.Decision d = Sizing.decide(trade, rules, targetPositionBefore, projected, h.cost(), cash, exposure);
        return !d.isSkip() && d.quantity().compareTo(settled) <= 0
                && d.quantity().compareTo(projected.setScale(rules.quantityScale(), RoundingMode.DOWN)) < 0;
    }

    /** What a sell may take: the settled shares, never above what the venue holds (once known). Under the lock. */
    private BigDecimal sellable(InstrumentId instrument, Holding h) {
        return venueHeld == null ? h.sellable()
                : h.sellable().min(venueHeld.getOrDefault(instrument, BigDecimal.ZERO).max(BigDecimal.ZERO));
    }

    /** What the shares open sells of this instrument took off the book cost. Under the lock. */
    private BigDecimal openSellCost(InstrumentId instrument) {
        BigDecimal sum = BigDecimal.ZERO;
        for (SellReservation r : openSells.values()) {
            if (r.instrument().equals(instrument)) {
                sum = sum.add(r.cost());
            }
        }
        return sum;
    }

    /**
     * Corrects the optimistic reservation of an order once its end is known: the part not filled is taken back,
     * and the filled part is re-priced from the limit to the average fill price. A BUY filled beyond its quantity
     * (price improvement) holds every share received. The book counts an order once, whoever reserved it (a placing, or
     * a refresh that found it open): settling takes that off once, and an order the book does not count (settled or
     * released already, or ended before the refresh that replaced the book, whose venue figures hold it) takes off
     * nothing. Before, such an order was taken off a second time, as if reserved at its limit.
     */
    public synchronized void settle(CopyIntent intent, BigDecimal filledQuantity, BigDecimal avgFillPrice) {
        BigDecimal filled = filledQuantity == null ? BigDecimal.ZERO : filledQuantity;
        // a BUY may receive more shares than it asked for (price improvement: its cash bought more at a better
        // price): the book holds what was received; a SELL never gives more than it signed
        if (intent.side() == Side.SELL && filled.compareTo(intent.quantity()) > 0) {
            throw new IllegalStateException("filled " + filled + " exceeds ordered " + intent.quantity()
                    + " for " + intent.clientOrderId());
        }
        version++;
        outstanding.remove(intent.clientOrderId());
        placingsOnly.remove(intent.clientOrderId());
        BuyReservation r = openBuys.remove(intent.clientOrderId());
        SellReservation taken = openSells.remove(intent.clientOrderId());
        Holding h = holdings.getOrDefault(intent.instrument(), Holding.EMPTY);
        if (r != null) {
            // reserved: +pending quantity at its pending cost, cash -that cost; keep only what filled since (the shares
            // a refresh found filled are the venue's in the book already), at its real price
            BigDecimal filledSince = filled.subtract(r.filledAtRefresh()).max(BigDecimal.ZERO);
            BigDecimal costSince = worth(filledSince, avgFillPrice);
            addVenueHeld(intent.instrument(), filledSince);
            BigDecimal costDelta = costSince.subtract(r.pendingCost());
            put(intent.instrument(), h.quantity().subtract(r.pendingQuantity().subtract(filledSince)),
                    h.cost().add(costDelta).max(BigDecimal.ZERO),
                    h.pendingBuy().subtract(r.pendingQuantity()).max(BigDecimal.ZERO),
                    h.pendingCost().subtract(r.pendingCost()).max(BigDecimal.ZERO));
            exposure = exposure.add(costDelta);
            cash = cash.subtract(costDelta);
        } else if (taken != null) {
            // reserved: -quantity, cash +its proceeds at the limit; keep only what sold since (a refresh that found it
            // open took the venue's cash, which holds what had sold by then), at its real price; give back the shares
            // it took off and did not sell, at what they cost when taken off
            BigDecimal soldSince = filled.subtract(taken.filledAtRefresh()).max(BigDecimal.ZERO);
            cash = cash.add(worth(soldSince, avgFillPrice).subtract(taken.proceeds()));
            BigDecimal unsold = taken.quantity().subtract(soldSince).max(BigDecimal.ZERO);
            addVenueHeld(intent.instrument(), unsold);
            if (unsold.signum() > 0) {
                BigDecimal back = unsold.compareTo(taken.quantity()) >= 0 ? taken.cost()
                        : Decimals.usd(taken.cost().multiply(unsold).divide(taken.quantity(), 8, RoundingMode.HALF_EVEN));
                put(intent.instrument(), h.quantity().add(unsold), h.cost().add(back), h.pendingBuy(), h.pendingCost());
                exposure = exposure.add(back);
            }
        }
    }

    /** What {@code quantity} filled at {@code avgFillPrice} came to; zero when nothing filled. */
    private static BigDecimal worth(BigDecimal quantity, BigDecimal avgFillPrice) {
        return quantity.signum() == 0 || avgFillPrice == null ? BigDecimal.ZERO : Decimals.usd(quantity.multiply(avgFillPrice));
    }

    private void put(InstrumentId instrument, BigDecimal quantity, BigDecimal cost, BigDecimal pendingBuy,
                     BigDecimal pendingCost) {
        if (quantity.signum() <= 0) {
            holdings.remove(instrument);
        } else {
            holdings.put(instrument, new Holding(quantity, cost, pendingBuy, pendingCost));
        }
    }

    /** Takes back an order that never reached the venue or was refused. */
    public void release(CopyIntent intent) {
        settle(intent, BigDecimal.ZERO, null);
    }

    /**
     * Gives back the reservation of a placing that follows an order placed before instead of sending one (a replay
     * whose earlier order the venue has, a trade whose order is in the outbox already). When the book counts that
     * order itself (a refresh found it open, or an earlier placing reserved it and the order carries that), the two
     * are one ({@link #apply}): it stays, and whoever ends the order settles it, with what it filled. Otherwise the
     * book held nothing of the order but this placing's reservation (it took the order off when it failed, or never
     * counted it), which is taken off; the order, open in the store, is counted from the venue at the next refresh,
     * and ending it takes nothing off ({@link #settle}). Either way it no longer holds back a refresh. Before, the
     * placing released its reservation and the order's end took the same off again, as if reserved at its limit.
     */
    public synchronized void withdraw(CopyIntent intent) {
        if (placingsOnly.contains(intent.clientOrderId())) {
            settle(intent, BigDecimal.ZERO, null);
        } else {
            version++;
            outstanding.remove(intent.clientOrderId());
        }
    }

    private void addVenueHeld(InstrumentId instrument, BigDecimal quantity) {
        if (venueHeld != null && quantity.signum() != 0) {
            venueHeld.merge(instrument, quantity, BigDecimal::add);
        }
    }

    /** The book's version: read before taking a snapshot of the venue, passed to {@link #reconcileIfUnchanged}. */
    public synchronized long version() {
        return version;
    }

    /**
     * {@link #reconcile}, but only if no reservation or settlement happened since {@code seenVersion} was read (the
     * snapshot was taken in between, so it may lack them), and only if every order the book has reserved and not
     * settled is among {@code openOrders} (the store's, read after the venue's figures). An order that is not may be
     * counted by neither side of the snapshot: one sized whose intent is not in the store yet is not
     * at the venue either; one that ended in the store but is not settled here yet may have filled after the venue's
     * figures were read, so they may hold neither it nor its fill. Replacing the book would drop it, and its settlement
     * would not bring it back: settling an order the book does not count takes nothing off and adds nothing
     * ({@link #settle}). Until the next refresh a sell's shares would be sellable again (the next sells sized above
     * what the venue holds), and a buy's shares and cost missing from the caps, its cash spendable again when the
     * figures were read before it was sent. (What the rule no longer guards against is a double count: until settling
     * took nothing off an order the book does not count, settling one whose fill the snapshot held took it off a
     * second time.) Checked and applied under the book's lock, so a refresh never loses a reservation or
     * a fill. Returns false, changing nothing, when the book moved or has such an order; take a new snapshot. An
     * order left reserved that nobody settles holds back every refresh until a restart: whoever ends an order settles
     * it. The first refresh always applies: before it the book is empty (no cash, so nothing was reserved), and the
     * monitor settling a previous run's orders meanwhile must not keep the engine without a book.
     */
    public synchronized boolean reconcileIfUnchanged(long seenVersion, BigDecimal venueCash,
                                                     List<PositionSnapshot> venuePositions, List<CopyIntent> openOrders,
                                                     Map<CopyIntent, BigDecimal> filledSoFar) {
        if (venueHeld != null && (version != seenVersion || !amongOpen(openOrders))) {
            return false;
        }
        reconcile(venueCash, venuePositions, openOrders, filledSoFar);
        return true;
    }

    /**
     * Replaces the book with the venue's view, plus the orders still open (which the venue has not filled yet but
     * which we count as if filled, optimistically). The shares the venue holds become the cap on what we sell.
     */
    public synchronized void reconcile(BigDecimal venueCash, List<PositionSnapshot> venuePositions, List<CopyIntent> openOrders,
                                       Map<CopyIntent, BigDecimal> filledSoFar) {
        version++;
        placingsOnly.clear(); // what the book holds now is the venue's and the store's open orders'
        venueHeld = new HashMap<>();
        for (PositionSnapshot p : venuePositions) {
            if (p.quantity().signum() > 0) {
                venueHeld.put(p.instrument(), p.quantity());
            }
        }
        holdings.clear();
        openSells.clear();
        openBuys.clear();
        exposure = BigDecimal.ZERO;
        for (PositionSnapshot p : venuePositions) {
            if (p.quantity().signum() != 0) {
                Holding h = new Holding(p.quantity(), Decimals.usd(p.quantity().multiply(p.avgPrice())));
                holdings.put(p.instrument(), h);
                exposure = exposure.add(h.cost());
            }
        }
        cash = venueCash;
        for (CopyIntent o : openOrders) {
            BigDecimal filledNow = filledSoFar.getOrDefault(o, BigDecimal.ZERO);
            BigDecimal remaining = o.quantity().subtract(filledNow);
            if (o.side() == Side.BUY) {
                // settled later against what it counts now: the rest as pending, what filled as the venue's
                openBuys.put(o.clientOrderId(), new BuyReservation(remaining.max(BigDecimal.ZERO),
                        remaining.signum() > 0 ? Decimals.usd(remaining.multiply(o.limitPrice())) : BigDecimal.ZERO,
                        filledNow));
            }
            if (remaining.signum() > 0) {
                BigDecimal cost = Decimals.usd(remaining.multiply(o.limitPrice()));
                // open buys: the venue already holds their cash aside; count them as holdings
                // open sells: the venue still shows the shares and not their proceeds; take the shares off and count
                // the proceeds as we did when planning, so settling it takes back only what it counted
                Holding h = holdings.getOrDefault(o.instrument(), Holding.EMPTY);
                if (o.side() == Side.BUY) {
                    holdings.put(o.instrument(), new Holding(h.quantity().add(remaining), h.cost().add(cost),
                            h.pendingBuy().add(remaining), h.pendingCost().add(cost)));
                    exposure = exposure.add(cost);
                } else {
                    cash = cash.add(cost);
                    applySell(o.clientOrderId(), o.instrument(), remaining, cost, filledNow);
                }
            }
        }
    }

    /** Whether every order reserved and not settled here is among these open orders. Under the lock. */
    private boolean amongOpen(List<CopyIntent> openOrders) {
        if (outstanding.isEmpty()) {
            return true;
        }
        Set<ClientOrderId> open = new HashSet<>();
        openOrders.forEach(o -> open.add(o.clientOrderId()));
        return open.containsAll(outstanding);
    }

    /** The orders this book reserved and has not settled or released yet. */
    public synchronized Set<ClientOrderId> outstanding() {
        return Set.copyOf(outstanding);
    }

    public synchronized BigDecimal cash() {
        return cash;
    }

    public synchronized BigDecimal exposure() {
        return exposure;
    }

    public synchronized Holding holding(InstrumentId instrument) {
        return holdings.getOrDefault(instrument, Holding.EMPTY);
    }

    public synchronized Map<InstrumentId, Holding> holdings() {
        return Map.copyOf(holdings);
    }

    /**
     * Reserves a sized order. An order the book counts already (a trade sized again while its order, placed before,
     * is still out: a replay, a trade read twice) is counted once: the store holds one order per client order id, so
     * the two are one reservation, taken off once by whoever ends that order (or by a refresh that no longer finds it
     * open). Before, the new reservation replaced the order's in the book's record while both stayed in its cash and
     * holdings.
     */
    private void apply(ClientOrderId id, InstrumentId instrument, Side side, BigDecimal quantity, BigDecimal notional) {
        version++;
        if (openBuys.containsKey(id) || openSells.containsKey(id)) {
            placingsOnly.remove(id); // the order's now, whichever placing follows it
            return;
        }
        outstanding.add(id);
        placingsOnly.add(id);
        if (side == Side.BUY) {
            Holding h = holdings.getOrDefault(instrument, Holding.EMPTY);
            holdings.put(instrument, new Holding(h.quantity().add(quantity), h.cost().add(notional),
                    h.pendingBuy().add(quantity), h.pendingCost().add(notional)));
            openBuys.put(id, new BuyReservation(quantity, notional, BigDecimal.ZERO));
            exposure = exposure.add(notional);
            cash = cash.subtract(notional);
        } else {
            cash = cash.add(notional);
            applySell(id, instrument, quantity, notional, BigDecimal.ZERO);
        }
    }

    /**
     * Takes sold shares off at the average cost of the settled shares (open buys, counted at their limit, are not
     * what is being sold) and remembers what they cost, so a release gives back exactly that.
     */
    private void applySell(ClientOrderId id, InstrumentId instrument, BigDecimal quantity, BigDecimal proceeds,
                           BigDecimal filledAtRefresh) {
        Holding h = holdings.getOrDefault(instrument, Holding.EMPTY);
        BigDecimal settled = h.sellable();
        BigDecimal settledCost = h.cost().subtract(h.pendingCost()).max(BigDecimal.ZERO);
        BigDecimal settledLeft = settled.subtract(quantity);
        BigDecimal settledCostLeft = settledLeft.signum() <= 0 ? BigDecimal.ZERO
                : Decimals.usd(settledCost.divide(settled, 8, RoundingMode.HALF_EVEN).multiply(settledLeft));
        BigDecimal taken = settledCost.subtract(settledCostLeft);
        exposure = exposure.subtract(taken);
        put(instrument, h.quantity().subtract(quantity), settledCostLeft.add(h.pendingCost()), h.pendingBuy(),
                h.pendingCost());
        openSells.put(id, new SellReservation(instrument, quantity, taken, proceeds, filledAtRefresh));
        addVenueHeld(instrument, quantity.negate());
    }
}
