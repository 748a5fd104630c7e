-- A long-running engine's store, for measuring what its history costs (README, "Results (2026-12-05, session 26)";
-- LongHistoryTest keeps it valid for the schema). Empties the store, then writes :N ended trades of a trader `hist`,
-- none of them followed by the engine: 80 % copied with a filled order (one order per aggregate), 15 % skipped,
-- 5 % failed with a dead letter (half of those replayed); every fifth trade a fill joined to the one before it.
-- On a SQLite store that the engine has created (its schema current):
--   sqlite3 data/copytrader.db -cmd '.parameter set :N 1000000' '.read src/test/resources/store/long-history.sql'
-- or on a PostgreSQL one (then VACUUM ANALYZE, as autovacuum would after such a bulk of writes):
--   psql -v ON_ERROR_STOP=1 -v N=1000000 -f src/test/resources/store/long-history.sql <database>
DELETE FROM trades;
DELETE FROM orders;
DELETE FROM feed_cursors;
DELETE FROM dead_letters;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :N)
INSERT INTO trades (trade_key, seq, source_trade_id, trader, instrument, instrument_outcome, side, price, quantity,
    notional, ts_event, ts_init, outcome, reason, detail, detected_at, finished_at, source, source_order, aggregate_of)
SELECT 'hist:h-' || i, i, 'h-' || i, 'hist', 'tok-' || (i % 20), 'YES', CASE WHEN i % 3 = 0 THEN 'SELL' ELSE 'BUY' END,
    '0.5', '10', '5.000000', '2026-06-01T00:00:00.000000000Z', '2026-06-01T00:00:00.100000000Z',
    CASE WHEN i % 20 = 0 THEN 'FAILED' WHEN i % 20 < 4 THEN 'SKIPPED' ELSE 'COPIED' END,
    CASE WHEN i % 20 = 0 THEN 'EXCHANGE_INSUFFICIENT_BALANCE' WHEN i % 20 < 4 THEN 'SIZING_TOO_SMALL' END,
    NULL, '2026-06-01T00:00:00.100000000Z', '2026-06-01T00:00:00.200000000Z', NULL, 'ho-' || (i / 5),
    CASE WHEN i % 5 = 4 THEN 'hist:h-' || (i - 1) END
FROM n;
INSERT INTO orders (client_order_id, trade_key, instrument, side, limit_price, quantity, notional, src_source_trade_id,
    src_trader, src_instrument, src_instrument_outcome, src_side, src_price, src_quantity, src_notional, src_ts_event,
    src_ts_init, state, venue_order_id, filled_quantity, avg_fill_price, created_at, updated_at, src_source_order)
SELECT 'ct-h' || seq, trade_key, instrument, side, '0.51', '10', '5.100000', source_trade_id, trader, instrument, 'YES',
    side, price, quantity, notional, ts_event, ts_init, 'FILLED', 'P-h' || seq, '10', '0.5', detected_at, finished_at,
    source_order
FROM trades WHERE outcome = 'COPIED' AND aggregate_of IS NULL;
INSERT INTO dead_letters (id, created_at, reason, detail, source_trade_id, trader, instrument, instrument_outcome, side,
    price, quantity, notional, ts_event, ts_init, replayed_at, source_order)
SELECT seq, finished_at, reason, 'insufficient balance', source_trade_id, trader, instrument, instrument_outcome, side,
    price, quantity, notional, ts_event, ts_init, CASE WHEN seq % 40 = 0 THEN finished_at END, source_order
FROM trades WHERE outcome = 'FAILED';
