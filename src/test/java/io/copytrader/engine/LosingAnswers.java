package io.copytrader.engine;

import io.copytrader.domain.DetectedTrade;
import io.copytrader.store.InMemoryTradeStore;
import io.copytrader.store.StoreException;
import io.copytrader.store.TradeStore;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A store behind a database connection that can lose answers, over a real in-memory store. For a trade key in
 * {@link #lostAnswers}, the next {@code admit}, {@code finish} or {@code moveOrderAndFinish} of that trade commits, then
 * fails as a connection dropped after the commit would; {@code admitAll} stores such a trade and answers null for it,
 * as the page write does for a write that reported an error. For a key in {@link #refused}, the next such write fails
 * without committing anything.
 */
final class LosingAnswers {
    final InMemoryTradeStore real;
    final Set<String> lostAnswers = new HashSet<>();
    final Set<String> refused = new HashSet<>();
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
                    case "admitAll" -> admitAll(args);
                    default -> invoke(method, args);
                });
    }

    private Object write(Method method, Object[] args, String key) throws Throwable {
        if (refused.remove(key)) {
            throw new StoreException("could not " + method.getName() + " " + key + ": refused", null);
        }
        Object answer = invoke(method, args);
        if (lostAnswers.remove(key)) {
            throw new StoreException("could not " + method.getName() + " " + key
                    + ": An I/O error occurred while sending to the backend.", null);
        }
        return answer;
    }

    private List<Boolean> admitAll(Object[] args) {
        @SuppressWarnings("unchecked")
        List<DetectedTrade> trades = (List<DetectedTrade>) args[0];
        String source = args.length > 1 ? (String) args[1] : null;
        List<Boolean> answers = new ArrayList<>();
        for (DetectedTrade t : trades) {
            if (refused.remove(t.key())) {
                answers.add(null);
            } else if (lostAnswers.remove(t.key())) {
                real.admit(t, source);
                answers.add(null);
            } else {
                answers.add(real.admit(t, source));
            }
        }
        return answers;
    }

    private Object invoke(Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(real, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
