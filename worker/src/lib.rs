//! The Cloudflare Worker: `/api/push` and `/api/pull` on D1. Workers static assets serve the app on the
//! same origin; only `/api/*` reaches this code (`run_worker_first` in wrangler.toml).

mod body;
mod d1;
mod error;
mod guard;
mod http_cookie;
mod panic_hook;
mod pull;
mod push;

use worker::{Context, Env, Method, Request, Response, event};

use crate::error::ApiError;

/// Set by `wrangler dev --var TRACKER_TEST_ROUTES:1` in the integration tests only; never in production.
const TEST_ROUTES_VAR: &str = "TRACKER_TEST_ROUTES";

#[event(fetch)]
async fn fetch(mut req: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    panic_hook::install();
    let result = match (req.method(), req.path().as_str()) {
        (Method::Post, "/api/push") => push::handle(&mut req, &env).await,
        (Method::Post, "/api/pull") => pull::handle(&mut req, &env).await,
        (_, "/api/push" | "/api/pull") => Err(ApiError::method_not_allowed(&req)),
        (Method::Post, "/api/test/panic") if test_routes(&env) => {
            panic!("a panic requested by the integration tests")
        }
        _ => Err(ApiError::not_found(&req)),
    };
    let mut response = result.unwrap_or_else(ApiError::into_response);
    response.headers_mut().set("Cache-Control", "no-store")?;
    response
        .headers_mut()
        .set("X-Content-Type-Options", "nosniff")?;
    Ok(response)
}

fn test_routes(env: &Env) -> bool {
    env.var(TEST_ROUTES_VAR)
        .is_ok_and(|value| value.to_string() == "1")
}
