//! `POST /api/setup`: the deployment's owner makes a workspace and becomes its owner, proving they
//! hold the `SETUP_TOKEN` secret. The first workspace also takes whatever the deployment held before
//! workspaces existed (issues, log, clients), so upgrading loses nothing. Later calls make more
//! workspaces; a caller already signed in owns them as the same member.

use shared::api::{self, SetupRequest};
use shared::session::hash_secret;
use shared::{ProtocolError, Statement};
use uuid::Uuid;
use worker::{Env, Request, Response};

use crate::auth::now;
use crate::auth::session::SignInMethod;
use crate::error::ApiError;
use crate::{account, body, d1};

const SETUP_TOKEN: &str = "SETUP_TOKEN";
/// A shorter `SETUP_TOKEN` could be guessed: setup stays off until it is replaced.
const MIN_SETUP_TOKEN_CHARS: usize = 32;

const INSERT_WORKSPACE: &str = "INSERT INTO workspace (id, name, created_at, legacy, issue_key) \
     VALUES (?1, ?2, ?3, NOT EXISTS (SELECT 1 FROM workspace), ?4)";
const INSERT_OWNER: &str = "INSERT INTO membership (workspace_id, member_id, role, joined_at) \
     VALUES (?1, ?2, 'owner', ?3)";
/// What a deployment held before workspaces: rows with no workspace go to this one, made by its
/// owner. Only the first workspace finds any.
const ADOPT_ISSUES: &str = "UPDATE issue SET workspace_id = ?1, created_by = ?2, updated_by = ?2 \
     WHERE workspace_id = ''";
const ADOPT_LOG: &str =
    "UPDATE mutation_log SET workspace_id = ?1, member_id = ?2 WHERE workspace_id = ''";
const ADOPT_CLIENTS: &str = "UPDATE client SET workspace_id = ?1 WHERE workspace_id IS NULL";

pub async fn handle(req: &mut Request, env: &Env) -> Result<Response, ApiError> {
    let request: SetupRequest = api::parse(&body::read(req).await?)?;
    let expected = env
        .secret(SETUP_TOKEN)
        .map_err(|_| {
            ProtocolError::forbidden(
                "setup is off: this deployment has no SETUP_TOKEN (`openssl rand -hex 32 | npx \
                 wrangler secret put SETUP_TOKEN`)",
            )
        })?
        .to_string();
    if expected.chars().count() < MIN_SETUP_TOKEN_CHARS {
        return Err(ProtocolError::forbidden(format!(
            "setup is off: this deployment's SETUP_TOKEN is shorter than {MIN_SETUP_TOKEN_CHARS} \
             characters, short enough to guess; make a long one with `openssl rand -hex 32 | npx \
             wrangler secret put SETUP_TOKEN`"
        ))
        .into());
    }
    // Comparing the hashes, not the secrets, leaks nothing about the secret through timing.
    if hash_secret(&request.token) != hash_secret(&expected) {
        return Err(
            ProtocolError::unauthenticated("this is not the deployment's setup token").into(),
        );
    }
    let db = env.d1(d1::BINDING)?;
    let now = now();
    let mut sign_in = account::signed_in_or_new(req, env, &db, request.name.as_ref(), now).await?;
    let member_id = sign_in.member_id;
    let workspace_id = Uuid::new_v4();
    let workspace = shared::SqlValue::from(workspace_id.to_string());
    let member = shared::SqlValue::from(member_id.to_string());
    sign_in.statements.extend([
        Statement::new(
            INSERT_WORKSPACE,
            vec![
                workspace.clone(),
                request.workspace_name.as_str().into(),
                now.into(),
                request
                    .issue_key
                    .unwrap_or_else(|| {
                        shared::numbers::IssueKey::from_name(request.workspace_name.as_str())
                    })
                    .as_str()
                    .into(),
            ],
        ),
        Statement::new(
            INSERT_OWNER,
            vec![workspace.clone(), member.clone(), now.into()],
        ),
        Statement::new(ADOPT_ISSUES, vec![workspace.clone(), member.clone()]),
        Statement::new(ADOPT_LOG, vec![workspace.clone(), member]),
        Statement::new(ADOPT_CLIENTS, vec![workspace]),
    ]);
    d1::run(&db, &sign_in.statements).await?;
    account::signed_in_answer(req, env, &db, &sign_in, SignInMethod::Setup, 201).await
}
