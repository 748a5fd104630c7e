-- Indexes for what the engine reads of a long history, at each start and while it runs (docs/store.md).
-- The counts of ended trades by outcome and reason, which a starting engine reads so that its metrics continue from
-- the store's, come from this index alone once it holds the reason: over 1,000,000 ended trades about 70 ms instead
-- of 570 (SQLite, a 2-vCPU VM), where every row's reason was read from the table. It serves every lookup the index on
-- the outcome alone served, and a trade's outcome and reason are written together, so a write touches no more index.
DROP INDEX trades_outcome;
CREATE INDEX trades_outcome ON trades (outcome, reason);
-- The replay marks of the trades in flight, which the monitor asks for at every pass: found per trade in flight
-- through the letters that were replayed, instead of a scan of every dead letter (50,000: about 6 ms a pass).
CREATE INDEX dead_letters_replayed ON dead_letters (trader, source_trade_id) WHERE replayed_at IS NOT NULL;
