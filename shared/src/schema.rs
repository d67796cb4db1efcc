//! The schema: the files in `migrations/`, embedded in order. D1 gets them from wrangler; native tests
//! and the browser replica apply them from here, so the schema is written exactly once.

/// A migration: its file name and its SQL.
pub type Migration = (&'static str, &'static str);

/// Every migration, in the order they apply.
pub const MIGRATIONS: &[Migration] = &[
    (
        "0001_init.sql",
        include_str!("../../migrations/0001_init.sql"),
    ),
    (
        "0002_workspaces.sql",
        include_str!("../../migrations/0002_workspaces.sql"),
    ),
    (
        "0003_member_usage.sql",
        include_str!("../../migrations/0003_member_usage.sql"),
    ),
    (
        "0004_compaction.sql",
        include_str!("../../migrations/0004_compaction.sql"),
    ),
    (
        "0005_schema_v2.sql",
        include_str!("../../migrations/0005_schema_v2.sql"),
    ),
    (
        "0006_hardening.sql",
        include_str!("../../migrations/0006_hardening.sql"),
    ),
    (
        "0007_live_presence.sql",
        include_str!("../../migrations/0007_live_presence.sql"),
    ),
    (
        "0008_numbers_history_trash.sql",
        include_str!("../../migrations/0008_numbers_history_trash.sql"),
    ),
    (
        "0009_accounts.sql",
        include_str!("../../migrations/0009_accounts.sql"),
    ),
    (
        "0010_conversation.sql",
        include_str!("../../migrations/0010_conversation.sql"),
    ),
    (
        "0011_budget_grants.sql",
        include_str!("../../migrations/0011_budget_grants.sql"),
    ),
    (
        "0012_rejections.sql",
        include_str!("../../migrations/0012_rejections.sql"),
    ),
];

/// The schema version a database reaches once every migration has been applied.
pub fn latest_version() -> usize {
    MIGRATIONS.len()
}
