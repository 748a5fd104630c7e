-- The fills of one target transaction, instrument and side as each detection source admitted them (docs/store.md):
-- with two sources (the chain and the Data API), a fill is admitted once whichever source saw it first, even when the
-- two rows of it do not agree to the last digit. Only trades with a recorded source are in it, so a feed without a
-- second source (the paper venue, the Data API alone) writes no more index than before.
CREATE INDEX trades_source_group ON trades (source_order, instrument, side) WHERE source IS NOT NULL;
