//! The Cloudflare Worker: the sync protocol's push and pull on D1, per workspace, and the workspace API
//! around it (setup, sessions, invites, members, API tokens, and the account: devices, passkeys).
//! Workers static assets serve the app on the same origin; only `/api/*` reaches this code
//! (`run_worker_first` in wrangler.toml).

mod account;
mod auth;
mod body;
mod budget;
mod compaction;
mod d1;
mod error;
mod faults;
mod guard;
mod http_cookie;
mod invites;
mod limits;
mod live;
mod members;
mod panic_hook;
mod pull;
mod push;
mod routes;
mod setup;
mod tokens;
mod workspace;

use worker::{Context, Env, Request, Response, ScheduleContext, ScheduledEvent, event};

pub use live::object::LiveWorkspace;

use crate::error::ApiError;
use crate::routes::{AccountRoute, InWorkspace, Route, SignInRoute};

/// Set by `wrangler dev --var TRACKER_TEST_ROUTES:1` in the integration tests only; never in production.
const TEST_ROUTES_VAR: &str = "TRACKER_TEST_ROUTES";

#[event(fetch)]
async fn fetch(mut req: Request, env: Env, ctx: Context) -> worker::Result<Response> {
    panic_hook::install();
    let mut response = handle(&mut req, &env, &ctx)
        .await
        .unwrap_or_else(ApiError::into_response);
    if response.status_code() == 101 {
        // A WebSocket's handshake answer: its headers are the object's.
        return Ok(response);
    }
    let headers = response.headers_mut();
    headers.set("Cache-Control", "no-store")?;
    headers.set("X-Content-Type-Options", "nosniff")?;
    if auth::session::is_https(&req) {
        // Browsers that have seen this never come back over plain http, where a session cookie
        // could be planted. (The app's files send it from app/static/_headers.)
        headers.set("Strict-Transport-Security", HSTS)?;
    }
    Ok(response)
}

/// Two years, this host only: a deployment's other subdomains are not ours to decide for.
const HSTS: &str = "max-age=63072000";

/// The Cron Trigger: compaction. Its outcome goes to the logs (and the `compaction_run` table).
#[event(scheduled)]
async fn scheduled(_event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    panic_hook::install();
    match compaction::run(&env).await {
        Ok(outcome) => worker::console_log!("compaction: {outcome:?}"),
        Err(err) => worker::console_error!("compaction failed: {err:?}"),
    }
}

async fn handle(req: &mut Request, env: &Env, ctx: &Context) -> Result<Response, ApiError> {
    let route = routes::route(req)?;
    guard::check_site(req)?;
    match route {
        Route::Setup | Route::PreviewInvite | Route::AcceptInvite => {
            limits::address(env, req).await?;
            match route {
                Route::Setup => setup::handle(req, env).await,
                Route::PreviewInvite => invites::preview(req, env).await,
                _ => invites::accept(req, env).await,
            }
        }
        Route::Session => account::handle(req, env).await,
        Route::SignIn(route) => {
            limits::address(env, req).await?;
            match route {
                SignInRoute::DeviceLink => account::devices::accept(req, env).await,
                SignInRoute::PasskeyBegin => account::passkeys::sign_in_begin(req, env).await,
                SignInRoute::PasskeyFinish => account::passkeys::sign_in_finish(req, env).await,
            }
        }
        Route::Account(route) => match route {
            AccountRoute::SignOut => account::sessions::sign_out(req, env).await,
            AccountRoute::Account => account::sessions::list(req, env).await,
            AccountRoute::RevokeSession => account::sessions::revoke(req, env).await,
            AccountRoute::CreateDeviceLink => account::devices::create(req, env).await,
            AccountRoute::SetName => account::profile::set_name(req, env).await,
            AccountRoute::RegisterPasskeyBegin => account::passkeys::register_begin(req, env).await,
            AccountRoute::RegisterPasskeyFinish => {
                account::passkeys::register_finish(req, env).await
            }
            AccountRoute::RemovePasskey => account::passkeys::remove(req, env).await,
        },
        Route::TestPanic if test_routes(req, env) => {
            panic!("a panic requested by the integration tests")
        }
        Route::TestPanic => Err(ApiError::not_found(req)),
        Route::TestFaults if test_routes(req, env) => faults::set(req).await,
        Route::TestFaults => Err(ApiError::not_found(req)),
        Route::Workspace(workspace, action) => {
            let db = env.d1(d1::BINDING)?;
            let check = if action.checks_token_in_batch() {
                auth::TokenCheck::InBatch
            } else {
                auth::TokenCheck::Now
            };
            let caller = auth::caller(req, env, &db, check).await?;
            let by = caller.in_workspace(workspace)?;
            limits::member(env, by.member_id).await?;
            let answer = in_workspace(req, env, ctx, &caller, &by, action).await;
            if let Err(err) = &answer {
                auth::forget_if_refused(req, err);
            }
            answer
        }
    }
}

/// A route of one workspace, as `by`.
async fn in_workspace(
    req: &mut Request,
    env: &Env,
    ctx: &Context,
    caller: &auth::Caller,
    by: &shared::Actor,
    action: InWorkspace,
) -> Result<Response, ApiError> {
    let workspace = by.workspace_id;
    match action {
        InWorkspace::Push => {
            let pushed = push::handle(req, env, by).await?;
            if pushed.poke {
                // After the answer: the push is not delayed by the fan-out.
                ctx.wait_until(live::poke(env.clone(), workspace));
            }
            Ok(pushed.response)
        }
        InWorkspace::Live => live::connect(req, env, caller, by).await,
        InWorkspace::Pull => pull::handle(req, env, by).await,
        InWorkspace::Members => members::list(env, by).await,
        InWorkspace::RemoveMember => members::remove(req, env, by).await,
        InWorkspace::GrantBudget => budget::grant(req, env, by).await,
        InWorkspace::CreateInvite => invites::create(req, env, by).await,
        InWorkspace::RevokeInvite => invites::revoke(req, env, by).await,
        InWorkspace::CreateToken => tokens::create(req, env, caller, by).await,
        InWorkspace::RevokeToken => tokens::revoke(req, env, by).await,
        InWorkspace::SetIssueKey => workspace::set_issue_key(req, env, by).await,
        InWorkspace::SetName => workspace::set_name(req, env, by).await,
        InWorkspace::TransferOwnership => workspace::transfer(req, env, by).await,
        InWorkspace::Leave => workspace::leave(req, env, by).await,
    }
}

/// The test routes answer only with [`TEST_ROUTES_VAR`] set and on this machine's own address (as
/// `wrangler dev` serves the tests): a deployment that set the var by mistake still refuses them.
fn test_routes(req: &Request, env: &Env) -> bool {
    let local = req.url().is_ok_and(|url| {
        let host = url.host_str().unwrap_or_default();
        host == "localhost"
            || host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    });
    local
        && env
            .var(TEST_ROUTES_VAR)
            .is_ok_and(|value| value.to_string() == "1")
}
