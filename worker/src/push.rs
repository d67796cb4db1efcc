//! `POST /api/workspaces/{id}/push`: process a client's mutations in order, as the caller. Each
//! mutation's effects, log entry and `lastMutationId` always commit together, in a batch whose guard
//! also checks that the caller is a member and the client theirs; all of a push's go in one D1 batch
//! when they can.

use shared::protocol::{PushMutation, PushResponse, RejectedMutation, parse_push};
use shared::server::{applied_batch, count_usage, rejected_batch};
use shared::{Actor, Mutation, MutationError};
use uuid::Uuid;
use worker::{D1Database, Env, Request, Response};

use crate::d1::{self, BatchError};
use crate::{body, error::ApiError};

/// D1 calls one push may make: the free plan allows 50 per invocation; a few stay spare.
const MAX_D1_CALLS: u32 = 45;
/// The most one mutation costs on the careful path: its batch, then recording its rejection.
const CALLS_PER_MUTATION: u32 = 2;

/// The day's budget of processed mutations per member (applied or rejected: a rejection writes its
/// client's row too), as of this request.
#[derive(Clone, Copy)]
struct Budget {
    now: u64,
    daily: u64,
}

impl Budget {
    /// Counts `processed` mutations in the batch that processes them.
    fn count(self, by: &Actor, processed: u64) -> shared::Statement {
        count_usage(by, self.now, processed, self.daily)
    }
}

/// A push's answer, and whether to poke the workspace's sockets: it applied something, and one may
/// be open ([`shared::presence`]).
pub struct Pushed {
    pub response: Response,
    pub poke: bool,
}

impl Pushed {
    fn answer(response: &PushResponse, poke: bool) -> Result<Pushed, ApiError> {
        Ok(Pushed {
            response: Response::from_json(response)?,
            poke,
        })
    }
}

/// What became of one mutation.
enum Outcome {
    Applied,
    Rejected(MutationError),
    /// A concurrent push of the same client processed it first; nothing was written by us.
    LostRace,
}

pub async fn handle(req: &mut Request, env: &Env, by: &Actor) -> Result<Pushed, ApiError> {
    let request = parse_push(&body::read(req).await?)?;
    let db = env.d1(d1::BINDING)?;
    let budget = Budget {
        now: crate::auth::now(),
        daily: crate::limits::daily_mutations(env),
    };
    let client_id = request.client_id;
    // Whether a poke may follow: the fast path's batch also reads whether a socket may be open.
    let live = crate::live::on(env);
    // A client sends what the server has not processed yet, so first try it all at once without
    // reading anything: the ordering guard only lets the batch commit if its first id is exactly
    // lastMutationId + 1. Retries, gaps and failing statements abort it, having written nothing.
    let version = request.schema_version;
    if let Some((done, poke)) = process_together(
        &db,
        by,
        budget,
        version,
        live,
        &client_id,
        &request.mutations,
    )
    .await?
    {
        return Pushed::answer(&done, poke);
    }
    // An empty push, or a batch that aborted: who is asking is checked with this read.
    let mut last_mutation_id = d1::last_mutation_id(&db, by, &client_id).await?;
    // D1 calls so far: the fast path's batch and that read.
    let mut calls = 2;
    let unprocessed = request.unprocessed(last_mutation_id)?;
    if unprocessed.len() < request.mutations.len() {
        calls += 1;
        if let Some((done, poke)) =
            process_together(&db, by, budget, version, live, &client_id, unprocessed).await?
        {
            return Pushed::answer(&done, poke);
        }
    }
    let mut rejected = Vec::new();
    let mut applied = false;
    'process: loop {
        // Skips what was processed already; refuses a gap before anything is written.
        for mutation in request.unprocessed(last_mutation_id)? {
            // Out of D1 calls for this invocation: answer how far we got. The client sends the
            // rest again, as it does after any push, and the next invocation goes on from there.
            if calls + CALLS_PER_MUTATION > MAX_D1_CALLS {
                break 'process;
            }
            calls += CALLS_PER_MUTATION;
            match process(&db, by, budget, version, &client_id, mutation).await? {
                Outcome::Applied => applied = true,
                Outcome::Rejected(err) => rejected.push(RejectedMutation::new(mutation.id, &err)),
                Outcome::LostRace => {
                    // A racing push of this client got there first: skip what it processed.
                    calls += 1;
                    let now = d1::last_mutation_id(&db, by, &client_id).await?;
                    if now <= last_mutation_id {
                        return Err(ApiError::internal(
                            "the ordering guard fired but lastMutationId did not move",
                            now,
                        ));
                    }
                    last_mutation_id = now;
                    continue 'process;
                }
            }
            last_mutation_id = mutation.id;
        }
        break;
    }
    // The careful path does not read whether a socket may be open: it pokes whenever it applied.
    Pushed::answer(
        &PushResponse {
            last_mutation_id,
            rejected,
        },
        applied && live,
    )
}

/// The common case in one round trip: every given mutation of the push in one D1 batch (each with its
/// log entry and `lastMutationId`, as always; the whole push is then atomic too), and whether to
/// poke: any of them applied and, with the live channel on (`live`), the same batch read that a
/// socket may be open. `None` when the batch aborted, having written nothing: a statement failed or
/// a racing push got there first, and one batch per mutation finds out which.
async fn process_together(
    db: &D1Database,
    by: &Actor,
    budget: Budget,
    version: u64,
    live: bool,
    client_id: &Uuid,
    mutations: &[PushMutation],
) -> Result<Option<(PushResponse, bool)>, ApiError> {
    let Some(last) = mutations.last() else {
        return Ok(None);
    };
    let mut statements = Vec::new();
    let mut rejected = Vec::new();
    let mut applied = 0;
    for mutation in mutations {
        match Mutation::parse_for(version, &mutation.name, &mutation.args) {
            Ok(parsed) => {
                statements.extend(applied_batch(by, client_id, mutation.id, &parsed));
                applied += 1;
            }
            Err(err) => {
                let rejection = RejectedMutation::new(mutation.id, &err);
                statements.extend(rejected_batch(by, client_id, &rejection));
                rejected.push(rejection);
            }
        }
    }
    statements.push(budget.count(by, mutations.len() as u64));
    let watch = live && applied > 0;
    if watch {
        statements.push(shared::presence::select_live(by.workspace()));
    }
    match d1::batch(db, &statements).await {
        Ok(results) => Ok(Some((
            PushResponse {
                last_mutation_id: last.id,
                rejected,
            },
            watch && d1::live(&results),
        ))),
        Err(BatchError::OutOfOrder | BatchError::Constraint(_)) => Ok(None),
        Err(BatchError::Refused(refusal)) => Err(refusal.into()),
        Err(BatchError::Failed(err)) => Err(ApiError::internal("applying a push", err)),
    }
}

/// Applies one mutation with its log entry and `lastMutationId`, or rejects it: either way in one batch.
async fn process(
    db: &D1Database,
    by: &Actor,
    budget: Budget,
    version: u64,
    client_id: &Uuid,
    mutation: &PushMutation,
) -> Result<Outcome, ApiError> {
    let parsed = match Mutation::parse_for(version, &mutation.name, &mutation.args) {
        Ok(parsed) => parsed,
        Err(err) => return reject(db, by, budget, client_id, mutation.id, err).await,
    };
    let mut batch = applied_batch(by, client_id, mutation.id, &parsed);
    batch.push(budget.count(by, 1));
    match d1::batch(db, &batch).await {
        Ok(_) => Ok(Outcome::Applied),
        Err(BatchError::OutOfOrder) => Ok(Outcome::LostRace),
        Err(BatchError::Constraint(message)) => {
            reject(
                db,
                by,
                budget,
                client_id,
                mutation.id,
                parsed.statement_failed(&message),
            )
            .await
        }
        Err(BatchError::Refused(refusal)) => Err(refusal.into()),
        Err(BatchError::Failed(err)) => Err(ApiError::internal("applying a mutation", err)),
    }
}

/// Records a rejected mutation as processed: it advances `lastMutationId` (and counts against the
/// day's budget, since that is a row written) and changes nothing else.
async fn reject(
    db: &D1Database,
    by: &Actor,
    budget: Budget,
    client_id: &Uuid,
    mutation_id: u64,
    err: MutationError,
) -> Result<Outcome, ApiError> {
    let mut batch = rejected_batch(by, client_id, &RejectedMutation::new(mutation_id, &err));
    batch.push(budget.count(by, 1));
    match d1::batch(db, &batch).await {
        Ok(_) => Ok(Outcome::Rejected(err)),
        Err(BatchError::OutOfOrder) => Ok(Outcome::LostRace),
        Err(BatchError::Refused(refusal)) => Err(refusal.into()),
        Err(BatchError::Constraint(message)) => {
            Err(ApiError::internal("recording a rejection", message))
        }
        Err(BatchError::Failed(err)) => Err(ApiError::internal("recording a rejection", err)),
    }
}
