-- Each member's applied mutations per UTC day, counted in the very batch that applies them against
-- the deployment's daily budget per member (MEMBER_DAILY_MUTATIONS, sent with each batch): a push
-- that would go over it aborts whole, having written nothing (429 QuotaExceeded). So no single
-- member, or a client of theirs gone wrong, can spend a free plan's 100,000 rows written a day.
CREATE TABLE member_usage (
  member_id TEXT NOT NULL,
  -- Days since the epoch, UTC.
  day INTEGER NOT NULL,
  mutations INTEGER NOT NULL,
  budget INTEGER NOT NULL,
  PRIMARY KEY (member_id, day),
  CONSTRAINT daily_budget CHECK (mutations <= budget)
) WITHOUT ROWID;
