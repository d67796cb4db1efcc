//! Every `/api/*` route, by method and path: what `lib.rs` dispatches on. An unknown path is
//! `404 NotFound`; a known one with the wrong method `405 MethodNotAllowed`.

use uuid::Uuid;
use worker::{Method, Request};

use crate::error::ApiError;

pub enum Route {
    /// `POST /api/setup`: no caller needed, the setup token instead.
    Setup,
    /// `GET /api/session`
    Session,
    /// `POST /api/session/sign-out`, `GET /api/account`, `POST /api/sessions/revoke`, `POST
    /// /api/devices/link`, `POST /api/profile`, the passkey routes but sign-in: the signed-in member's
    /// own (a session, not a token).
    Account(AccountRoute),
    /// `POST /api/devices/accept`, `POST /api/passkeys/sign-in/{begin,finish}`: no caller needed, the
    /// device link's secret or the passkey instead.
    SignIn(SignInRoute),
    /// `POST /api/invites/preview` and `/accept`: no caller needed, the invite's token instead.
    PreviewInvite,
    AcceptInvite,
    /// `/api/workspaces/{id}/...`: a member of that workspace.
    Workspace(Uuid, InWorkspace),
    /// `POST /api/test/panic`, with the test routes on only.
    TestPanic,
    /// `POST /api/test/faults`: D1 failing on purpose (`faults.rs`), tests only.
    TestFaults,
}

pub enum AccountRoute {
    SignOut,
    Account,
    RevokeSession,
    CreateDeviceLink,
    SetName,
    RegisterPasskeyBegin,
    RegisterPasskeyFinish,
    RemovePasskey,
}

pub enum SignInRoute {
    DeviceLink,
    PasskeyBegin,
    PasskeyFinish,
}

pub enum InWorkspace {
    Push,
    Pull,
    /// `GET .../live`: the WebSocket of pokes.
    Live,
    Members,
    RemoveMember,
    /// `POST .../members/budget` (owners): more changes for a member today.
    GrantBudget,
    CreateInvite,
    RevokeInvite,
    CreateToken,
    RevokeToken,
    /// `POST .../issue-key` (owners).
    SetIssueKey,
    /// `POST .../name` (owners).
    SetName,
    /// `POST .../owner` (owners).
    TransferOwnership,
    /// `POST .../leave` (members).
    Leave,
}

impl InWorkspace {
    /// Whether the route's own D1 batch checks the caller's API token (push, pull and the live
    /// socket read it with membership, `shared::server::SELECT_ACCESS`, or guard their writes with
    /// it), so that the token need not be looked up first.
    pub fn checks_token_in_batch(&self) -> bool {
        matches!(
            self,
            InWorkspace::Push | InWorkspace::Pull | InWorkspace::Live
        )
    }
}

pub fn route(req: &Request) -> Result<Route, ApiError> {
    let path = req.path();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let (route, method) = match segments.as_slice() {
        ["api", "setup"] => (Route::Setup, Method::Post),
        ["api", "session"] => (Route::Session, Method::Get),
        ["api", "session", "sign-out"] => (Route::Account(AccountRoute::SignOut), Method::Post),
        ["api", "account"] => (Route::Account(AccountRoute::Account), Method::Get),
        ["api", "sessions", "revoke"] => {
            (Route::Account(AccountRoute::RevokeSession), Method::Post)
        }
        ["api", "devices", "link"] => {
            (Route::Account(AccountRoute::CreateDeviceLink), Method::Post)
        }
        ["api", "devices", "accept"] => (Route::SignIn(SignInRoute::DeviceLink), Method::Post),
        ["api", "profile"] => (Route::Account(AccountRoute::SetName), Method::Post),
        ["api", "passkeys", "register", "begin"] => (
            Route::Account(AccountRoute::RegisterPasskeyBegin),
            Method::Post,
        ),
        ["api", "passkeys", "register", "finish"] => (
            Route::Account(AccountRoute::RegisterPasskeyFinish),
            Method::Post,
        ),
        ["api", "passkeys", "remove"] => {
            (Route::Account(AccountRoute::RemovePasskey), Method::Post)
        }
        ["api", "passkeys", "sign-in", "begin"] => {
            (Route::SignIn(SignInRoute::PasskeyBegin), Method::Post)
        }
        ["api", "passkeys", "sign-in", "finish"] => {
            (Route::SignIn(SignInRoute::PasskeyFinish), Method::Post)
        }
        ["api", "invites", "preview"] => (Route::PreviewInvite, Method::Post),
        ["api", "invites", "accept"] => (Route::AcceptInvite, Method::Post),
        ["api", "test", "panic"] => (Route::TestPanic, Method::Post),
        ["api", "test", "faults"] => (Route::TestFaults, Method::Post),
        ["api", "workspaces", id, rest @ ..] => {
            let Ok(workspace) = Uuid::parse_str(id) else {
                return Err(ApiError::not_found(req));
            };
            let (action, method) = match rest {
                ["push"] => (InWorkspace::Push, Method::Post),
                ["pull"] => (InWorkspace::Pull, Method::Post),
                ["live"] => (InWorkspace::Live, Method::Get),
                ["members"] => (InWorkspace::Members, Method::Get),
                ["members", "remove"] => (InWorkspace::RemoveMember, Method::Post),
                ["members", "budget"] => (InWorkspace::GrantBudget, Method::Post),
                ["invites"] => (InWorkspace::CreateInvite, Method::Post),
                ["invites", "revoke"] => (InWorkspace::RevokeInvite, Method::Post),
                ["tokens"] => (InWorkspace::CreateToken, Method::Post),
                ["tokens", "revoke"] => (InWorkspace::RevokeToken, Method::Post),
                ["issue-key"] => (InWorkspace::SetIssueKey, Method::Post),
                ["name"] => (InWorkspace::SetName, Method::Post),
                ["owner"] => (InWorkspace::TransferOwnership, Method::Post),
                ["leave"] => (InWorkspace::Leave, Method::Post),
                _ => return Err(ApiError::not_found(req)),
            };
            (Route::Workspace(workspace, action), method)
        }
        _ => return Err(ApiError::not_found(req)),
    };
    if req.method() != method {
        return Err(ApiError::method_not_allowed(req, method));
    }
    Ok(route)
}
