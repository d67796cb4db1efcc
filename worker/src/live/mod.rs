//! The live channel (`shared::live`): `GET /api/workspaces/{id}/live?clientId=…` upgraded to a
//! WebSocket held by the workspace's Durable Object ([`object::LiveWorkspace`]), pokes after a push
//! applied something while a socket may be open ([`shared::presence`]), and sockets closed when
//! their member is removed or their token revoked.
//!
//! The upgrade is checked like every other route (a session or an API token, membership read from
//! D1 now, the client id the caller's own) and then from a page of this site only (`Origin`); the
//! object trusts what the worker hands it.

pub mod object;

use shared::live::CLOSE_REMOVED;
use shared::{Actor, ErrorCode, ProtocolError};
use uuid::Uuid;
use worker::{Env, Method, Request, RequestInit, Response};

use crate::auth::Caller;
use crate::d1;
use crate::error::ApiError;
use object::{CloseRequest, PokeAnswer, SOCKET_HEADER, Socket, member_tag, session_tag, token_tag};

/// The binding of the workspaces' objects in wrangler.toml.
pub const BINDING: &str = "LIVE";
/// The objects only ever see requests from this worker; the host is a placeholder.
const OBJECT_URL: &str = "https://live.internal";
/// `LIVE_CHANNEL=off` (a var) turns the live channel off: sockets are refused (`404 NotFound`) and
/// nothing is poked, so every tab polls, as before the channel existed. For a deployment that
/// cannot use Durable Objects, and for the benchmark's baseline.
const SWITCH: &str = "LIVE_CHANNEL";

/// Whether the live channel is on (it is unless `LIVE_CHANNEL=off`).
pub fn on(env: &Env) -> bool {
    env.var(SWITCH)
        .map_or(true, |value| value.to_string() != "off")
}

/// `GET /api/workspaces/{id}/live`: hands the caller's WebSocket to the workspace's object.
pub async fn connect(
    req: &Request,
    env: &Env,
    caller: &Caller,
    by: &Actor,
) -> Result<Response, ApiError> {
    let client_id = client_id(req)?;
    let db = env.d1(d1::BINDING)?;
    d1::access(&db, by, &client_id).await?;
    if !on(env) {
        return Err(ProtocolError::new(
            ErrorCode::NotFound,
            "the live channel is off on this deployment (LIVE_CHANNEL=off): pull instead",
        )
        .into());
    }
    same_origin(req)?;
    if !header(req, "Upgrade").eq_ignore_ascii_case("websocket") {
        return Err(ProtocolError::invalid_request(
            "this route speaks WebSocket only: send `Upgrade: websocket`",
        )
        .into());
    }
    let socket = Socket {
        member_id: by.member_id,
        client_id,
        expires_at: match caller {
            Caller::Session { expires_at, .. } => Some(*expires_at),
            Caller::Token { .. } => None,
        },
        token_id: match caller {
            Caller::Token { token_id, .. } => Some(*token_id),
            Caller::Session { .. } => None,
        },
        session_id: match caller {
            Caller::Session { session_id, .. } => Some(*session_id),
            Caller::Token { .. } => None,
        },
        opened_at: crate::auth::now(),
        // Counted before the object accepts it, so a push meanwhile still pokes.
        seq: d1::record_connect(&db, &by.workspace_id).await?,
    };
    let headers = req.headers().clone();
    headers.set(
        SOCKET_HEADER,
        &serde_json::to_string(&socket).map_err(|err| ApiError::internal("a socket", err))?,
    )?;
    let mut init = RequestInit::new();
    init.with_headers(headers);
    let forwarded = Request::new_with_init(&format!("{OBJECT_URL}/connect"), &init)?;
    Ok(object_of(env, &by.workspace_id)?
        .fetch_with_request(forwarded)
        .await?)
}

/// Tells the workspace's object that its log grew; it pokes every socket. Run after the push has
/// answered (`wait_until`); a poke that fails is only logged: clients still pull. An object with no
/// socket says so, and the workspace is recorded idle: its pushes stop poking until a socket opens
/// ([`shared::presence`]).
pub async fn poke(env: Env, workspace_id: Uuid) {
    let sent = async {
        let mut response = post(&env, &workspace_id, "/poke", None).await?;
        if response.status_code() != 200 {
            return Err(ApiError::internal(
                "a poke",
                format!("the object answered {}", response.status_code()),
            ));
        }
        let answer: PokeAnswer = response.json().await?;
        if let Some(seen) = answer.idle_seen.filter(|seen| *seen > 0) {
            let db = env.d1(d1::BINDING)?;
            d1::run(&db, &[shared::presence::record_idle(&workspace_id, seen)]).await?;
        }
        Ok::<_, ApiError>(())
    };
    if let Err(err) = sent.await {
        worker::console_error!("live: a poke failed: {err:?}");
    }
}

/// Closes the sockets of a member removed from the workspace.
pub async fn close_member(env: &Env, workspace_id: &Uuid, member_id: &Uuid) {
    close(
        env,
        workspace_id,
        CloseRequest {
            tag: member_tag(member_id),
            code: CLOSE_REMOVED,
            reason: "removed from the workspace".into(),
        },
    )
    .await;
}

/// Closes the sockets opened with an API token that was revoked.
pub async fn close_token(env: &Env, workspace_id: &Uuid, token_id: &Uuid) {
    close(
        env,
        workspace_id,
        CloseRequest {
            tag: token_tag(token_id),
            code: shared::live::CLOSE_SIGNED_OUT,
            reason: "the API token was revoked".into(),
        },
    )
    .await;
}

/// Closes, in each of `workspaces`, the sockets opened with a session that was signed out or
/// revoked (`session`), or with any session of `member` (signed out everywhere).
pub async fn close_signed_out(env: &Env, workspaces: &[Uuid], signed_out: SignedOut) {
    let tag = match signed_out {
        SignedOut::Session(session) => session_tag(&session),
        SignedOut::Member(member) => member_tag(&member),
    };
    for workspace_id in workspaces {
        close(
            env,
            workspace_id,
            CloseRequest {
                tag: tag.clone(),
                code: shared::live::CLOSE_SIGNED_OUT,
                reason: "signed out".into(),
            },
        )
        .await;
    }
}

/// Whose sockets [`close_signed_out`] closes.
#[derive(Debug, Clone, Copy)]
pub enum SignedOut {
    Session(Uuid),
    Member(Uuid),
}

/// Tells every open tracker of the workspace that its members changed (someone joined or was
/// removed), so they read the names again. A failure is logged: the trackers read them at their
/// next start, or on meeting a name they lack.
pub async fn members_changed(env: &Env, workspace_id: &Uuid) {
    if !on(env) {
        return;
    }
    if let Err(err) = post(env, workspace_id, "/members", None).await {
        worker::console_error!("live: telling of new members failed: {err:?}");
    }
}

/// Tells every open tracker of the workspace that its settings changed (the owner set a new issue
/// key), so they read the session again. A failure is logged: they read it at their next start.
pub async fn workspace_changed(env: &Env, workspace_id: &Uuid) {
    if !on(env) {
        return;
    }
    if let Err(err) = post(env, workspace_id, "/workspace", None).await {
        worker::console_error!("live: telling of the workspace's change failed: {err:?}");
    }
}

/// Asks the object to close sockets. A failure is logged, not returned: what it closes has lost
/// access already, which its next request finds out.
async fn close(env: &Env, workspace_id: &Uuid, close: CloseRequest) {
    let sent = async {
        let body =
            serde_json::to_string(&close).map_err(|err| ApiError::internal("a close", err))?;
        post(env, workspace_id, "/close", Some(body)).await
    };
    if let Err(err) = sent.await {
        worker::console_error!("live: closing sockets failed: {err:?}");
    }
}

/// A `POST` to `path` of the workspace's object, with `body` if any: how the worker tells it
/// anything (a poke, a close, the members changed).
async fn post(
    env: &Env,
    workspace_id: &Uuid,
    path: &str,
    body: Option<String>,
) -> Result<Response, ApiError> {
    let mut init = RequestInit::new();
    init.with_method(Method::Post);
    if let Some(body) = body {
        init.with_body(Some(wasm_bindgen::JsValue::from_str(&body)));
    }
    let req = Request::new_with_init(&format!("{OBJECT_URL}{path}"), &init)?;
    Ok(object_of(env, workspace_id)?
        .fetch_with_request(req)
        .await?)
}

fn object_of(env: &Env, workspace_id: &Uuid) -> Result<worker::Stub, ApiError> {
    Ok(env
        .durable_object(BINDING)?
        .get_by_name(&workspace_id.to_string())?)
}

/// A browser says which page opened the socket; only this site's pages may. (Clients that are not
/// browsers send no `Origin`, and authenticate with a token or a cookie they were given.)
fn same_origin(req: &Request) -> Result<(), ApiError> {
    let Some(origin) = req.headers().get("Origin")? else {
        return Ok(());
    };
    // The raw URL, not `req.url()`: parsing it would link the url crate's IDNA tables.
    let url = req.inner().url();
    let own = url.splitn(4, '/').take(3).collect::<Vec<_>>().join("/");
    if origin.eq_ignore_ascii_case(&own) {
        Ok(())
    } else {
        Err(ProtocolError::new(
            ErrorCode::Forbidden,
            format!(
                "sockets may only be opened from this site's pages, not from {}",
                shared::error::quote(&origin)
            ),
        )
        .into())
    }
}

/// The `clientId` query parameter: the replica that will follow the pokes.
fn client_id(req: &Request) -> Result<Uuid, ApiError> {
    let url = req.inner().url();
    let query = url.split_once('?').map_or("", |(_, query)| query);
    let value = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("clientId="))
        .ok_or_else(|| {
            ProtocolError::invalid_request("the `clientId` query parameter is missing")
        })?;
    Uuid::parse_str(value).map_err(|_| {
        ProtocolError::invalid_request(format!(
            "`clientId` must be a UUID, got {:?}",
            shared::error::quote(value)
        ))
        .into()
    })
}

fn header(req: &Request, name: &str) -> String {
    req.headers().get(name).ok().flatten().unwrap_or_default()
}
