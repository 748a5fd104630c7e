-- The signed order as it was posted (Polymarket: the order object of POST /order, signature included; never the
-- API credentials), written with its hash before the first send. A resend posts exactly these bytes, so it can only
-- ever be the same order; a new signature is made only after the venue confirms the earlier hash absent.
ALTER TABLE orders ADD COLUMN signed_order TEXT;
