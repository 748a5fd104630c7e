-- Several engines on one store (PostgreSQL): which instance looks after an order, or a trade it must resolve
-- outside the queue (a replay, a trade left behind by a dead instance), and until when. A claim is a lease: its
-- holder renews it on every pass; when the holder dies the lease runs out and another instance takes over.
-- Claims are taken with UPDATE ... WHERE <unclaimed or expired>, on PostgreSQL over SELECT ... FOR UPDATE SKIP LOCKED,
-- so two instances never hold the same row at once. Versioned after the issue that added it, apart from V2, V3 ...
ALTER TABLE orders ADD COLUMN claimed_by TEXT;
ALTER TABLE orders ADD COLUMN claimed_until TEXT;
ALTER TABLE trades ADD COLUMN claimed_by TEXT;
ALTER TABLE trades ADD COLUMN claimed_until TEXT;
-- Named pieces of work held by one instance at a time (a target trader's detection: "detect:<trader>").
CREATE TABLE instance_claims (
    name          TEXT NOT NULL PRIMARY KEY,
    claimed_by    TEXT NOT NULL,
    claimed_until TEXT NOT NULL
);
