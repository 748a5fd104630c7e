package io.copytrader.cli;

import io.copytrader.domain.Decimals;
import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.InstrumentId;
import io.copytrader.domain.Reason;
import io.copytrader.domain.Side;
import io.copytrader.domain.SourceTradeId;
import io.copytrader.domain.TraderId;
import io.copytrader.store.DeadLetter;
import io.copytrader.store.StoreFactory;
import io.copytrader.store.TradeStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** `dead-letters list` on a store with more letters than a screen: the newest first, bounded, filtered. */
class DeadLettersListTest {

    @TempDir
    Path dir;

    private String url;
    private final List<Long> ids = new ArrayList<>();

    @BeforeEach
    void fiveLettersOneReplayed() {
        url = "jdbc:sqlite:" + dir.resolve("store.db");
        try (TradeStore store = StoreFactory.open(url, Clock.systemUTC())) {
            for (int i = 1; i <= 5; i++) {
                ids.add(store.addDeadLetter(trade("t-" + i), i % 2 == 0 ? Reason.EXCHANGE_CIRCUIT_OPEN
                        : Reason.EXCHANGE_RETRIES_EXHAUSTED, null));
            }
            store.markReplayed(ids.get(4));
        }
    }

    @Test
    void shouldListTheNewestUpToTheLimitAndSayHowManyAreLeft() {
        List<String> lines = list("--limit", "2");

        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).startsWith(ids.get(4) + "  ").contains("replayed");
        assertThat(lines.get(1)).startsWith(ids.get(3) + "  ");
        assertThat(lines.get(2)).isEqualTo("... 3 older letter(s) not shown (the newest 2 of 5; --limit 0 for all)");
    }

    @Test
    void shouldListEveryLetterWithLimitZero() {
        assertThat(list("--limit", "0")).hasSize(5).noneMatch(line -> line.startsWith("..."));
    }

    @Test
    void shouldListOnlyThePendingLettersOfAReason() {
        List<String> lines = list("--pending", "--reason", "EXCHANGE_RETRIES_EXHAUSTED");

        // letters 1, 3 and 5 have that reason; 5 was replayed
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).startsWith(ids.get(2) + "  ").contains("EXCHANGE_RETRIES_EXHAUSTED");
        assertThat(lines.get(1)).startsWith(ids.get(0) + "  ");
    }

    @Test
    void shouldReadTheLettersAPageAtATimeNewestFirstUpToTheMaximum() {
        try (TradeStore store = StoreFactory.open(url, Clock.systemUTC())) {
            List<List<Long>> pages = new ArrayList<>();
            DeadLettersCommand.pages(store, TradeStore.DeadLetterFilter.ALL, Long.MAX_VALUE, 2)
                    .forEach(page -> pages.add(page.stream().map(DeadLetter::id).toList()));
            assertThat(pages).containsExactly(List.of(ids.get(4), ids.get(3)), List.of(ids.get(2), ids.get(1)),
                    List.of(ids.get(0)));

            List<Long> firstThree = new ArrayList<>();
            DeadLettersCommand.pages(store, TradeStore.DeadLetterFilter.ALL, 3, 2)
                    .forEach(page -> page.forEach(d -> firstThree.add(d.id())));
            assertThat(firstThree).containsExactly(ids.get(4), ids.get(3), ids.get(2));
        }
    }

    @Test
    void shouldReplayThePendingLettersOfAReasonAcrossPages() {
        CommandLine cli = new CommandLine(new DeadLettersCommand());
        DeadLettersCommand.Replay replay = (DeadLettersCommand.Replay) cli.getSubcommands().get("replay").getCommand();
        replay.out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        replay.pageSize = 1;

        assertThat(cli.execute("--store", url, "replay", "--reason", "EXCHANGE_RETRIES_EXHAUSTED")).isZero();

        try (TradeStore store = StoreFactory.open(url, Clock.systemUTC())) {
            // letters 1, 3 and 5 have that reason; 5 was replayed before
            assertThat(store.deadLetters()).filteredOn(d -> d.replayedAt() != null).extracting(DeadLetter::id)
                    .containsExactlyInAnyOrder(ids.get(0), ids.get(2), ids.get(4));
        }
    }

    @Test
    void shouldSayALetterWhoseTradeWasNeverStoredHasNothingToReplay() {
        CommandLine cli = new CommandLine(new DeadLettersCommand());
        DeadLettersCommand.Replay replay = (DeadLettersCommand.Replay) cli.getSubcommands().get("replay").getCommand();
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        replay.out = new PrintStream(printed, true, StandardCharsets.UTF_8);

        // the letters' trades were never admitted (as when a trade's admission failed)
        assertThat(cli.execute("--store", url, "replay", String.valueOf(ids.get(0)))).isZero();

        assertThat(printed.toString(StandardCharsets.UTF_8)).startsWith(ids.get(0) + ": trade ")
                .contains(trade("t-1").key() + " was never stored (its admission failed); nothing to replay");
    }

    @Test
    void shouldShowALetterWhoseTradeWasAdmittedLaterAsSuchAndReplayNothingForIt() {
        // letter 1's trade was refused by the store, then admitted by a later poll (and copied or skipped)
        try (TradeStore store = StoreFactory.open(url, Clock.systemUTC())) {
            assertThat(store.admit(trade("t-1"))).isTrue();
        }

        assertThat(list("--limit", "0")).filteredOn(line -> line.startsWith(ids.get(0) + "  ")).singleElement()
                .asString().contains("admitted later").doesNotContain("replayed");
        assertThat(list("--pending", "--limit", "0")).extracting(line -> line.substring(0, line.indexOf(' ')))
                .containsExactly(String.valueOf(ids.get(3)), String.valueOf(ids.get(2)), String.valueOf(ids.get(1)));

        CommandLine cli = new CommandLine(new DeadLettersCommand());
        DeadLettersCommand.Replay replay = (DeadLettersCommand.Replay) cli.getSubcommands().get("replay").getCommand();
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        replay.out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        assertThat(cli.execute("--store", url, "replay", String.valueOf(ids.get(0)))).isZero();
        assertThat(printed.toString(StandardCharsets.UTF_8)).startsWith(ids.get(0) + ": trade "
                + trade("t-1").key() + " was admitted after this letter").contains("nothing to replay")
                .endsWith("0 letter(s) replayed\n");

        try (TradeStore store = StoreFactory.open(url, Clock.systemUTC())) {
            assertThat(store.deadLetter(ids.get(0)).orElseThrow().replayedAt()).as("not marked replayed").isNull();
            assertThat(store.inFlight()).as("still in flight from its admission, not reopened")
                    .containsExactly(trade("t-1"));
            assertThat(store.replayedInFlight()).isEmpty();
            assertThat(store.deadLetterCounts()).isEqualTo(new TradeStore.DeadLetterCounts(3, 5));
        }
    }

    @Test
    void shouldRefuseANegativeLimit() {
        CommandLine cli = new CommandLine(new DeadLettersCommand());
        assertThat(cli.execute("--store", url, "list", "--limit", "-1")).isEqualTo(2);
    }

    @Test
    void shouldSayOnOneLineThatAStoreIsNotThereAndCreateNone() throws Exception {
        java.nio.file.Path missing = dir.resolve("typo").resolve("stroe.db");
        for (String command : new String[]{"list", "replay --all"}) {
            Run run = run("--store", "jdbc:sqlite:" + missing, command);
            assertThat(run.status()).isEqualTo(1);
            assertThat(run.err()).isEqualTo("dead-letters: no store at " + missing.toAbsolutePath() + " (the engine's"
                    + " STORE_URL, or --store, names it); nothing was created there\n");
        }
        assertThat(dir.resolve("typo")).doesNotExist();
    }

    @Test
    void shouldSayOnOneLineThatAFileIsNoStoreAndThatMemoryCannotBeRead() throws Exception {
        java.nio.file.Path notADatabase = dir.resolve("notes.db");
        java.nio.file.Files.write(notADatabase, "these are my notes, not a database ".repeat(200)
                .getBytes(StandardCharsets.UTF_8));
        for (String command : new String[]{"list", "replay --all"}) {
            Run run = run("--store", "jdbc:sqlite:" + notADatabase, command);
            assertThat(run.status()).isEqualTo(1);
            assertThat(run.err()).startsWith("dead-letters: could not open the store 'jdbc:sqlite:" + notADatabase
                    + "': ").contains("not a database").hasLineCount(1);

            Run memory = run("--store", "memory", command);
            assertThat(memory.status()).isEqualTo(1);
            assertThat(memory.err()).startsWith("dead-letters: the store is 'memory'").hasLineCount(1);
        }
    }

    @Test
    void shouldNeverShowTheStoresPasswordWhenItCannotBeOpened() {
        // nothing listens on port 1 of this machine: the store cannot be reached
        Run run = run("--store", "jdbc:postgresql://copy:s3cret@127.0.0.1:1/copytrader?password=s3cret", "list");
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).startsWith("dead-letters: could not open the store 'jdbc:postgresql://****@127.0.0.1:1/")
                .doesNotContain("s3cret").hasLineCount(1);
    }

    private record Run(int status, String err) {
    }

    /** Runs the command, with what it writes to standard error. */
    private static Run run(String storeOption, String store, String command) {
        java.io.PrintStream before = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            List<String> args = new ArrayList<>(List.of(storeOption, store));
            args.addAll(List.of(command.split(" ")));
            int status = new CommandLine(new DeadLettersCommand()).execute(args.toArray(String[]::new));
            return new Run(status, err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(before);
        }
    }

    private static DetectedTrade trade(String id) {
        BigDecimal price = new BigDecimal("0.42");
        BigDecimal quantity = new BigDecimal("10");
        Instant at = Instant.parse("2026-11-02T10:15:30Z");
        return new DetectedTrade(new SourceTradeId(id), new TraderId("alice"), new InstrumentId("tok-1"), "Yes", Side.BUY,
                price, quantity, Decimals.notional(price, quantity), at, at.plusMillis(7));
    }

    private List<String> list(String... options) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CommandLine cli = new CommandLine(new DeadLettersCommand());
        ((DeadLettersCommand.ListLetters) cli.getSubcommands().get("list").getCommand()).out =
                new PrintStream(bytes, true, StandardCharsets.UTF_8);
        List<String> args = new ArrayList<>(List.of("--store", url, "list"));
        args.addAll(List.of(options));
        assertThat(cli.execute(args.toArray(String[]::new))).isZero();
        return bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }
}
