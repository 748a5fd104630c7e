package io.copytrader.store;

import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.Reason;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.domain.TraderId;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * The process {@link StoreCrashTest} kills: several threads write to the store as the pipeline would and print one
 * line per write, only after the store method returned (an acknowledgement). Keys are {@code r<round>t<thread>n<i>}.
 *
 * <pre>
 * A key            admitted (and a second admit of the same trade returned false)
 * I key            intent recorded
 * F key OUTCOME    outcome recorded
 * D id key         dead letter added
 * C trader n       cursor saved
 * BAD message      a contract broke: the test fails
 * </pre>
 */
public final class StoreCrashChild {

    private static final TradeOutcome[] OUTCOMES = TradeOutcome.values();

    private StoreCrashChild() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        int round = Integer.parseInt(args[1]);
        int threads = Integer.parseInt(args[2]);
        StoreSettings.SqliteSync sync = StoreSettings.SqliteSync.valueOf(args[3]);
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        TradeStore store = StoreFactory.open(StoreSettings.of(url).withSqliteSync(sync)
                .withCredentials(TestPostgres.user(), TestPostgres.password()), Clock.systemUTC());
        out.println("READY");
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String prefix = "r" + round + "t" + t;
            Thread worker = new Thread(() -> work(store, prefix, out), prefix);
            workers.add(worker);
            worker.start();
        }
        for (Thread worker : workers) {
            worker.join();
        }
    }

    /** Runs until the process is killed. */
    private static void work(TradeStore store, String prefix, PrintStream out) {
        TraderId trader = new TraderId(prefix);
        for (int i = 0; ; i++) {
            DetectedTrade trade = TradeFixtures.trade(trader, "n" + i);
            String key = trade.key();
            if (!store.admit(trade)) {
                out.println("BAD first admit of " + key + " returned false");
            }
            if (store.admit(trade)) {
                out.println("BAD second admit of " + key + " returned true");
            }
            out.println("A " + key);
            if (!store.recordIntent(key, TradeFixtures.intent(trade))) {
                out.println("BAD first intent of " + key + " returned false");
            }
            out.println("I " + key);
            if (i % 3 != 2) {
                TradeOutcome outcome = OUTCOMES[i % OUTCOMES.length];
                if (!store.finish(key, outcome, outcome == TradeOutcome.COPIED ? null : Reason.UNEXPECTED_ERROR, "crash")) {
                    out.println("BAD first finish of " + key + " returned false");
                }
                out.println("F " + key + " " + outcome);
            }
            if (i % 10 == 0) {
                out.println("D " + store.addDeadLetter(trade, Reason.EXCHANGE_CIRCUIT_OPEN, "crash") + " " + key);
            }
            store.saveCursor(trader, Integer.toString(i));
            out.println("C " + trader.value() + " " + i);
        }
    }
}
