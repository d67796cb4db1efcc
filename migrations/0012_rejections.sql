-- A rejected mutation's reason, kept for its client. The push's answer that said it may never
-- arrive (the batch committed, the answer was lost), and when the client next hears of that
-- mutation through a snapshot (compaction passed its cookie meanwhile), there are no log entries to
-- tell the rejected from the applied: each snapshot page carries the client's newest rejections.
-- At most the last 100 mutation ids of a client are kept (the push that writes one trims the rest),
-- and none of a client compaction forgot.
CREATE TABLE rejection (
  client_id TEXT NOT NULL,
  mutation_id INTEGER NOT NULL,
  error TEXT NOT NULL,
  message TEXT NOT NULL,
  PRIMARY KEY (client_id, mutation_id)
) WITHOUT ROWID;

CREATE TRIGGER rejection_client_forgotten AFTER DELETE ON client BEGIN
  DELETE FROM rejection WHERE client_id = OLD.id;
END;
