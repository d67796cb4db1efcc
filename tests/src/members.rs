//! Who the tests are: members signed in by a session cookie (as the app is) or by an API token (as a
//! script is), made through the real setup and invite routes. The server runs with known secrets, so
//! a test can also mint a cookie itself: tampered, expired, or signed under another key.

use serde_json::{Value, json};
use shared::protocol::SCHEMA_VERSION;
use shared::session::{COOKIE, Session};
use uuid::Uuid;

use crate::reply::Reply;
use crate::server::Server;

/// The `SETUP_TOKEN` and `SESSION_KEY` every test server runs with.
pub const SETUP_TOKEN: &str = "setup-token-for-the-integration-tests";
pub const SESSION_KEY: &str = "session-key-for-the-integration-tests-0123456789";

/// A member in one workspace, and how their requests say who they are.
#[derive(Debug, Clone)]
pub struct Member {
    pub id: Uuid,
    pub workspace: Uuid,
    pub auth: Auth,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// The session cookie's value.
    Cookie(String),
    /// An API token.
    Bearer(String),
    /// Nothing at all.
    None,
}

impl Member {
    /// A session cookie for `id` signed under `key`, expiring at `expires_at`, made by the test (for
    /// a session that has no row, unless the test makes one).
    pub fn minted(id: Uuid, workspace: Uuid, key: &str, expires_at: u64) -> Member {
        let session = Session {
            id: Uuid::new_v4(),
            member_id: id,
            started_at: expires_at.saturating_sub(shared::session::LIFETIME_MS),
            expires_at,
        };
        Member {
            id,
            workspace,
            auth: Auth::Cookie(session.sign(key.as_bytes())),
        }
    }

    /// The session this member's cookie names, as the test server signed it.
    pub fn session(&self) -> Session {
        match &self.auth {
            Auth::Cookie(value) => Session::verify(value, SESSION_KEY.as_bytes(), 0)
                .expect("a cookie the test server signed"),
            other => panic!("{other:?} is not a session cookie"),
        }
    }

    /// The same session (its row stands), re-signed by the test with other times: to try expiry and
    /// the absolute lifetime without waiting.
    pub fn resigned(&self, started_at: u64, expires_at: u64) -> Member {
        let session = Session {
            started_at,
            expires_at,
            ..self.session()
        };
        self.with_auth(Auth::Cookie(session.sign(SESSION_KEY.as_bytes())))
    }

    /// The same member, in another workspace (for a cookie: any workspace they may be in).
    pub fn in_workspace(&self, workspace: Uuid) -> Member {
        Member {
            workspace,
            ..self.clone()
        }
    }

    /// The same member and workspace, asking with other credentials.
    pub fn with_auth(&self, auth: Auth) -> Member {
        Member {
            auth,
            ..self.clone()
        }
    }

    /// `/api/workspaces/{workspace}/{action}`.
    pub fn api(&self, action: &str) -> String {
        format!("/api/workspaces/{}/{action}", self.workspace)
    }

    /// The headers that say who is asking, merged with a `Cookie` header the caller gives.
    pub fn headers(&self, cookie: Option<&str>) -> Vec<(String, String)> {
        let mut headers = Vec::new();
        let mut cookies: Vec<String> = cookie.map(str::to_owned).into_iter().collect();
        match &self.auth {
            Auth::Cookie(value) => cookies.push(format!("{COOKIE}={value}")),
            Auth::Bearer(token) => {
                headers.push(("Authorization".into(), format!("Bearer {token}")))
            }
            Auth::None => {}
        }
        if !cookies.is_empty() {
            headers.push(("Cookie".into(), cookies.join("; ")));
        }
        headers
    }
}

/// The session cookie's value in a sign-in answer's `Set-Cookie`.
pub fn session_cookie(reply: &Reply) -> String {
    let set_cookie = reply
        .set_cookie
        .as_deref()
        .expect("a sign-in sets a cookie");
    let (_, rest) = set_cookie
        .split_once(&format!("{COOKIE}="))
        .unwrap_or_else(|| panic!("no session cookie in {set_cookie}"));
    rest.split(';').next().unwrap_or_default().to_owned()
}

impl Server {
    /// A new workspace called `workspace` through `POST /api/setup`; its owner is `by` when given
    /// (signed in already), or a new member called `name`.
    pub fn setup(&self, workspace: &str, name: &str, by: Option<&Member>) -> Member {
        let mut body = json!({"token": SETUP_TOKEN, "workspaceName": workspace});
        if by.is_none() {
            body["name"] = json!(name);
        }
        let reply = self.send_as(by, "POST", "/api/setup", &body);
        assert_eq!(reply.status, 201, "setup: {}", reply.text);
        let info = reply.json();
        let made = info["workspaces"]
            .as_array()
            .and_then(|all| all.iter().rev().find(|w| w["name"] == json!(workspace)))
            .expect("the new workspace is listed");
        Member {
            id: uuid(&info["member"]["id"]),
            workspace: uuid(&made["id"]),
            // Signed in already: the session goes on, no new cookie.
            auth: match by {
                Some(member) => member.auth.clone(),
                None => Auth::Cookie(session_cookie(&reply)),
            },
        }
    }

    /// A new invite link's secret, made by `owner`, lasting `seconds` (the default when `None`).
    pub fn invite(&self, owner: &Member, seconds: Option<u64>) -> String {
        let body = match seconds {
            Some(seconds) => json!({"expiresInSeconds": seconds}),
            None => json!({}),
        };
        let reply = self.send_as(Some(owner), "POST", &owner.api("invites"), &body);
        assert_eq!(reply.status, 201, "invite: {}", reply.text);
        reply.json()["token"].as_str().expect("token").to_owned()
    }

    /// `POST /api/invites/accept`: `by` (signed in) or a new member called `name` joins.
    pub fn accept(&self, invite: &str, name: &str, by: Option<&Member>) -> Reply {
        self.send_as(
            by,
            "POST",
            "/api/invites/accept",
            &json!({"token": invite, "name": name}),
        )
    }

    /// A new member called `name` in `owner`'s workspace, through a new invite.
    pub fn join(&self, owner: &Member, name: &str) -> Member {
        self.join_by(&self.invite(owner, None), owner, name)
    }

    /// A new member called `name` in `owner`'s workspace, through the invite `invite`.
    pub fn join_by(&self, invite: &str, owner: &Member, name: &str) -> Member {
        let reply = self.accept(invite, name, None);
        assert_eq!(reply.status, 200, "accept: {}", reply.text);
        Member {
            id: uuid(&reply.json()["member"]["id"]),
            workspace: owner.workspace,
            auth: Auth::Cookie(session_cookie(&reply)),
        }
    }

    /// `member` signed in on another device, by a sign-in link made on this one.
    pub fn device(&self, member: &Member) -> Member {
        let link = self.send_as(Some(member), "POST", "/api/devices/link", &json!({}));
        assert_eq!(link.status, 201, "device link: {}", link.text);
        let token = link.json()["token"].as_str().expect("token").to_owned();
        let reply = self.send_as(
            None,
            "POST",
            "/api/devices/accept",
            &json!({"token": token}),
        );
        assert_eq!(reply.status, 200, "device accept: {}", reply.text);
        assert_eq!(uuid(&reply.json()["member"]["id"]), member.id);
        member.with_auth(Auth::Cookie(session_cookie(&reply)))
    }

    /// A new API token of `member`'s, for their workspace: the member, asking with it.
    pub fn token(&self, member: &Member, name: &str) -> (Member, Uuid) {
        let reply = self.send_as(
            Some(member),
            "POST",
            &member.api("tokens"),
            &json!({"name": name}),
        );
        assert_eq!(reply.status, 201, "token: {}", reply.text);
        let made = reply.json();
        let token = made["token"].as_str().expect("token").to_owned();
        (member.with_auth(Auth::Bearer(token)), uuid(&made["id"]))
    }

    /// A JSON request as `by` (or with no credentials).
    pub fn send_as(&self, by: Option<&Member>, method: &str, path: &str, body: &Value) -> Reply {
        let headers = by.map(|m| m.headers(None)).unwrap_or_default();
        let headers: Vec<(&str, &str)> = headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        if method == "GET" {
            return self.get_with(path, &headers);
        }
        self.try_post_as(by, path, body)
            .unwrap_or_else(|err| panic!("the request reaches the server: {err}"))
    }

    /// A JSON POST as `by`, or why no answer came (the server is down or went away).
    pub fn try_post_as(
        &self,
        by: Option<&Member>,
        path: &str,
        body: &Value,
    ) -> Result<Reply, String> {
        let headers = by.map(|m| m.headers(None)).unwrap_or_default();
        let mut all = vec![("Content-Type", "application/json")];
        all.extend(headers.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        self.try_post_raw(
            path,
            serde_json::to_vec(body).expect("serialise").as_slice(),
            &all,
        )
    }

    /// Pushes as a client of this build's schema version.
    pub fn push_as(&self, by: &Member, client: &Uuid, mutations: &[Value]) -> Reply {
        self.push_at_version(SCHEMA_VERSION, by, client, mutations)
    }

    /// Pulls as a client of this build's schema version.
    pub fn pull_as(&self, by: &Member, client: &Uuid, cookie: Option<u64>) -> Reply {
        self.pull_at_version(SCHEMA_VERSION, by, client, cookie)
    }

    /// Pushes as a client speaking schema version `version` (an older build's, say).
    pub fn push_at_version(
        &self,
        version: u64,
        by: &Member,
        client: &Uuid,
        mutations: &[Value],
    ) -> Reply {
        self.send_as(
            Some(by),
            "POST",
            &by.api("push"),
            &json!({"clientId": client, "schemaVersion": version, "mutations": mutations}),
        )
    }

    /// Pulls as a client speaking schema version `version`.
    pub fn pull_at_version(
        &self,
        version: u64,
        by: &Member,
        client: &Uuid,
        cookie: Option<u64>,
    ) -> Reply {
        self.send_as(
            Some(by),
            "POST",
            &by.api("pull"),
            &json!({"clientId": client, "schemaVersion": version, "cookie": cookie}),
        )
    }
}

fn uuid(value: &Value) -> Uuid {
    Uuid::parse_str(value.as_str().expect("an id")).expect("a UUID")
}
