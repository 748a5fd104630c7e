-- Fill aggregation (docs/aggregation.md). source_order: the target's order (or transaction) a fill belongs to, NULL
-- when the venue does not say; kept wherever a DetectedTrade is kept (trades, orders as src_*, dead_letters).
-- aggregate_of: for a fill copied as part of another fill's order (one target order filled in pieces), the trade key
-- of the aggregate's first fill, whose order and outcome it shares; NULL for a fill copied on its own or leading.
ALTER TABLE trades ADD COLUMN source_order TEXT;
ALTER TABLE trades ADD COLUMN aggregate_of TEXT;
ALTER TABLE orders ADD COLUMN src_source_order TEXT;
ALTER TABLE dead_letters ADD COLUMN source_order TEXT;
CREATE INDEX trades_aggregate_of ON trades (aggregate_of) WHERE aggregate_of IS NOT NULL;
