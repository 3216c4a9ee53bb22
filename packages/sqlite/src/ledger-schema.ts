/**
 * Tables of the SQLite ledger, created when missing. Spends keep their full JSON (bigints as
 * strings); charges index which lines a spend counts on, so a reservation reads only the spends
 * of the lines it checks. Holds judge expiry by the caller's clock.
 * @internal
 */
export const ledgerSchema = `
CREATE TABLE IF NOT EXISTS tollgate_ledger_records (
  sequence INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL,
  json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tollgate_ledger_spends (
  sequence INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL,
  reserved_at INTEGER NOT NULL,
  settled_at INTEGER,
  json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tollgate_ledger_charges (
  line TEXT NOT NULL,
  spend_id TEXT NOT NULL,
  PRIMARY KEY (line, spend_id)
);
CREATE TABLE IF NOT EXISTS tollgate_ledger_holds (
  id TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  until INTEGER NOT NULL
);
`
