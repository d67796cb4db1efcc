-- The workspace this replica is of. NULL in a replica written before workspaces: the first workspace
-- to open it claims it and its rows (see shared/src/replica/meta.rs).
ALTER TABLE replica_base ADD COLUMN workspace_id TEXT;
