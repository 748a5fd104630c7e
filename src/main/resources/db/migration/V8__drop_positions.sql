-- The positions table was never written by the engine: our holdings are the venue's positions, read and reconciled
-- in memory (Portfolio, OrderMonitor.refreshBook), and what we copied is in orders. An empty table that looked like
-- the engine's book misled anyone reading the store (docs/store.md).
DROP TABLE positions;
