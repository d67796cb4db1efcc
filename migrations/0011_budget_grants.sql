-- What a workspace's owner gave a member beyond the deployment's daily budget, for one UTC day (a
-- large import): `budget` is MEMBER_DAILY_MUTATIONS plus `granted` from then on, as each push's batch
-- writes it (`shared::server::count_usage`). Set by `POST /api/workspaces/{id}/members/budget`.
ALTER TABLE member_usage ADD COLUMN granted INTEGER NOT NULL DEFAULT 0;
