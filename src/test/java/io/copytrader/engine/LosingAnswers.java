package io.copytrader.engine;

import io.copytrader.domain.ClientOrderId;
import io.copytrader.domain.DetectedTrade;
import io.copytrader.store.InMemoryTradeStore;
import io.copytrader.store.OrderRecordState;
import io.copytrader.store.StoreException;
import io.copytrader.store.TradeStore;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * A store behind a database connection that can lose answers, over a real in-memory store. For a trade key in
 * {@link #lostAnswers}, the next {@code admit}, {@code finish}, {@code moveOrderAndFinish} or {@code recordIntent} of
 * that trade (for {@code linkAggregate}, the key of the aggregate's leader; for {@code recordSigned}, the order's client
 * order id; for {@code moveOrder}, {@link #move} of the order and the state it is moved to) commits, then fails as a
 * connection dropped after the commit would; a page ({@code admitAll}, {@code admitPage}) is admitted one trade after
 * the other, as on PostgreSQL, and stops at such a failure (the store's own {@link TradeStore#admitPage}). For a key
 * in {@link #refused},
 * the next such write fails without committing anything, as a connection dropped before the commit leaves it. A key
 * added n times answers so n times. Both fail with a dropped connection's error, a transient one
 * ({@link StoreException#isTransient}); for a key in {@link #brokenFor}, the next such write fails, uncommitted, with
 * an error that is not (a constraint violation). Reads fail too: for a key in {@link #unreadable} ({@link #read}), the
 * next {@code order} of that client order id, or {@code outcome} or {@code ended} of that trade key, fails with a
 * dropped connection's error, n times for a key added n times: a store still down a moment after a write's answer was
 * lost. {@code ordersIn} and {@code replayedInFlight} fail so for the key {@code read(name, "*")}.
 */
final class LosingAnswers {
    final InMemoryTradeStore real;
    final List<String> lostAnswers = new ArrayList<>();
    final List<String> refused = new ArrayList<>();
    final List<String> brokenFor = new ArrayList<>();
    final List<String> unreadable = new ArrayList<>();
    /** Every write this store was asked for, by the key it answers by, in order (a write that failed included). */
    final List<String> writes = new ArrayList<>();
    final TradeStore store;

    LosingAnswers() {
        this(new InMemoryTradeStore(Clock.systemUTC()));
    }

    LosingAnswers(InMemoryTradeStore real) {
        this.real = real;
        this.store = (TradeStore) Proxy.newProxyInstance(TradeStore.class.getClassLoader(),
                new Class<?>[]{TradeStore.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "admit" -> write(method, args, ((DetectedTrade) args[0]).key());
                    case "finish" -> write(method, args, (String) args[0]);
                    case "moveOrderAndFinish" -> write(method, args, (String) args[5]);
                    case "recordIntent", "linkAggregate" -> write(method, args, (String) args[0]);
                    case "recordSigned" -> write(method, args, ((ClientOrderId) args[0]).value());
                    case "moveOrder" -> write(method, args, move((ClientOrderId) args[0], (OrderRecordState) args[1]));
                    case "admitAll", "admitPage" -> InvocationHandler.invokeDefault(proxy, method, args);
                    case "order" -> read(method, args, read("order", ((ClientOrderId) args[0]).value()));
                    case "outcome", "ended" -> read(method, args, read(method.getName(), (String) args[0]));
                    case "ordersIn", "replayedInFlight" -> read(method, args, read(method.getName(), "*"));
                    default -> invoke(method, args);
                });
    }

    /** The key a move of this order to this state answers by. */
    static String move(ClientOrderId id, OrderRecordState to) {
        return id.value() + " to " + to;
    }

    /** The key a read answers by: {@code order} and a client order id; {@code outcome} or {@code ended} and a trade key. */
    static String read(String what, String key) {
        return what + " " + key;
    }

    private Object read(Method method, Object[] args, String key) throws Throwable {
        if (unreadable.remove(key)) {
            throw droppedConnection(method, key);
        }
        return invoke(method, args);
    }

    private Object write(Method method, Object[] args, String key) throws Throwable {
        writes.add(method.getName() + " " + key);
        if (brokenFor.remove(key)) {
            throw new StoreException("could not " + method.getName() + " " + key + ": duplicate key",
                    new SQLException("duplicate key value violates unique constraint", "23505"));
        }
        if (refused.remove(key)) {
            throw droppedConnection(method, key);
        }
        Object answer = invoke(method, args);
        if (lostAnswers.remove(key)) {
            throw droppedConnection(method, key);
        }
        return answer;
    }

    /** What PostgreSQL's driver reports when the connection drops under a statement, as the store wraps it. */
    private static StoreException droppedConnection(Method method, String key) {
        String message = "An I/O error occurred while sending to the backend.";
        return new StoreException("could not " + method.getName() + " " + key + ": " + message,
                new SQLException(message, "08006", new java.io.EOFException()));
    }

    private Object invoke(Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(real, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
