//! An export (`tracker export --format json`, or the web app's), into this workspace: every issue
//! with its fields, labels (and their colours), comments, priority, assignee (a member of the same
//! name here), and the trash. Ids are new (derived from the export's, so a second run changes
//! nothing); times are kept. History is not replayed: the new workspace's history starts with the
//! import.

use std::collections::HashMap;

use shared::export::Export;
use uuid::Uuid;

use super::{Incoming, IncomingComment};
use crate::error::Result;

pub fn read(text: &str) -> Result<Vec<Incoming>> {
    let export = Export::parse(text)?;
    let names: HashMap<Uuid, &str> = export
        .members
        .iter()
        .map(|member| (member.id, member.name.as_str()))
        .collect();
    let name = |id: Uuid| names.get(&id).copied().unwrap_or("someone").to_owned();
    let colors: HashMap<String, &str> = export
        .labels
        .iter()
        .map(|label| (label.name.to_lowercase(), label.color.as_str()))
        .collect();
    Ok(export
        .issues
        .iter()
        .map(|issue| Incoming {
            source_id: format!("export:{}", issue.id),
            title: issue.title.clone(),
            description: issue.description.clone(),
            owner: issue.owner.clone(),
            status: issue.status,
            priority: issue.priority,
            labels: issue
                .labels
                .iter()
                .map(|label| {
                    let color = colors.get(&label.to_lowercase()).map(|c| (*c).to_owned());
                    (label.clone(), color)
                })
                .collect(),
            assignees: issue.assignee.map(name).into_iter().collect(),
            created_at: issue.created_at,
            updated_at: issue.updated_at,
            deleted_at: issue.deleted_at,
            comments: issue
                .comments
                .iter()
                .map(|comment| IncomingComment {
                    source_id: format!("export-comment:{}", comment.id),
                    author: name(comment.author),
                    body: comment.body.clone(),
                    created_at: comment.created_at,
                })
                .collect(),
        })
        .collect())
}
