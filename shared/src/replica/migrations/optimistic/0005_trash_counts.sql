-- The status counts leave the trash out (schema version 3): an issue counts while `deleted_at` is NULL,
-- so going to the trash and coming back move it out of and into its status's count.
DROP TRIGGER issue_status_count_insert;
DROP TRIGGER issue_status_count_delete;
DROP TRIGGER issue_status_count_update;
DELETE FROM issue_status_count;
INSERT INTO issue_status_count (status, n)
  SELECT status, COUNT(*) FROM issue WHERE deleted_at IS NULL GROUP BY status;
CREATE TRIGGER issue_status_count_insert AFTER INSERT ON issue WHEN NEW.deleted_at IS NULL BEGIN
  INSERT INTO issue_status_count (status, n) VALUES (NEW.status, 1)
    ON CONFLICT (status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER issue_status_count_delete AFTER DELETE ON issue WHEN OLD.deleted_at IS NULL BEGIN
  UPDATE issue_status_count SET n = n - 1 WHERE status = OLD.status;
END;
CREATE TRIGGER issue_status_count_update AFTER UPDATE OF status, deleted_at ON issue
  WHEN OLD.status IS NOT NEW.status OR (OLD.deleted_at IS NULL) IS NOT (NEW.deleted_at IS NULL) BEGIN
  UPDATE issue_status_count SET n = n - 1 WHERE status = OLD.status AND OLD.deleted_at IS NULL;
  INSERT INTO issue_status_count (status, n) SELECT NEW.status, 1 WHERE NEW.deleted_at IS NULL
    ON CONFLICT (status) DO UPDATE SET n = n + 1;
END;
