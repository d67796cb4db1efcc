//! The sync inspector's journal: the last [`INSPECTED_EVENTS`] things the sync loop did (pushes,
//! pulls, pokes, rebases, rejections, the socket opening and closing), with their sizes and
//! durations.

use std::collections::VecDeque;

use shared::replica::{Answer, SyncFailure};

use super::now;
use super::transport::Traffic;
use crate::messages::{INSPECTED_EVENTS, SyncEvent, SyncEventKind};

#[derive(Default)]
pub(super) struct Journal {
    events: VecDeque<SyncEvent>,
}

impl Journal {
    pub fn events(&self) -> Vec<SyncEvent> {
        self.events.iter().cloned().collect()
    }

    pub fn note(
        &mut self,
        kind: SyncEventKind,
        summary: String,
        traffic: Option<&Traffic>,
        duration_ms: Option<f64>,
    ) {
        if self.events.len() == INSPECTED_EVENTS {
            self.events.pop_front();
        }
        self.events.push_back(SyncEvent {
            at: now(),
            kind,
            summary,
            sent_bytes: traffic.map(|t| t.sent_bytes),
            received_bytes: traffic.map(|t| t.received_bytes),
            duration_ms: duration_ms.or(traffic.map(|t| t.duration_ms)),
        });
    }

    /// A push's or pull's answer, as it came back.
    pub fn answered(&mut self, answer: &Answer, traffic: &Traffic) {
        let (kind, summary) = match answer {
            Answer::Pushed(_, Ok(response)) => (
                SyncEventKind::Push,
                format!(
                    "{} sent; processed up to {}{}",
                    plural(traffic.items, "mutation"),
                    response.last_mutation_id,
                    if response.rejected.is_empty() {
                        String::new()
                    } else {
                        format!(", {} rejected", response.rejected.len())
                    }
                ),
            ),
            Answer::Pulled(_, Ok(response)) => {
                let more = if response.has_more {
                    ", more to come"
                } else {
                    ""
                };
                match &response.snapshot {
                    Some(page) => (
                        SyncEventKind::Pull,
                        format!(
                            "snapshot{}: {} at cookie {}{more}",
                            if page.reset { " (reset)" } else { "" },
                            plural(page.issues.len(), "row"),
                            response.cookie,
                        ),
                    ),
                    None => (
                        SyncEventKind::Pull,
                        format!(
                            "{} up to cookie {}{more}",
                            plural(response.mutations.len(), "entry"),
                            response.cookie,
                        ),
                    ),
                }
            }
            Answer::Pushed(_, Err(failure)) => (SyncEventKind::Push, failed(failure)),
            Answer::Pulled(_, Err(failure)) => (SyncEventKind::Pull, failed(failure)),
        };
        self.note(kind, summary, Some(traffic), None);
    }
}

fn failed(failure: &SyncFailure) -> String {
    match failure {
        SyncFailure::Network(reason) => format!("failed: no answer ({reason})"),
        SyncFailure::Server {
            status,
            error: Some(body),
            ..
        } => format!("refused: HTTP {status} {:?}: {}", body.error, body.message),
        SyncFailure::Server { status, .. } => format!("refused: HTTP {status}"),
        SyncFailure::Unreadable(reason) => format!("failed: unreadable answer ({reason})"),
    }
}

pub(super) fn plural(n: usize, what: &str) -> String {
    match (n, what) {
        (1, _) => format!("1 {what}"),
        (_, "entry") => format!("{n} entries"),
        _ => format!("{n} {what}s"),
    }
}
