package io.copytrader.store;

import io.copytrader.domain.ClientOrderId;
import io.copytrader.domain.CopyIntent;
import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.InstrumentId;
import io.copytrader.domain.Reason;
import io.copytrader.domain.Side;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.domain.TraderId;
import io.copytrader.domain.VenueOrderId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.copytrader.store.SqlValues.bindTrade;
import static io.copytrader.store.SqlValues.decimal;
import static io.copytrader.store.SqlValues.instant;
import static io.copytrader.store.SqlValues.placeholders;
import static io.copytrader.store.SqlValues.readTrade;
import static io.copytrader.store.SqlValues.setText;
import static io.copytrader.store.SqlValues.tradeColumns;

/**
 * A {@link TradeStore} on SQLite or PostgreSQL over the schema of {@code db/migration} (run Flyway first;
 * {@link StoreFactory} does). Every write is one statement, committed before the method returns, so it is on disk as
 * far as the database's durability settings make it; the guarantees of the contract come from constraints, not
 * from reading first: {@code admit} and {@code recordIntent} insert against a primary key with ON CONFLICT DO NOTHING,
 * {@code finish}, {@code reopen} and {@code markReplayed} are conditional UPDATEs.
 *
 * <p>On SQLite, which allows one writer per file, writes queue in-process instead of contending for the file lock
 * (whose busy handler backs off by sleeping), and the writes of concurrent callers are committed together (see
 * {@link GroupCommitWriter}). Reads take their own pooled connection and run concurrently with a write (WAL mode).
 *
 * <p>On SQLite the store also knows, in memory, which trades may have a dead letter written while they were in no
 * table ({@link #lettersBeforeAdmission}), so that an admission marks letters admitted only for those: one engine owns
 * a SQLite store (its engine lock), and it alone adds letters, through this store.
 */
public final class JdbcTradeStore implements TradeStore {

    private static final Logger LOG = LoggerFactory.getLogger(JdbcTradeStore.class);
    private static final String TRADE_COLUMNS = tradeColumns("");
    private static final int TRADE_COLUMN_COUNT = SqlValues.TRADE_COLUMNS.size();

    private static final String ADMIT = "INSERT INTO trades (trade_key, seq, " + TRADE_COLUMNS + ", detected_at) "
            + "VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM trades), " + placeholders(TRADE_COLUMN_COUNT) + ", ?) "
            + "ON CONFLICT (trade_key) DO NOTHING";
    /**
     * {@link #ADMIT} with the detection source, unless another source admitted a trade of the same fill group
     * (same transaction, instrument, side and trader): the index {@code trades_source_group} (V7) finds the group.
     */
    static final String ADMIT_FROM_SOURCE = "INSERT INTO trades (trade_key, seq, " + TRADE_COLUMNS
            + ", detected_at, source) SELECT ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM trades), "
            + placeholders(TRADE_COLUMN_COUNT) + ", ?, ? WHERE NOT EXISTS (" + otherSourceQuery("o") + ") "
            + "ON CONFLICT (trade_key) DO NOTHING";
    /**
     * An admission's second statement on SQLite, in the same transaction as the row it stored, run only when the trade
     * may have a letter to mark ({@link #lettersBeforeAdmission}): the trade's dead letters written while it was in no
     * table (see {@link TradeStore#admit}) are marked admitted, found through the index
     * {@code dead_letters_before_admission} (V9). Parameters: the time, the trader, the source trade id.
     */
    static final String MARK_LETTERS_ADMITTED = "UPDATE dead_letters SET admitted_at = ? "
            + "WHERE trader = ? AND source_trade_id = ? AND admitted_at IS NULL";
    /** {@link #ADMIT} on PostgreSQL: the row and the marking of its letters in one statement (its last parameter). */
    private static final String ADMIT_MARKING_LETTERS = markingLettersAdmitted(ADMIT);
    /** {@link #ADMIT_FROM_SOURCE} on PostgreSQL, as {@link #ADMIT_MARKING_LETTERS}. */
    private static final String ADMIT_FROM_SOURCE_MARKING_LETTERS = markingLettersAdmitted(ADMIT_FROM_SOURCE);
    private static final String FINISH = "UPDATE trades SET outcome = ?, reason = ?, detail = ?, finished_at = ? "
            + "WHERE trade_key = ? AND outcome IS NULL";
    private static final String CORRECT_TO_COPIED = "UPDATE trades SET outcome = '" + TradeOutcome.COPIED.name()
            + "', reason = NULL, detail = ?, finished_at = ? WHERE trade_key = ? AND outcome IN ('"
            + TradeOutcome.SKIPPED.name() + "', '" + TradeOutcome.DROPPED.name() + "', '" + TradeOutcome.EXPIRED.name()
            + "')";
    private static final String REOPEN = "UPDATE trades "
            + "SET outcome = NULL, reason = NULL, detail = NULL, finished_at = NULL, aggregate_of = NULL "
            + "WHERE trade_key = ? AND outcome = '" + TradeOutcome.FAILED.name() + "'";
    private static final String ORDER_COLUMNS = "client_order_id, trade_key, instrument, side, limit_price, quantity, "
            + "notional, " + tradeColumns("src_") + ", state, venue_order_id, filled_quantity, avg_fill_price, "
            + "created_at, updated_at";
    /** The intent, unless the trade has an outcome already (its last parameter is the trade's key). */
    private static final String RECORD_INTENT = "INSERT INTO orders (" + ORDER_COLUMNS + ") SELECT "
            + placeholders(7 + TRADE_COLUMN_COUNT + 6) + " WHERE NOT EXISTS (SELECT 1 FROM trades WHERE trade_key = ? "
            + "AND outcome IS NOT NULL) ON CONFLICT (client_order_id) DO NOTHING";
    private static final String FINISH_IF_NO_ORDER = "UPDATE trades SET outcome = ?, reason = ?, detail = ?, "
            + "finished_at = ? WHERE trade_key = ? AND outcome IS NULL "
            + "AND NOT EXISTS (SELECT 1 FROM orders WHERE client_order_id = ?)";
    private static final String UPDATE_ORDER = "UPDATE orders SET state = COALESCE(?, state), "
            + "venue_order_id = COALESCE(?, venue_order_id), filled_quantity = COALESCE(?, filled_quantity), "
            + "avg_fill_price = COALESCE(?, avg_fill_price), updated_at = ? WHERE client_order_id = ?";
    private static final String DEAD_LETTER_COLUMNS =
            "id, created_at, reason, detail, " + TRADE_COLUMNS + ", replayed_at, admitted_at";
    /**
     * SQLite, when the store opens: the trade keys of the letters not marked admitted whose trade is in no table, what
     * {@link #lettersBeforeAdmission} starts from. A trade's key is its trader and source trade id
     * ({@link DetectedTrade#key()}, stored as {@code trade_key}): the letters come from the index
     * {@code dead_letters_before_admission} (and their rows: SQLite does not take the partial index as covering), each
     * trade looked up in the primary key of {@code trades}, never a scan of the trades (a long history holds a million
     * trades and tens of thousands of letters, nearly all of stored trades: docs/store.md).
     */
    static final String LETTERS_BEFORE_ADMISSION = "SELECT d.trader || ':' || d.source_trade_id FROM dead_letters d "
            + "WHERE d.admitted_at IS NULL AND NOT EXISTS (SELECT 1 FROM trades t "
            + "WHERE t.trade_key = d.trader || ':' || d.source_trade_id)";
    /** Whether a trade is stored: in a letter's write on SQLite (see {@link #lettersBeforeAdmission}). */
    private static final String TRADE_STORED = "SELECT 1 FROM trades WHERE trade_key = ?";
    /**
     * PostgreSQL: a letter marked admitted by {@link #markIfAdmittedMeanwhile}, with its trade's admission time (what
     * the admission itself marks it with). Parameters: the trade's key, the letter's id.
     */
    private static final String MARK_LETTER_ADMITTED = "UPDATE dead_letters SET admitted_at = "
            + "(SELECT detected_at FROM trades WHERE trade_key = ?) WHERE id = ? AND admitted_at IS NULL";
    /** How long a letter's check waits for another engine's admission of its trade to end. */
    static final java.time.Duration LETTER_CHECK_LOCK_TIMEOUT = java.time.Duration.ofSeconds(5);
    /** Ids are max + 1; two PostgreSQL writers may pick the same one, and the loser tries again (ON CONFLICT). */
    private static final String ADD_DEAD_LETTER = "INSERT INTO dead_letters (id, created_at, reason, detail, "
            + TRADE_COLUMNS + ") VALUES ((SELECT COALESCE(MAX(id), 0) + 1 FROM dead_letters), ?, ?, ?, "
            + placeholders(TRADE_COLUMN_COUNT) + ") ON CONFLICT (id) DO NOTHING RETURNING id";

    /** Rows free to claim: never claimed, lease run out, or held by the claimant already (a renewal). */
    private static final String CLAIMABLE = "(claimed_until IS NULL OR claimed_until < ? OR claimed_by = ?)";
    /** A trade claim is not renewed: each claim is one piece of work, taken again only after its lease. */
    private static final String CLAIM_TRADE = "UPDATE trades SET claimed_by = ?, claimed_until = ? "
            + "WHERE trade_key = ? AND outcome IS NULL AND (claimed_until IS NULL OR claimed_until < ?)";

    private static final String CLAIM_NAME = "INSERT INTO instance_claims (name, claimed_by, claimed_until) "
            + "VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET claimed_by = excluded.claimed_by, "
            + "claimed_until = excluded.claimed_until "
            + "WHERE instance_claims.claimed_until < ? OR instance_claims.claimed_by = excluded.claimed_by";

    /** Each attempt loses only to a writer that just committed, so a handful is plenty. */
    private static final int MAX_ID_ATTEMPTS = 50;

    private final DataSource dataSource;
    private final Clock clock;
    private final AutoCloseable onClose;
    /** SQLite only: one transaction at a time, concurrent writes committed together. */
    private final GroupCommitWriter writer;
    /** SQLite behind a pool only: each pooled connection's read statements, compiled once and kept with it. */
    private final ReadStatements reads;
    private final Dialect dialect;
    /**
     * SQLite only (null on PostgreSQL): the keys of the trades that may have a dead letter written while they were in
     * no table, which their admission must mark admitted ({@link TradeStore#admit}). Nearly every admission finds none
     * (such letters are those of admissions the store refused), and running {@link #MARK_LETTERS_ADMITTED} after every
     * stored row was a second statement on the engine's hot path for nothing; an admission runs it only for a key in
     * this set.
     *
     * <p>It can be known in memory because one engine owns a SQLite store (its engine lock; the {@code dead-letters}
     * command reads letters and marks them replayed, it adds none) and this store writes every letter of it: the set
     * starts from the store's letters not marked admitted whose trade is in no table ({@link #LETTERS_BEFORE_ADMISSION},
     * when the store opens), and a letter's write adds its key when its trade is not stored at that moment (checked in
     * the same write). A letter written while its trade is stored never enters it: that trade's admission never
     * happens again. The key leaves the set once the admission that stored the trade (and marked its letters) has
     * committed, not when the mark runs: the group-commit writer rolls a failed batch back and runs its writes again
     * one at a time, and the admission run again must mark again. Writes run one at a time (the writer), so a letter
     * and an admission of one trade see each other in their order: a key is added before its letter's write commits,
     * and an admission that runs after it finds it. A key whose letter's write then failed, or whose trade is never
     * admitted, costs one useless UPDATE at most. Admissions, letters and removals run on different threads.
     */
    private final java.util.Set<String> lettersBeforeAdmission;

    /**
     * @param dataSource a pooled DataSource over a migrated schema; connections in auto-commit mode
     * @param onClose    released by {@link #close()} (the pool, when the store owns it); may be null
     */
    public JdbcTradeStore(DataSource dataSource, Clock clock, AutoCloseable onClose) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.onClose = onClose;
        this.dialect = call("read the database product", false,
                c -> Dialect.fromProductName(c.getMetaData().getDatabaseProductName()));
        this.writer = dialect.serialisesWrites() ? new GroupCommitWriter(unpooled(dataSource)) : null;
        this.reads = writer != null && dataSource instanceof com.zaxxer.hikari.HikariDataSource
                ? new ReadStatements() : null;
        this.lettersBeforeAdmission = writer != null ? readLettersBeforeAdmission() : null;
    }

    /**
     * {@link #LETTERS_BEFORE_ADMISSION}, in a set that admissions, letters and reads share. Run once, on a pooled
     * connection as it is: not among the statements kept for the reads ({@link #reads}).
     */
    private java.util.Set<String> readLettersBeforeAdmission() {
        java.util.Set<String> keys = java.util.concurrent.ConcurrentHashMap.newKeySet();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(LETTERS_BEFORE_ADMISSION);
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                keys.add(rs.getString(1));
            }
        } catch (SQLException e) {
            throw new StoreException("could not read the dead letters of trades not stored: " + e.getMessage(), e);
        }
        return keys;
    }

    /**
     * The keys of the trades whose admission marks their letters admitted (SQLite; for tests): a view, not a copy.
     * Null on PostgreSQL, where every admission marks them in its one statement.
     */
    java.util.Set<String> lettersBeforeAdmission() {
        return lettersBeforeAdmission == null ? null : java.util.Collections.unmodifiableSet(lettersBeforeAdmission);
    }

    /** The pooled connections' kept read statements; null unless SQLite behind a pool (for tests). */
    ReadStatements readStatements() {
        return reads;
    }

    /**
     * What a pool draws its connections from, for the group-commit writer's own connection (kept open, it would take
     * one of the pool's for good: with a pool of one, from every reader); the data source itself when it is no pool.
     */
    private static DataSource unpooled(DataSource dataSource) {
        if (dataSource instanceof com.zaxxer.hikari.HikariDataSource pool && pool.getDataSource() != null) {
            return pool.getDataSource();
        }
        return dataSource;
    }

    // ---- feed cursors -------------------------------------------------------------------------------------

    @Override
    public Optional<String> cursor(TraderId trader) {
        return call("read the cursor of " + trader, false, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT cursor_value FROM feed_cursors WHERE trader = ?")) {
                ps.setString(1, trader.value());
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public void saveCursor(TraderId trader, String cursor) {
        ordered("save the cursor of " + trader, c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO feed_cursors "
                    + "(trader, cursor_value, updated_at) VALUES (?, ?, ?) ON CONFLICT (trader) DO UPDATE SET "
                    + "cursor_value = excluded.cursor_value, updated_at = excluded.updated_at")) {
                ps.setString(1, trader.value());
                ps.setString(2, cursor);
                ps.setString(3, instant(clock.instant()));
                return ps.executeUpdate();
            }
        });
    }

    // ---- trades ---------------------------------------------------------------------------------------------

    @Override
    public boolean admit(DetectedTrade trade) {
        return committed(trade, ordered("admit trade " + trade.key(), c -> insertTrade(c, trade)));
    }

    @Override
    public List<Boolean> admitAll(List<DetectedTrade> trades) {
        if (writer == null) {
            return TradeStore.super.admitAll(trades);
        }
        List<SqlWork<Boolean>> works = new ArrayList<>(trades.size());
        for (DetectedTrade trade : trades) {
            works.add(c -> insertTrade(c, trade));
        }
        return committed(trades, writer.writeAll("admit a polled page of trades", works, false));
    }

    /**
     * After an admission's write has committed (its answer is known): a trade it stored has its letters marked, so its
     * key leaves {@link #lettersBeforeAdmission}. Not before: a batch rolled back runs the admission again, which must
     * mark again. Answers {@code stored}.
     */
    private boolean committed(DetectedTrade trade, boolean stored) {
        if (stored && lettersBeforeAdmission != null && !lettersBeforeAdmission.isEmpty()) {
            lettersBeforeAdmission.remove(trade.key());
        }
        return stored;
    }

    /** {@link #committed(DetectedTrade, boolean)} for a page: a null answer is a write that failed (not committed). */
    private List<Boolean> committed(List<DetectedTrade> trades, List<Boolean> stored) {
        if (lettersBeforeAdmission != null && !lettersBeforeAdmission.isEmpty()) {
            for (int i = 0; i < stored.size(); i++) {
                if (Boolean.TRUE.equals(stored.get(i))) {
                    lettersBeforeAdmission.remove(trades.get(i).key());
                }
            }
        }
        return stored;
    }

    private boolean insertTrade(Connection c, DetectedTrade trade) throws SQLException {
        String now = instant(clock.instant());
        return insertMarkingLetters(c, trade, now, ADMIT, ADMIT_MARKING_LETTERS, ps -> bindAdmission(ps, trade, now));
    }

    /** Binds {@link #ADMIT}'s parameters; returns the next parameter's index. */
    private static int bindAdmission(PreparedStatement ps, DetectedTrade trade, String now) throws SQLException {
        ps.setString(1, trade.key());
        int next = bindTrade(ps, 2, trade);
        ps.setString(next++, now);
        return next;
    }

    /** Binds an admission's parameters from the first; returns the next parameter's index. */
    @FunctionalInterface
    private interface AdmissionParameters {
        int bind(PreparedStatement ps) throws SQLException;
    }

    /**
     * Runs an admission's INSERT and, when it stored the trade, marks the trade's dead letters admitted in the same
     * transaction (see {@link TradeStore#admit}): on SQLite a second statement in the writer's transaction, run only
     * after a row was stored and only when the trade may have such a letter (its key in {@link #lettersBeforeAdmission};
     * nearly every admission runs its INSERT alone); on PostgreSQL, whose admissions run in auto-commit and whose store
     * several engines may share (so no engine knows every letter), one statement that does both, at no extra round
     * trip.
     *
     * @return whether the row was stored
     */
    private boolean insertMarkingLetters(Connection c, DetectedTrade trade, String now, String insert,
                                         String insertMarking, AdmissionParameters parameters) throws SQLException {
        if (dialect == Dialect.POSTGRESQL) {
            try (PreparedStatement ps = c.prepareStatement(insertMarking)) {
                ps.setString(parameters.bind(ps), now);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() && rs.getLong(1) == 1;
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement(insert)) {
            parameters.bind(ps);
            if (ps.executeUpdate() != 1) {
                return false;
            }
        }
        if (lettersBeforeAdmission.isEmpty() || !lettersBeforeAdmission.contains(trade.key())) {
            return true; // no letter of it was written while it was in no table
        }
        // the key stays until this write has committed (see committed): run again after a rollback, it marks again
        try (PreparedStatement ps = c.prepareStatement(MARK_LETTERS_ADMITTED)) {
            ps.setString(1, now);
            ps.setString(2, trade.trader().value());
            ps.setString(3, trade.sourceTradeId().value());
            ps.executeUpdate();
        }
        return true;
    }

    /**
     * PostgreSQL: {@code insert} (an admission's INSERT, with its parameters) and, when it stored the row, the
     * marking of the trade's dead letters as admitted (a last parameter: the time), in one statement; answers how many
     * rows it stored (0 or 1). A data-modifying WITH runs once whether or not the query reads it.
     */
    static String markingLettersAdmitted(String insert) {
        return "WITH admitted AS (" + insert + " RETURNING trader, source_trade_id), "
                + "marked AS (UPDATE dead_letters d SET admitted_at = ? FROM admitted a "
                + "WHERE d.trader = a.trader AND d.source_trade_id = a.source_trade_id AND d.admitted_at IS NULL) "
                + "SELECT COUNT(*) FROM admitted";
    }

    /**
     * A trade of the fill group of parameters source_order, instrument, side, trader (in that order) admitted by a
     * source other than the last parameter's.
     */
    static String otherSourceQuery(String alias) {
        return "SELECT 1 FROM trades " + alias + " WHERE " + alias + ".source_order = ? AND " + alias + ".instrument = ? AND "
                + alias + ".side = ? AND " + alias + ".source IS NOT NULL AND " + alias + ".trader = ? AND " + alias
                + ".source <> ?";
    }

    @Override
    public boolean admit(DetectedTrade trade, String source) {
        if (source == null) {
            return admit(trade);
        }
        return committed(trade, ordered("admit trade " + trade.key(), c -> insertTrade(c, trade, source)));
    }

    @Override
    public List<Boolean> admitAll(List<DetectedTrade> trades, String source) {
        if (source == null) {
            return admitAll(trades);
        }
        if (writer == null) {
            return TradeStore.super.admitAll(trades, source);
        }
        List<SqlWork<Boolean>> works = new ArrayList<>(trades.size());
        for (DetectedTrade trade : trades) {
            works.add(c -> insertTrade(c, trade, source));
        }
        return committed(trades, writer.writeAll("admit a polled page of trades", works, false));
    }

    @Override
    public PageAdmission admitPage(List<DetectedTrade> trades, String source) {
        if (writer == null) {
            return TradeStore.super.admitPage(trades, source); // one by one, stopping at a refusal
        }
        // one group commit; a failed batch is tried one write at a time, each answered
        return new PageAdmission(admitAll(trades, source), null);
    }

    private boolean insertTrade(Connection c, DetectedTrade trade, String source) throws SQLException {
        if (dialect == Dialect.POSTGRESQL) {
            return insertTradeLockingGroup(c, trade, source);
        }
        return insertTradeIfNoOtherSource(c, trade, source);
    }

    /**
     * On PostgreSQL writers run concurrently, and under READ COMMITTED two sources admitting fills of one group at the
     * same instant would each see no row of the other (each statement's snapshot predates the other's commit). A
     * transaction-scoped advisory lock on the group serialises them: the second one's INSERT, a new statement, starts
     * after the first committed and sees its row. (Single-key advisory locks do not share a key space with the
     * two-key {@link EngineLock}.)
     */
    private boolean insertTradeLockingGroup(Connection c, DetectedTrade trade, String source) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
                lock.setLong(1, groupLockKey(trade));
                lock.execute();
            }
            boolean admitted = insertTradeIfNoOtherSource(c, trade, source);
            c.commit();
            return admitted;
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }

    /** The advisory lock key of a trade's fill group (trader, transaction, instrument, side); collisions only serialise. */
    static long groupLockKey(DetectedTrade trade) {
        String group = trade.trader().value() + '\n' + trade.sourceOrder() + '\n' + trade.instrument().value() + '\n'
                + trade.side().name();
        byte[] bytes = group.getBytes(StandardCharsets.UTF_8);
        long h = 0xcbf29ce484222325L; // FNV-1a, 64 bits
        for (byte b : bytes) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    private boolean insertTradeIfNoOtherSource(Connection c, DetectedTrade trade, String source) throws SQLException {
        String now = instant(clock.instant());
        return insertMarkingLetters(c, trade, now, ADMIT_FROM_SOURCE, ADMIT_FROM_SOURCE_MARKING_LETTERS, ps -> {
            ps.setString(1, trade.key());
            int next = bindTrade(ps, 2, trade);
            ps.setString(next++, now);
            ps.setString(next++, source);
            return bindGroup(ps, next, trade, source);
        });
    }

    /** Binds the fill group from {@code first}; returns the next parameter's index. */
    private static int bindGroup(PreparedStatement ps, int first, DetectedTrade trade, String source)
            throws SQLException {
        int i = first;
        ps.setString(i++, trade.sourceOrder());
        ps.setString(i++, trade.instrument().value());
        ps.setString(i++, trade.side().name());
        ps.setString(i++, trade.trader().value());
        ps.setString(i++, source);
        return i;
    }

    @Override
    public boolean finish(String tradeKey, TradeOutcome outcome, Reason reason, String detail) {
        return ordered("finish trade " + tradeKey, c -> finish(c, tradeKey, outcome, reason, detail));
    }

    @Override
    public boolean finishIfNoOrder(String tradeKey, ClientOrderId clientOrderId, TradeOutcome outcome, Reason reason,
                                   String detail) {
        String lock = dialect.tradeRowLock(true);
        return transaction("finish trade " + tradeKey + " unless order " + clientOrderId + " is written", c -> {
            if (lock != null) {
                lockTradeRow(c, lock, tradeKey);
            }
            try (PreparedStatement ps = c.prepareStatement(FINISH_IF_NO_ORDER)) {
                bindFinish(ps, tradeKey, outcome, reason, detail);
                ps.setString(6, clientOrderId.value());
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public List<Boolean> finishAll(List<String> tradeKeys, TradeOutcome outcome, Reason reason, String detail) {
        if (writer == null || tradeKeys.size() < 2) {
            return TradeStore.super.finishAll(tradeKeys, outcome, reason, detail);
        }
        List<SqlWork<Boolean>> works = new ArrayList<>(tradeKeys.size());
        for (String key : tradeKeys) {
            works.add(c -> finish(c, key, outcome, reason, detail));
        }
        List<Boolean> answers = writer.writeAll("finish " + tradeKeys.size() + " trades", works, false);
        for (int i = 0; i < answers.size(); i++) {
            if (answers.get(i) == null) {
                // its write failed on its own (the others were committed): as finish would, say why
                answers.set(i, finish(tradeKeys.get(i), outcome, reason, detail));
            }
        }
        return answers;
    }

    private boolean finish(Connection c, String tradeKey, TradeOutcome outcome, Reason reason, String detail)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(FINISH)) {
            bindFinish(ps, tradeKey, outcome, reason, detail);
            return ps.executeUpdate() == 1;
        }
    }

    /** The first five parameters of FINISH and FINISH_IF_NO_ORDER: what the outcome is, when, and whose. */
    private void bindFinish(PreparedStatement ps, String tradeKey, TradeOutcome outcome, Reason reason, String detail)
            throws SQLException {
        ps.setString(1, outcome.name());
        setText(ps, 2, reason == null ? null : reason.name());
        setText(ps, 3, detail);
        ps.setString(4, instant(clock.instant()));
        ps.setString(5, tradeKey);
    }

    @Override
    public boolean correctToCopied(String tradeKey, String detail) {
        return call("correct trade " + tradeKey + " to copied", true, c -> {
            try (PreparedStatement ps = c.prepareStatement(CORRECT_TO_COPIED)) {
                setText(ps, 1, detail);
                ps.setString(2, instant(clock.instant()));
                ps.setString(3, tradeKey);
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public boolean reopen(String tradeKey) {
        return call("reopen trade " + tradeKey, true, c -> {
            try (PreparedStatement ps = c.prepareStatement(REOPEN)) {
                ps.setString(1, tradeKey);
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public Optional<Ended> ended(String tradeKey) {
        return call("read outcome of " + tradeKey, false, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT outcome, reason FROM trades WHERE trade_key = ?")) {
                ps.setString(1, tradeKey);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next() || rs.getString(1) == null) {
                        return Optional.<Ended>empty();
                    }
                    String reason = rs.getString(2);
                    return Optional.of(new Ended(TradeOutcome.valueOf(rs.getString(1)),
                            reason == null ? null : Reason.valueOf(reason)));
                }
            }
        });
    }

    @Override
    public void linkAggregate(String leaderKey, Collection<String> followerKeys) {
        if (followerKeys.isEmpty()) {
            return;
        }
        ordered("link " + followerKeys.size() + " trade(s) to aggregate " + leaderKey, c -> {
            // the leader leads now: a link of its own (a previous run's group, regrouped at a restart) would make a
            // cycle with its followers' links, which a later restart could not resolve
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE trades SET aggregate_of = NULL WHERE trade_key = ? AND aggregate_of IS NOT NULL")) {
                ps.setString(1, leaderKey);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE trades SET aggregate_of = ? WHERE trade_key = ?")) {
                for (String key : followerKeys) {
                    ps.setString(1, leaderKey);
                    ps.setString(2, key);
                    ps.addBatch();
                }
                return ps.executeBatch().length;
            }
        });
    }

    @Override
    public List<DetectedTrade> aggregateMembers(String leaderKey) {
        return tradesInFlight("list members of aggregate " + leaderKey, " AND aggregate_of = ?", leaderKey);
    }

    @Override
    public Map<String, String> aggregateLinks() {
        return call("list aggregate links", false, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT trade_key, aggregate_of FROM trades WHERE aggregate_of IS NOT NULL AND outcome IS NULL");
                 ResultSet rs = ps.executeQuery()) {
                Map<String, String> links = new java.util.HashMap<>();
                while (rs.next()) {
                    links.put(rs.getString(1), rs.getString(2));
                }
                return links;
            }
        });
    }

    @Override
    public void recordSource(String tradeKey, String source) {
        call("record source of " + tradeKey, true, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE trades SET source = ? WHERE trade_key = ?")) {
                ps.setString(1, source);
                ps.setString(2, tradeKey);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public Optional<String> source(String tradeKey) {
        return call("read source of " + tradeKey, false, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT source FROM trades WHERE trade_key = ?")) {
                ps.setString(1, tradeKey);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public void markReorged(String tradeKey) {
        call("mark reorged " + tradeKey, true, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE trades SET reorged_at = ? WHERE trade_key = ?")) {
                ps.setString(1, SqlValues.instant(clock.instant()));
                ps.setString(2, tradeKey);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public boolean reorged(String tradeKey) {
        return call("read reorged " + tradeKey, false, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT reorged_at FROM trades WHERE trade_key = ?")) {
                ps.setString(1, tradeKey);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() && rs.getString(1) != null;
                }
            }
        });
    }

    @Override
    public Optional<DetectedTrade> trade(String tradeKey) {
        return call("read trade " + tradeKey, false, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT " + TRADE_COLUMNS + " FROM trades WHERE trade_key = ?")) {
                ps.setString(1, tradeKey);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(readTrade(rs, "")) : Optional.empty();
                }
            }
        });
    }

    @Override
    public Optional<TradeOutcome> outcome(String tradeKey) {
        return call("read outcome of " + tradeKey, false, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT outcome FROM trades WHERE trade_key = ?")) {
                ps.setString(1, tradeKey);
                try (ResultSet rs = ps.executeQuery()) {
                    String outcome = rs.next() ? rs.getString(1) : null;
                    return outcome == null ? Optional.<TradeOutcome>empty() : Optional.of(TradeOutcome.valueOf(outcome));
                }
            }
        });
    }

    @Override
    public List<DetectedTrade> inFlight() {
        return tradesInFlight("list trades in flight", "", null);
    }

    @Override
    public List<DetectedTrade> replayedInFlight() {
        return tradesInFlight("list replayed trades in flight", REPLAYED, null);
    }

    @Override
    public List<DetectedTrade> inFlightBefore(Instant tsEvent) {
        // instants are stored as fixed-width UTC text, so text order is time order for the years 0000-9999; an event
        // outside them ("+10000-...", "-0001-...", from a feed that gave milliseconds for seconds, say) sorts before
        // all of those years, so the text narrows the rows down and the instants decide
        String before = instant(tsEvent);
        if (!Character.isDigit(before.charAt(0))) {
            return TradeStore.super.inFlightBefore(tsEvent);
        }
        return tradesInFlight("list old trades in flight", " AND ts_event < ?", before).stream()
                .filter(t -> t.tsEvent().isBefore(tsEvent)).toList();
    }

    /** Trades in flight that also meet {@code condition} (empty, or starting with AND), oldest first. */
    static String inFlightQuery(String condition) {
        return "SELECT " + TRADE_COLUMNS + " FROM trades WHERE outcome IS NULL" + condition + " ORDER BY seq, trade_key";
    }

    private List<DetectedTrade> tradesInFlight(String what, String condition, String parameter) {
        return call(what, false, c -> {
            try (PreparedStatement ps = c.prepareStatement(inFlightQuery(condition))) {
                if (parameter != null) {
                    ps.setString(1, parameter);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    List<DetectedTrade> list = new ArrayList<>();
                    while (rs.next()) {
                        list.add(readTrade(rs, ""));
                    }
                    return list;
                }
            }
        });
    }

    @Override
    public Map<TradeOutcome, Long> outcomeCounts() {
        return call("count outcomes", false, c -> {
            Map<TradeOutcome, Long> counts = new EnumMap<>(TradeOutcome.class);
            for (TradeOutcome o : TradeOutcome.values()) {
                counts.put(o, 0L);
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT outcome, COUNT(*) FROM trades WHERE outcome IS NOT NULL GROUP BY outcome");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    counts.put(TradeOutcome.valueOf(rs.getString(1)), rs.getLong(2));
                }
            }
            return counts;
        });
    }

    /** Read at every start (the metrics continue from it): from the index on outcome and reason alone (V6). */
    static final String OUTCOME_COUNTS_BY_REASON =
            "SELECT outcome, reason, COUNT(*) FROM trades WHERE outcome IS NOT NULL GROUP BY outcome, reason";
    /**
     * A trade in flight that a person replayed (a trade's key is its trader and source trade id): looked up per trade
     * in flight in an index of the letters by trade, at every pass of the monitor (the replayed letters', V6; SQLite
     * takes the one of the letters not marked admitted, V9, on the same columns). A letter its trade was admitted after
     * does not count: replayed while the trade was in no table, it reopened nothing.
     */
    static final String REPLAYED = " AND EXISTS (SELECT 1 FROM dead_letters d WHERE d.trader = trades.trader"
            + " AND d.source_trade_id = trades.source_trade_id AND d.replayed_at IS NOT NULL"
            + " AND d.admitted_at IS NULL)";
    /**
     * Read up to once a second while the dashboard is open or the pending-letters gauge is scraped: pending are the
     * letters neither replayed nor admitted after ({@link DeadLetter#pending()}).
     */
    static final String DEAD_LETTER_COUNTS =
            "SELECT COUNT(*) - COUNT(COALESCE(replayed_at, admitted_at)), COUNT(*) FROM dead_letters";

    @Override
    public Map<TradeOutcome, Map<Reason, Long>> outcomeCountsByReason() {
        return call("count outcomes by reason", false, c -> {
            Map<TradeOutcome, Map<Reason, Long>> counts = new EnumMap<>(TradeOutcome.class);
            try (PreparedStatement ps = c.prepareStatement(OUTCOME_COUNTS_BY_REASON);
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String reason = rs.getString(2);
                    counts.computeIfAbsent(TradeOutcome.valueOf(rs.getString(1)), o -> new java.util.HashMap<>())
                            .merge(reason == null ? null : Reason.valueOf(reason), rs.getLong(3), Long::sum);
                }
            }
            return counts;
        });
    }

    @Override
    public long inFlightCount() {
        return count("SELECT COUNT(*) FROM trades WHERE outcome IS NULL");
    }

    @Override
    public long detectedCount() {
        return count("SELECT COUNT(*) FROM trades");
    }

    // ---- orders (the outbox) ----------------------------------------------------------------------------------

    @Override
    public boolean recordIntent(String tradeKey, CopyIntent intent) {
        String what = "record the intent " + intent.clientOrderId();
        String lock = dialect.tradeRowLock(false);
        if (lock == null) {
            return call(what, true, c -> insertIntent(c, tradeKey, intent));
        }
        return transaction(what, c -> {
            lockTradeRow(c, lock, tradeKey);
            return insertIntent(c, tradeKey, intent);
        });
    }

    /**
     * Takes the trade's row lock for the rest of the transaction (PostgreSQL). A statement run after it reads what
     * was committed before the lock was granted, so an intent and an outcome that depends on there being none,
     * each written under the lock, see each other.
     */
    private static void lockTradeRow(Connection c, String lock, String tradeKey) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(lock)) {
            ps.setString(1, tradeKey);
            ps.executeQuery().close();
        }
    }

    private boolean insertIntent(Connection c, String tradeKey, CopyIntent intent) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(RECORD_INTENT)) {
            String now = instant(clock.instant());
            int i = 1;
            ps.setString(i++, intent.clientOrderId().value());
            ps.setString(i++, tradeKey);
            ps.setString(i++, intent.instrument().value());
            ps.setString(i++, intent.side().name());
            ps.setString(i++, decimal(intent.limitPrice()));
            ps.setString(i++, decimal(intent.quantity()));
            ps.setString(i++, decimal(intent.notional()));
            i = bindTrade(ps, i, intent.source());
            ps.setString(i++, OrderRecordState.SUBMITTING.name());
            setText(ps, i++, null);
            ps.setString(i++, decimal(BigDecimal.ZERO));
            setText(ps, i++, null);
            ps.setString(i++, now);
            ps.setString(i++, now);
            ps.setString(i, tradeKey);
            return ps.executeUpdate() == 1;
        }
    }

    @Override
    public void updateOrder(ClientOrderId clientOrderId, OrderRecordState state, VenueOrderId venueOrderId,
                            BigDecimal filledQuantity, BigDecimal avgFillPrice) {
        call("update order " + clientOrderId, true, c -> {
            try (PreparedStatement ps = c.prepareStatement(UPDATE_ORDER)) {
                setText(ps, 1, state == null ? null : state.name());
                setText(ps, 2, venueOrderId == null ? null : venueOrderId.value());
                setText(ps, 3, decimal(filledQuantity));
                setText(ps, 4, decimal(avgFillPrice));
                ps.setString(5, instant(clock.instant()));
                ps.setString(6, clientOrderId.value());
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public boolean moveOrder(ClientOrderId clientOrderId, OrderRecordState to, VenueOrderId venueOrderId,
                             BigDecimal filledQuantity, BigDecimal avgFillPrice) {
        return call("move order " + clientOrderId + " to " + to, true,
                c -> moveOrder(c, clientOrderId, to, venueOrderId, filledQuantity, avgFillPrice));
    }

    @Override
    public MovedAndFinished moveOrderAndFinish(ClientOrderId clientOrderId, OrderRecordState to,
                                               VenueOrderId venueOrderId, BigDecimal filledQuantity,
                                               BigDecimal avgFillPrice, String tradeKey, TradeOutcome outcome,
                                               Reason reason, String detail) {
        return moveOrderAndFinish(clientOrderId, to, venueOrderId, filledQuantity, avgFillPrice, tradeKey, outcome,
                reason, detail, List.of(), null);
    }

    @Override
    public MovedAndFinished moveOrderAndFinish(ClientOrderId clientOrderId, OrderRecordState to,
                                               VenueOrderId venueOrderId, BigDecimal filledQuantity,
                                               BigDecimal avgFillPrice, String tradeKey, TradeOutcome outcome,
                                               Reason reason, String detail, List<String> followerKeys,
                                               String followerDetail) {
        String what = "move order " + clientOrderId + " to " + to + " and finish trade " + tradeKey
                + (followerKeys.isEmpty() ? "" : " and its " + followerKeys.size() + " follower(s)");
        SqlWork<MovedAndFinished> work = c -> {
            boolean moved = moveOrder(c, clientOrderId, to, venueOrderId, filledQuantity, avgFillPrice);
            boolean finished = finish(c, tradeKey, outcome, reason, detail);
            if (!finished || followerKeys.isEmpty()) {
                return new MovedAndFinished(moved, finished);
            }
            List<Boolean> followers = new ArrayList<>(followerKeys.size());
            for (String key : followerKeys) {
                followers.add(finish(c, key, outcome, reason, followerDetail));
            }
            return new MovedAndFinished(moved, true, followers);
        };
        if (writer != null) { // SQLite: one group-commit write, ordered (see orderedWrites)
            return writer.write(what, work, false);
        }
        return transaction(what, work);
    }

    private boolean moveOrder(Connection c, ClientOrderId clientOrderId, OrderRecordState to,
                              VenueOrderId venueOrderId, BigDecimal filledQuantity, BigDecimal avgFillPrice)
            throws SQLException {
        var from = to.allowedFrom();
        String sql = "UPDATE orders SET state = ?, venue_order_id = COALESCE(?, venue_order_id), "
                + "filled_quantity = COALESCE(?, filled_quantity), avg_fill_price = COALESCE(?, avg_fill_price), "
                + "updated_at = ? WHERE client_order_id = ? AND state IN (" + placeholders(from.size()) + ")";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            ps.setString(i++, to.name());
            setText(ps, i++, venueOrderId == null ? null : venueOrderId.value());
            setText(ps, i++, decimal(filledQuantity));
            setText(ps, i++, decimal(avgFillPrice));
            ps.setString(i++, instant(clock.instant()));
            ps.setString(i++, clientOrderId.value());
            for (OrderRecordState s : from) {
                ps.setString(i++, s.name());
            }
            return ps.executeUpdate() == 1;
        }
    }

    @Override
    public void recordSigned(ClientOrderId clientOrderId, VenueOrderId venueOrderId, String signedOrder) {
        call("record signed order " + clientOrderId, true, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE orders SET venue_order_id = ?, signed_order = ?, "
                    + "updated_at = ? WHERE client_order_id = ?")) {
                ps.setString(1, venueOrderId.value());
                ps.setString(2, signedOrder);
                ps.setString(3, instant(clock.instant()));
                ps.setString(4, clientOrderId.value());
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public Optional<String> signedOrder(ClientOrderId clientOrderId) {
        return call("read signed order " + clientOrderId, false, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT signed_order FROM orders WHERE client_order_id = ?")) {
                ps.setString(1, clientOrderId.value());
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.<String>empty();
                }
            }
        });
    }

    @Override
    public Optional<OrderRecord> order(ClientOrderId clientOrderId) {
        return call("read order " + clientOrderId, false, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + ORDER_COLUMNS
                    + " FROM orders WHERE client_order_id = ?")) {
                ps.setString(1, clientOrderId.value());
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(readOrder(rs)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public List<OrderRecord> ordersIn(Collection<OrderRecordState> states) {
        if (states.isEmpty()) {
            return List.of();
        }
        return call("list orders in " + states, false, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + ORDER_COLUMNS + " FROM orders WHERE state IN ("
                    + placeholders(states.size()) + ") ORDER BY created_at, client_order_id")) {
                int i = 1;
                for (OrderRecordState s : states) {
                    ps.setString(i++, s.name());
                }
                List<OrderRecord> list = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        list.add(readOrder(rs));
                    }
                }
                return list;
            }
        });
    }

    /**
     * One statement: the rows are chosen and locked by the inner SELECT (on PostgreSQL skipping rows another
     * instance is claiming at this moment), then stamped with the claimant and the lease's end.
     */
    @Override
    public List<OrderRecord> claimOrders(Collection<OrderRecordState> states, String owner, Instant until, int limit) {
        if (states.isEmpty()) {
            return List.of();
        }
        String sql = "UPDATE orders SET claimed_by = ?, claimed_until = ? WHERE client_order_id IN ("
                + "SELECT client_order_id FROM orders WHERE state IN (" + placeholders(states.size()) + ") AND "
                + CLAIMABLE + " ORDER BY created_at, client_order_id LIMIT ?" + dialect.claimLock() + ") "
                + "RETURNING " + ORDER_COLUMNS;
        return call("claim orders in " + states, true, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = 1;
                ps.setString(i++, owner);
                ps.setString(i++, instant(until));
                for (OrderRecordState s : states) {
                    ps.setString(i++, s.name());
                }
                ps.setString(i++, instant(clock.instant()));
                ps.setString(i++, owner);
                ps.setInt(i, limit);
                List<OrderRecord> list = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        list.add(readOrder(rs));
                    }
                }
                list.sort(Comparator.comparing(OrderRecord::createdAt).thenComparing(o -> o.clientOrderId().value()));
                return list;
            }
        });
    }

    @Override
    public boolean claimTrade(String tradeKey, String owner, Instant until) {
        return call("claim trade " + tradeKey, true, c -> {
            try (PreparedStatement ps = c.prepareStatement(CLAIM_TRADE)) {
                ps.setString(1, owner);
                ps.setString(2, instant(until));
                ps.setString(3, tradeKey);
                ps.setString(4, instant(clock.instant()));
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public boolean claim(String name, String owner, Instant until) {
        return call("claim " + name, true, c -> {
            try (PreparedStatement ps = c.prepareStatement(CLAIM_NAME)) {
                ps.setString(1, name);
                ps.setString(2, owner);
                ps.setString(3, instant(until));
                ps.setString(4, instant(clock.instant()));
                return ps.executeUpdate() == 1;
            }
        });
    }

    private static OrderRecord readOrder(ResultSet rs) throws SQLException {
        ClientOrderId id = new ClientOrderId(rs.getString("client_order_id"));
        CopyIntent intent = new CopyIntent(id, readTrade(rs, "src_"), new InstrumentId(rs.getString("instrument")),
                Side.valueOf(rs.getString("side")), decimal(rs.getString("limit_price")),
                decimal(rs.getString("quantity")), decimal(rs.getString("notional")));
        String venueOrderId = rs.getString("venue_order_id");
        return new OrderRecord(id, rs.getString("trade_key"), intent, OrderRecordState.valueOf(rs.getString("state")),
                venueOrderId == null ? null : new VenueOrderId(venueOrderId), decimal(rs.getString("filled_quantity")),
                decimal(rs.getString("avg_fill_price")), instant(rs.getString("created_at")),
                instant(rs.getString("updated_at")));
    }

    // ---- dead letters ---------------------------------------------------------------------------------------

    /**
     * On SQLite, a letter of a trade that is not stored at that moment (checked in the same write) adds the trade's key
     * to {@link #lettersBeforeAdmission}, before the write commits: an admission run after it marks the letter. On
     * PostgreSQL such a letter, once committed, learns whether another engine's admission of the trade ran meanwhile
     * ({@link #markIfAdmittedMeanwhile}).
     */
    @Override
    public long addDeadLetter(DetectedTrade trade, Reason reason, String detail) {
        return call("add a dead letter for " + trade.key(), true, c -> {
            boolean storedBefore = stored(c, trade.key());
            if (lettersBeforeAdmission != null && !storedBefore) {
                lettersBeforeAdmission.add(trade.key());
            }
            long id = insertDeadLetter(c, trade, reason, detail);
            if (dialect == Dialect.POSTGRESQL && !storedBefore) {
                markIfAdmittedMeanwhile(c, trade, id);
            }
            return id;
        });
    }

    private long insertDeadLetter(Connection c, DetectedTrade trade, Reason reason, String detail)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(ADD_DEAD_LETTER)) {
            ps.setString(1, instant(clock.instant()));
            ps.setString(2, reason.name());
            setText(ps, 3, detail);
            bindTrade(ps, 4, trade);
            for (int attempt = 0; attempt < MAX_ID_ATTEMPTS; attempt++) {
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return rs.getLong(1);
                    }
                }
            }
            throw new SQLException("no free dead letter id after " + MAX_ID_ATTEMPTS + " attempts");
        }
    }

    /**
     * PostgreSQL, after a letter of a trade that was not stored has committed (auto-commit): marks it admitted if
     * another engine's admission of the trade ran meanwhile. That admission marks the trade's letters in its own
     * statement, but a statement sees the rows committed when it started: one that started before this letter
     * committed, and committed after this letter's write looked for the trade, saw neither, and the letter stayed
     * pending for a trade that went through the pipeline. So the trade's admission is tried here, in a transaction
     * always rolled back: an admission still running holds the trade's key, and this insert waits for its end (at most
     * {@link #LETTER_CHECK_LOCK_TIMEOUT}); a conflict then means the trade is stored, and the letter is marked with the
     * time of its admission. Any admission that starts after the letter committed sees it and marks it itself. An
     * insert that goes through means no engine stored the trade: rolled back, the letter stays pending.
     *
     * <p>The letter is written whatever this finds: a check that fails (the wait timed out, the connection dropped)
     * leaves it pending, as a letter whose trade nothing admitted, and a person looks at it.
     */
    private void markIfAdmittedMeanwhile(Connection c, DetectedTrade trade, long letterId) {
        try {
            c.setAutoCommit(false);
            try {
                boolean stored;
                try (Statement s = c.createStatement()) {
                    s.execute("SET LOCAL lock_timeout = '" + LETTER_CHECK_LOCK_TIMEOUT.toMillis() + "ms'");
                }
                try (PreparedStatement ps = c.prepareStatement(ADMIT)) {
                    bindAdmission(ps, trade, instant(clock.instant()));
                    stored = ps.executeUpdate() == 0;
                }
                c.rollback();
                if (stored) {
                    try (PreparedStatement ps = c.prepareStatement(MARK_LETTER_ADMITTED)) {
                        ps.setString(1, trade.key());
                        ps.setLong(2, letterId);
                        ps.executeUpdate();
                    }
                    c.commit();
                }
            } finally {
                if (!c.getAutoCommit()) {
                    c.rollback();
                    c.setAutoCommit(true);
                }
            }
        } catch (SQLException e) {
            String message = String.valueOf(e.getMessage());
            LOG.warn("Dead letter {} of trade {} stays pending: could not learn whether another engine admitted the "
                    + "trade as the letter was written (SQLState {}: {})", letterId, trade.key(), e.getSQLState(),
                    message.lines().findFirst().orElse(message));
        }
    }

    /** Whether the trade is stored, as the write on {@code c} sees it. */
    private static boolean stored(Connection c, String tradeKey) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(TRADE_STORED)) {
            ps.setString(1, tradeKey);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    @Override
    public List<DeadLetter> deadLetters() {
        return call("list dead letters", false, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + DEAD_LETTER_COLUMNS
                    + " FROM dead_letters ORDER BY id DESC");
                 ResultSet rs = ps.executeQuery()) {
                List<DeadLetter> list = new ArrayList<>();
                while (rs.next()) {
                    list.add(readDeadLetter(rs));
                }
                return list;
            }
        });
    }

    @Override
    public List<DeadLetter> deadLetters(DeadLetterFilter filter, long beforeId, int limit) {
        return call("list dead letters", false, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + DEAD_LETTER_COLUMNS + " FROM dead_letters "
                    + "WHERE id < ?" + where(filter) + " ORDER BY id DESC LIMIT ?")) {
                int i = bind(ps, filter, 1, beforeId);
                ps.setInt(i, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    List<DeadLetter> list = new ArrayList<>();
                    while (rs.next()) {
                        list.add(readDeadLetter(rs));
                    }
                    return list;
                }
            }
        });
    }

    @Override
    public long countDeadLetters(DeadLetterFilter filter) {
        return call("count dead letters", false, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM dead_letters WHERE id < ?"
                    + where(filter))) {
                bind(ps, filter, 1, Long.MAX_VALUE);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    /** The filter's conditions, each starting with AND. */
    private static String where(DeadLetterFilter filter) {
        return (filter.reason() == null ? "" : " AND reason = ?")
                + (filter.pending() ? " AND replayed_at IS NULL AND admitted_at IS NULL" : "");
    }

    /** Binds the id bound and the filter's reason from {@code first}; returns the next parameter's index. */
    private static int bind(PreparedStatement ps, DeadLetterFilter filter, int first, long beforeId)
            throws SQLException {
        int i = first;
        ps.setLong(i++, beforeId);
        if (filter.reason() != null) {
            ps.setString(i++, filter.reason().name());
        }
        return i;
    }

    @Override
    public DeadLetterCounts deadLetterCounts() {
        return call("count dead letters", false, c -> {
            try (PreparedStatement ps = c.prepareStatement(DEAD_LETTER_COUNTS);
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new DeadLetterCounts(rs.getLong(1), rs.getLong(2));
            }
        });
    }

    @Override
    public Optional<DeadLetter> deadLetter(long id) {
        return call("read dead letter " + id, false, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + DEAD_LETTER_COLUMNS
                    + " FROM dead_letters WHERE id = ?")) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(readDeadLetter(rs)) : Optional.empty();
                }
            }
        });
    }

    private static DeadLetter readDeadLetter(ResultSet rs) throws SQLException {
        return new DeadLetter(rs.getLong("id"), instant(rs.getString("created_at")),
                Reason.valueOf(rs.getString("reason")), rs.getString("detail"), readTrade(rs, ""),
                instant(rs.getString("replayed_at")), instant(rs.getString("admitted_at")));
    }

    @Override
    public boolean markReplayed(long id) {
        return call("mark dead letter " + id + " replayed", true, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE dead_letters SET replayed_at = ? WHERE id = ? AND replayed_at IS NULL "
                            + "AND admitted_at IS NULL")) {
                ps.setString(1, instant(clock.instant()));
                ps.setLong(2, id);
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public void close() {
        if (writer != null) {
            writer.close();
        }
        if (reads != null) {
            reads.clear();
        }
        if (onClose != null) {
            try {
                onClose.close();
            } catch (Exception e) {
                throw new StoreException("could not close the store", e);
            }
        }
    }

    // ---- plumbing ---------------------------------------------------------------------------------------------

    private long count(String sql) {
        return call("count trades", false, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    /**
     * Runs a write of several statements as one transaction: in a group commit (SQLite, where every write shares
     * its batch's transaction), or on a pooled connection of its own, committed once.
     */
    private <T> T transaction(String what, SqlWork<T> work) {
        if (writer != null) {
            return writer.write(what, work);
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
                throw e;
            }
            // the pool puts auto-commit back when the connection returns
        } catch (SQLException e) {
            throw new StoreException("could not " + what + ": " + e.getMessage(), e);
        }
    }

    /**
     * A write that need not be on disk before its call returns, because the next forced write covers it before
     * anything leaves the process on its account: on SQLite a group-commit write without an fsync of its own (see
     * {@link GroupCommitWriter}); elsewhere an ordinary write.
     *
     * <p>Ordered (orderedWrites): a polled page's admissions, the feed cursor, a trade's outcome, an aggregate's links,
     * and the venue's answer to an order with the trade's outcome. Forced: everything else, and above all the order's
     * intent ({@link #recordIntent}) and its signed form ({@link #recordSigned}), written before the order is sent.
     * After a power cut the store holds a prefix of its commits that includes every forced one: a trade whose
     * admission or cursor is lost is read again from the feed (nothing was sent for it, or its intent, written after
     * its admission, would have carried both to disk); an order whose answer is lost is in the outbox, and recovery
     * looks it up at the venue, as after a process killed between the answer and its write. Nothing is lost, nothing
     * is sent twice.
     */
    private <T> T ordered(String what, SqlWork<T> work) {
        if (writer != null) {
            return writer.write(what, work, false);
        }
        return call(what, true, work);
    }

    /** Runs one unit of work on a pooled connection, or, for a SQLite write, in a group commit. */
    private <T> T call(String what, boolean write, SqlWork<T> work) {
        if (write && writer != null) {
            return writer.write(what, work);
        }
        try (Connection c = dataSource.getConnection()) {
            return work.run(reads == null ? c : reads.lend(c));
        } catch (SQLException e) {
            throw new StoreException("could not " + what + ": " + e.getMessage(), e);
        }
    }
}
