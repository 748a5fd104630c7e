-- The schema of a new SQLite store, as Flyway leaves it after the migrations in db/migration: the
-- history it stands for, then the statement of each table and index in the order Flyway made
-- them. NewSqliteStore runs them on an empty database; NewSqliteStoreTest keeps this file equal
-- to what Flyway makes (when a migration is added, it writes the new file to target/).
-- history: 1 -359793658 V1__schema.sql schema
-- history: 2 883872159 V2__trade_source.sql trade source
-- history: 3 -1607373685 V3__instance_claims.sql instance claims
-- history: 4 -1073885942 V4__signed_orders.sql signed orders
-- history: 5 -1476977744 V5__fill_aggregation.sql fill aggregation
-- history: 6 1056930575 V6__history_indexes.sql history indexes
-- history: 7 -1876844217 V7__fill_group_index.sql fill group index
-- history: 8 1120426295 V8__drop_positions.sql drop positions
-- history: 9 1070293633 V9__dead_letter_admitted.sql dead letter admitted

CREATE TABLE "flyway_schema_history" (
    "installed_rank" INT NOT NULL PRIMARY KEY,
    "version" VARCHAR(50),
    "description" VARCHAR(200) NOT NULL,
    "type" VARCHAR(20) NOT NULL,
    "script" VARCHAR(1000) NOT NULL,
    "checksum" INT,
    "installed_by" VARCHAR(100) NOT NULL,
    "installed_on" TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f','now')),
    "execution_time" INT NOT NULL,
    "success" BOOLEAN NOT NULL
)
;

CREATE INDEX "flyway_schema_history_s_idx" ON "flyway_schema_history" ("success")
;

CREATE TABLE feed_cursors (
    trader       TEXT NOT NULL PRIMARY KEY,
    cursor_value TEXT NOT NULL,
    updated_at   TEXT NOT NULL
)
;

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
, source TEXT, reorged_at TEXT, claimed_by TEXT, claimed_until TEXT, source_order TEXT, aggregate_of TEXT)
;

CREATE INDEX trades_seq ON trades (seq)
;

CREATE INDEX trades_in_flight ON trades (seq) WHERE outcome IS NULL
;

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
, claimed_by TEXT, claimed_until TEXT, signed_order TEXT, src_source_order TEXT)
;

CREATE INDEX orders_state ON orders (state, created_at)
;

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
, source_order TEXT, admitted_at TEXT)
;

CREATE TABLE instance_claims (
    name          TEXT NOT NULL PRIMARY KEY,
    claimed_by    TEXT NOT NULL,
    claimed_until TEXT NOT NULL
)
;

CREATE INDEX trades_aggregate_of ON trades (aggregate_of) WHERE aggregate_of IS NOT NULL
;

CREATE INDEX trades_outcome ON trades (outcome, reason)
;

CREATE INDEX dead_letters_replayed ON dead_letters (trader, source_trade_id) WHERE replayed_at IS NOT NULL
;

CREATE INDEX trades_source_group ON trades (source_order, instrument, side) WHERE source IS NOT NULL
;

CREATE INDEX dead_letters_before_admission ON dead_letters (trader, source_trade_id) WHERE admitted_at IS NULL
;
