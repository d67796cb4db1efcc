-- The list's orders, one index each, so a window of the list is read by keyset anywhere in it
-- (shared/src/replica/window.rs): newest first, most recently changed first, most urgent then newest.
-- The priority's rank is a virtual column (computed when read, not stored), so that the window's key
-- is a row value of plain columns, which SQLite searches an index by. Status counts read the status
-- index. Only the replica has these: the server never reads a list in these orders.
ALTER TABLE issue ADD COLUMN priority_rank INTEGER GENERATED ALWAYS AS
  (CASE priority WHEN 'urgent' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END)
  VIRTUAL;
CREATE INDEX issue_list_created ON issue (created_at, id);
CREATE INDEX issue_list_updated ON issue (updated_at, id);
CREATE INDEX issue_list_priority ON issue (priority_rank, created_at, id);
CREATE INDEX issue_list_status ON issue (status);
