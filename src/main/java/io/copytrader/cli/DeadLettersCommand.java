package io.copytrader.cli;

import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.Reason;
import io.copytrader.store.DeadLetter;
import io.copytrader.store.StoreFactory;
import io.copytrader.store.StoreSettings;
import io.copytrader.store.TradeStore;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Lists and replays dead letters, straight from the store. A replay marks the letter replayed (once: a second
 * replay of the same letter does nothing) and puts its trade back in flight; the running engine re-queues it
 * within a monitoring pass, or the next start does. The order keeps its client order id, so a replay never places
 * a second order for a trade whose order reached the venue. A letter whose trade was admitted after it (a feed trade
 * the store refused, read again and taken by a later poll) is listed as such and replays nothing: the trade went
 * through the pipeline from its admission.
 */
@Command(name = "dead-letters", mixinStandardHelpOptions = true, description = "Lists and replays dead letters.",
        subcommands = {DeadLettersCommand.ListLetters.class, DeadLettersCommand.Replay.class})
public final class DeadLettersCommand implements Callable<Integer> {

    @Option(names = "--store", description = "Store URL (default: $STORE_URL, else ${DEFAULT-VALUE}).",
            defaultValue = "${env:STORE_URL:-" + StoreSettings.DEFAULT_URL + "}", scope = picocli.CommandLine.ScopeType.INHERIT)
    String storeUrl;

    @Override
    public Integer call() {
        System.err.println("dead-letters: say `list` or `replay` (see --help)");
        return 2;
    }

    /**
     * The engine's store, to read and mark its letters. A store that is not there is an error, not an empty store made
     * on the spot (a mistyped STORE_URL said "no dead letters" and left a new database behind); so is the in-memory
     * store, which only its engine's process can see.
     */
    static TradeStore open(String url) {
        StoreSettings settings;
        try {
            settings = StoreSettings.of(url);
        } catch (IllegalArgumentException e) {
            throw new StoreUnavailable("the store URL is not one: " + StoreFactory.masked(e.getMessage()));
        }
        if (settings.isMemory()) {
            throw new StoreUnavailable("the store is 'memory': an engine's in-memory store is its own process's, and"
                    + " another cannot read it (give the engine a store URL, e.g. " + StoreSettings.DEFAULT_URL + ")");
        }
        if (url.startsWith("jdbc:sqlite:")) {
            Path file;
            try {
                file = StoreFactory.sqliteFile(url);
            } catch (IllegalArgumentException e) {
                throw new StoreUnavailable(e.getMessage());
            }
            if (!Files.isRegularFile(file)) {
                throw new StoreUnavailable("no store at " + file.toAbsolutePath() + " (the engine's STORE_URL, or"
                        + " --store, names it); nothing was created there");
            }
        }
        String user = System.getenv("STORE_USER");
        if (user != null && !user.isBlank()) {
            settings = settings.withCredentials(user, System.getenv("STORE_PASSWORD"));
        }
        try {
            return StoreFactory.open(settings, Clock.systemUTC());
        } catch (RuntimeException e) {
            throw new StoreUnavailable("could not open the store '" + StoreFactory.masked(url) + "': "
                    + StoreFactory.openFailure(e, url));
        }
    }

    /** The store named cannot be read: said on one line, exit status 1. */
    static final class StoreUnavailable extends RuntimeException {
        StoreUnavailable(String message) {
            super(message);
        }
    }

    /** Letters read from the store at once: a store that ran for months holds tens of thousands. */
    static final int PAGE = 500;

    /** The letters {@code filter} selects, read a page at a time, newest first, at most {@code max} in all. */
    static Iterable<List<DeadLetter>> pages(TradeStore store, TradeStore.DeadLetterFilter filter, long max) {
        return pages(store, filter, max, PAGE);
    }

    static Iterable<List<DeadLetter>> pages(TradeStore store, TradeStore.DeadLetterFilter filter, long max,
                                            int pageSize) {
        return () -> new java.util.Iterator<>() {
            private long before = Long.MAX_VALUE;
            private long left = max;
            private List<DeadLetter> next = read();

            private List<DeadLetter> read() {
                if (left <= 0) {
                    return List.of();
                }
                List<DeadLetter> page = store.deadLetters(filter, before, (int) Math.min(pageSize, left));
                if (!page.isEmpty()) {
                    before = page.get(page.size() - 1).id();
                    left -= page.size();
                }
                return page;
            }

            @Override
            public boolean hasNext() {
                return !next.isEmpty();
            }

            @Override
            public List<DeadLetter> next() {
                if (next.isEmpty()) {
                    throw new java.util.NoSuchElementException();
                }
                List<DeadLetter> page = next;
                next = read();
                return page;
            }
        };
    }

    static String describe(DeadLetter d) {
        DetectedTrade t = d.trade();
        return d.id() + "  " + d.createdAt() + "  " + d.reason() + "  " + t.key() + "  " + t.side() + " "
                + t.quantity().toPlainString() + " " + t.instrument() + " @ " + t.price().toPlainString()
                + (d.replayedAt() == null ? "" : "  replayed " + d.replayedAt())
                + (d.admittedAt() == null ? "" : "  admitted later " + d.admittedAt())
                + (d.detail() == null ? "" : "  (" + d.detail() + ")");
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists dead letters, newest first: id, time, reason, trade.")
    static final class ListLetters implements Callable<Integer> {
        @picocli.CommandLine.ParentCommand
        DeadLettersCommand parent;

        @Option(names = "--reason", description = "Only letters with this reason.")
        Reason reason;

        @Option(names = "--pending",
                description = "Only letters waiting for a person: not replayed, their trade not admitted later.")
        boolean pending;

        @Option(names = "--limit", defaultValue = "100",
                description = "At most this many, the newest (default: ${DEFAULT-VALUE}; 0 for all).")
        int limit;

        PrintStream out = System.out;

        @Override
        public Integer call() {
            if (limit < 0) {
                System.err.println("dead-letters: --limit must be 0 (all) or more, but was " + limit);
                return 2;
            }
            try (TradeStore store = open(parent.storeUrl)) {
                return list(store);
            } catch (StoreUnavailable e) {
                System.err.println("dead-letters: " + e.getMessage());
                return 1;
            }
        }

        private int list(TradeStore store) {
            TradeStore.DeadLetterFilter filter = new TradeStore.DeadLetterFilter(reason, pending);
            long shown = 0;
            for (List<DeadLetter> page : pages(store, filter, limit == 0 ? Long.MAX_VALUE : limit)) {
                page.forEach(d -> out.println(describe(d)));
                shown += page.size();
            }
            long all = shown < limit || limit == 0 ? shown : store.countDeadLetters(filter);
            if (all == 0) {
                out.println("no dead letters");
            } else if (shown < all) {
                out.println("... " + (all - shown) + " older letter(s) not shown (the newest " + shown
                        + " of " + all + "; --limit 0 for all)");
            }
            return 0;
        }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true,
            description = "Sends dead letters back through the pipeline (each letter at most once; none whose "
                    + "trade was admitted later).")
    static final class Replay implements Callable<Integer> {
        @picocli.CommandLine.ParentCommand
        DeadLettersCommand parent;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Which which;

        static final class Which {
            @Parameters(paramLabel = "ID", description = "The letter to replay.")
            Long id;
            @Option(names = "--all", description = "Every letter not replayed yet.")
            boolean all;
            @Option(names = "--reason", description = "Every letter with this reason not replayed yet.")
            Reason reason;
        }

        PrintStream out = System.out;
        int pageSize = PAGE;

        private boolean replay(TradeStore store, DeadLetter d) {
            if (!store.markReplayed(d.id())) {
                // replayed already, or its trade admitted after it (maybe since it was read): the store knows which
                DeadLetter now = store.deadLetter(d.id()).orElse(d);
                if (now.replayedAt() == null && now.admittedAt() != null) {
                    out.println(d.id() + ": trade " + d.trade().key() + " was admitted after this letter (at "
                            + now.admittedAt() + ", when the store took it again) and went through the pipeline "
                            + "from there; nothing to replay");
                } else {
                    out.println(d.id() + ": replayed already; not again");
                }
                return false;
            }
            if (store.reopen(d.trade().key())) {
                out.println(d.id() + ": trade " + d.trade().key() + " goes back through the pipeline");
                return true;
            }
            out.println(d.id() + ": trade " + d.trade().key() + (store.trade(d.trade().key()).isEmpty()
                    ? " was never stored (its admission failed); nothing to replay"
                    : " is no longer failed; nothing to replay"));
            return false;
        }

        @Override
        public Integer call() {
            try (TradeStore store = open(parent.storeUrl)) {
                return replay(store);
            } catch (StoreUnavailable e) {
                System.err.println("dead-letters: " + e.getMessage());
                return 1;
            }
        }

        private int replay(TradeStore store) {
            Iterable<List<DeadLetter>> chosen;
            if (which.id != null) {
                var letter = store.deadLetter(which.id);
                if (letter.isEmpty()) {
                    System.err.println("dead-letters: no dead letter " + which.id);
                    return 1;
                }
                chosen = List.of(List.of(letter.get()));
            } else {
                chosen = pages(store, new TradeStore.DeadLetterFilter(which.reason, true), Long.MAX_VALUE, pageSize);
            }
            int replayed = 0;
            for (List<DeadLetter> page : chosen) {
                for (DeadLetter d : page) {
                    replayed += replay(store, d) ? 1 : 0;
                }
            }
            out.println(replayed + " letter(s) replayed");
            return 0;
        }
    }
}
