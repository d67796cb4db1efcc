//! Each replica database's migrations, in the order they apply: the shared schema's files (the same
//! ones D1 gets, from `migrations/`) and the replica's own tables (`replica/migrations/`), in the
//! order they were added. The one runner, [`crate::sqlite::migrate_with`], records how many have
//! applied in `PRAGMA user_version`, so a replica written by an older build upgrades in place when it
//! opens, its pending queue included. A new shared migration is appended to both lists; a test checks
//! that none is missing or out of order.

use crate::schema::{MIGRATIONS, Migration};

/// The base database: the shared schema and base's own row.
pub const BASE: &[Migration] = &[
    MIGRATIONS[0],
    (
        "replica/base/0001_replica_base.sql",
        include_str!("migrations/base/0001_replica_base.sql"),
    ),
    MIGRATIONS[1],
    (
        "replica/base/0002_workspace.sql",
        include_str!("migrations/base/0002_workspace.sql"),
    ),
    MIGRATIONS[2],
    MIGRATIONS[3],
    (
        "replica/base/0003_snapshot.sql",
        include_str!("migrations/base/0003_snapshot.sql"),
    ),
    MIGRATIONS[4],
    (
        "replica/base/0004_snapshot_v2.sql",
        include_str!("migrations/base/0004_snapshot_v2.sql"),
    ),
    MIGRATIONS[5],
    MIGRATIONS[6],
    MIGRATIONS[7],
    (
        "replica/base/0005_snapshot_v3.sql",
        include_str!("migrations/base/0005_snapshot_v3.sql"),
    ),
    MIGRATIONS[8],
    MIGRATIONS[9],
    (
        "replica/base/0006_snapshot_v4.sql",
        include_str!("migrations/base/0006_snapshot_v4.sql"),
    ),
    MIGRATIONS[10],
    MIGRATIONS[11],
];

/// The optimistic database: the shared schema, the pending queue and the rebase's record.
pub const OPTIMISTIC: &[Migration] = &[
    MIGRATIONS[0],
    (
        "replica/optimistic/0001_pending.sql",
        include_str!("migrations/optimistic/0001_pending.sql"),
    ),
    MIGRATIONS[1],
    MIGRATIONS[2],
    MIGRATIONS[3],
    MIGRATIONS[4],
    (
        "replica/optimistic/0002_list.sql",
        include_str!("migrations/optimistic/0002_list.sql"),
    ),
    (
        "replica/optimistic/0003_list_writes.sql",
        include_str!("migrations/optimistic/0003_list_writes.sql"),
    ),
    (
        "replica/optimistic/0004_status_counts.sql",
        include_str!("migrations/optimistic/0004_status_counts.sql"),
    ),
    MIGRATIONS[5],
    MIGRATIONS[6],
    MIGRATIONS[7],
    (
        "replica/optimistic/0005_trash_counts.sql",
        include_str!("migrations/optimistic/0005_trash_counts.sql"),
    ),
    MIGRATIONS[8],
    MIGRATIONS[9],
    MIGRATIONS[10],
    MIGRATIONS[11],
];
