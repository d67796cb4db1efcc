//! `ToEngine::Export`: the whole workspace, from this replica (`shared::export`), answered with the
//! file's text. No request to the server: what this device holds, pending changes included.

use shared::api::{MemberInfo, WorkspaceInfo};
use shared::export::{Export, Member, Workspace};
use shared::replica::Replica;

use crate::messages::{ExportFormat, FromEngine};

pub fn export(
    replica: &Replica,
    format: ExportFormat,
    workspace: Option<WorkspaceInfo>,
    members: Vec<MemberInfo>,
    now: u64,
) -> FromEngine {
    let workspace = workspace.map(|info| Workspace {
        id: info.id,
        issue_key: Some(info.key().as_str().to_owned()),
        name: info.name,
    });
    let members = members
        .into_iter()
        .map(|member| Member {
            id: member.id,
            name: member.name,
        })
        .collect();
    let result = Export::from_replica(replica, workspace, members, now)
        .map(|export| match format {
            ExportFormat::Json => export.to_json(),
            ExportFormat::Csv => export.to_csv(),
        })
        .map_err(|err| err.to_string());
    FromEngine::Exported { format, result }
}
