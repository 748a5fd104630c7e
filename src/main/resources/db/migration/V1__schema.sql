-- CopyTrader store, version 1. Portable SQL: the same file runs on SQLite (3.35+) and PostgreSQL (11+).
-- Conventions, so every value comes back exactly as it went in:
--   * money, prices and quantities are TEXT holding BigDecimal's plain string ("0.123400"), never REAL or
--     DECIMAL: SQLite would turn a DECIMAL column into a binary float;
--   * instants are TEXT in UTC with nine fraction digits ("2026-11-02T10:15:30.123456789Z"), which keeps
--     nanoseconds and sorts in time order as text;
--   * enums are TEXT holding the Java constant's name;
--   * a DetectedTrade is the same ten columns wherever it is kept (trades, orders as src_*, dead_letters).

-- Where each target trader's feed was read up to.
CREATE TABLE feed_cursors (
    trader       TEXT NOT NULL PRIMARY KEY,
    cursor_value TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);

-- Every trade admitted past dedup; outcome NULL while in flight. The primary key is the dedup.
CREATE TABLE trades (
    trade_key          TEXT   NOT NULL PRIMARY KEY,
    seq                BIGINT NOT NULL,
    source_trade_id    TEXT   NOT NULL,
    trader             TEXT   NOT NULL,
    instrument         TEXT   NOT NULL,
    instrument_outcome TEXT,
    side               TEXT   NOT NULL,
    price              TEXT   NOT NULL,
    quantity           TEXT   NOT NULL,
    notional           TEXT   NOT NULL,
    ts_event           TEXT   NOT NULL,
    ts_init            TEXT   NOT NULL,
    outcome            TEXT,
    reason             TEXT,
    detail             TEXT,
    detected_at        TEXT   NOT NULL,
    finished_at        TEXT
);
CREATE INDEX trades_seq ON trades (seq);
CREATE INDEX trades_in_flight ON trades (seq) WHERE outcome IS NULL;
CREATE INDEX trades_outcome ON trades (outcome);

-- The outbox: an order's intent is written (SUBMITTING) before the request leaves.
CREATE TABLE orders (
    client_order_id        TEXT NOT NULL PRIMARY KEY,
    trade_key              TEXT NOT NULL,
    instrument             TEXT NOT NULL,
    side                   TEXT NOT NULL,
    limit_price            TEXT NOT NULL,
    quantity               TEXT NOT NULL,
    notional               TEXT NOT NULL,
    src_source_trade_id    TEXT NOT NULL,
    src_trader             TEXT NOT NULL,
    src_instrument         TEXT NOT NULL,
    src_instrument_outcome TEXT,
    src_side               TEXT NOT NULL,
    src_price              TEXT NOT NULL,
    src_quantity           TEXT NOT NULL,
    src_notional           TEXT NOT NULL,
    src_ts_event           TEXT NOT NULL,
    src_ts_init            TEXT NOT NULL,
    state                  TEXT NOT NULL,
    venue_order_id         TEXT,
    filled_quantity        TEXT NOT NULL,
    avg_fill_price         TEXT,
    created_at             TEXT NOT NULL,
    updated_at             TEXT NOT NULL
);
CREATE INDEX orders_state ON orders (state, created_at);

-- Our holdings, one row per instrument.
CREATE TABLE positions (
    instrument TEXT NOT NULL PRIMARY KEY,
    quantity   TEXT NOT NULL,
    avg_price  TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Trades that failed, kept with the trade as it came in so a person can list and replay them.
CREATE TABLE dead_letters (
    id                 BIGINT NOT NULL PRIMARY KEY,
    created_at         TEXT   NOT NULL,
    reason             TEXT   NOT NULL,
    detail             TEXT,
    source_trade_id    TEXT   NOT NULL,
    trader             TEXT   NOT NULL,
    instrument         TEXT   NOT NULL,
    instrument_outcome TEXT,
    side               TEXT   NOT NULL,
    price              TEXT   NOT NULL,
    quantity           TEXT   NOT NULL,
    notional           TEXT   NOT NULL,
    ts_event           TEXT   NOT NULL,
    ts_init            TEXT   NOT NULL,
    replayed_at        TEXT
);
