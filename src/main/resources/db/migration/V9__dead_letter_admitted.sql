-- A dead letter written while its trade was in no table (a feed trade the store refused to admit, too old to hold
-- its trader's cursor) whose trade a later poll admitted after all: the admission marks it, in the same write, with the
-- time it was admitted (docs/failure-semantics.md). Such a letter is kept and listed, but no longer waits for a
-- person: the trade went through the pipeline from its admission, and the letter is not a failure of it. Letters
-- written before this migration keep NULL.
ALTER TABLE dead_letters ADD COLUMN admitted_at TEXT;
-- The letters an admission marks, found through this index at every admitted trade rather than by a scan of every
-- letter; a letter leaves it once marked.
CREATE INDEX dead_letters_before_admission ON dead_letters (trader, source_trade_id) WHERE admitted_at IS NULL;
