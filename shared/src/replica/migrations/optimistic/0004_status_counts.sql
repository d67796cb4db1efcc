-- Issues by status, kept as optimistic's issues change, so that the list's counts are three rows read
-- rather than a scan of every issue: the first window of a cold start read every row of a 100,000-issue
-- replica from OPFS for them. A trigger per kind of write; the rebase and rebuild write issues through
-- plain INSERT, UPDATE and DELETE, so every path that changes an issue passes here.
CREATE TABLE issue_status_count (
  status TEXT PRIMARY KEY,
  n INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO issue_status_count (status, n) SELECT status, COUNT(*) FROM issue GROUP BY status;
CREATE TRIGGER issue_status_count_insert AFTER INSERT ON issue BEGIN
  INSERT INTO issue_status_count (status, n) VALUES (NEW.status, 1)
    ON CONFLICT (status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER issue_status_count_delete AFTER DELETE ON issue BEGIN
  UPDATE issue_status_count SET n = n - 1 WHERE status = OLD.status;
END;
CREATE TRIGGER issue_status_count_update AFTER UPDATE OF status ON issue
  WHEN OLD.status IS NOT NEW.status BEGIN
  UPDATE issue_status_count SET n = n - 1 WHERE status = OLD.status;
  INSERT INTO issue_status_count (status, n) VALUES (NEW.status, 1)
    ON CONFLICT (status) DO UPDATE SET n = n + 1;
END;
