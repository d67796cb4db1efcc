//! `tracker export --format json|csv [-o FILE]`: the whole workspace from the local replica (pulled
//! first unless `--offline`), in the format `shared::export` defines.

use std::path::Path;

use shared::export::{Export, Member, Workspace as ExportWorkspace};

use crate::args::ExportFormat;
use crate::commands::refresh;
use crate::error::{Result, io};
use crate::sync::now;
use crate::workspace::Workspace;

pub fn export(
    ws: &mut Workspace,
    format: ExportFormat,
    output: Option<&Path>,
    offline: bool,
) -> Result<()> {
    refresh(ws, offline)?;
    let export = build(ws)?;
    let text = match format {
        ExportFormat::Json => export.to_json(),
        ExportFormat::Csv => export.to_csv(),
    };
    match output {
        Some(path) => {
            std::fs::write(path, &text).map_err(|err| io(path, err))?;
            eprintln!(
                "{} issues written to {}",
                export.issues.len(),
                path.display()
            );
        }
        None => crate::output::write_out(&text),
    }
    Ok(())
}

pub fn build(ws: &Workspace) -> Result<Export> {
    let members = ws
        .members
        .members
        .iter()
        .map(|m| Member {
            id: m.id,
            name: m.name.clone(),
        })
        .chain(ws.members.former.iter().map(|m| Member {
            id: m.id,
            name: m.name.clone(),
        }))
        .collect();
    let workspace = ws.info().map(|info| ExportWorkspace {
        id: info.id,
        name: info.name.clone(),
        issue_key: Some(info.key().as_str().to_owned()),
    });
    Ok(Export::from_replica(
        &ws.replica,
        workspace,
        members,
        now(),
    )?)
}
