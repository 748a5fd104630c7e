-- Where an admitted trade was detected when not the venue's own feed (e.g. 'chain' for OrderFilled logs); NULL:
-- the venue's feed (paper, or the Polymarket Data API). reorged_at: a chain reorg removed the target's fill after
-- our order for it was sent (the order stands; our position follows our own fills).
ALTER TABLE trades ADD COLUMN source TEXT;
ALTER TABLE trades ADD COLUMN reorged_at TEXT;
