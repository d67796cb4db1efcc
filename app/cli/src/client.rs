//! The server, over HTTPS (or HTTP to a local one), as the member an API token stands for: the
//! protocol's push and pull for the replica, and the members route for names.

use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use shared::api::{Budget, GrantBudget, Members};
use shared::protocol::{ErrorBody, PullRequest, PullResponse, PushRequest, PushResponse};
use shared::replica::SyncFailure;

use crate::config::Login;
use crate::error::{CliError, Code, Result};

/// How long one request may take, all in: a snapshot page is the largest answer.
const TIMEOUT: Duration = Duration::from_secs(60);

pub struct Client {
    agent: ureq::Agent,
    pub login: Login,
}

impl Client {
    pub fn new(login: Login) -> Client {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(TIMEOUT))
            .user_agent(concat!("tracker-cli/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Client { agent, login }
    }

    /// `/api/workspaces/{workspace}/{action}` on the server.
    pub fn url(&self, action: &str) -> String {
        format!(
            "{}/api/workspaces/{}/{action}",
            self.login.url, self.login.workspace
        )
    }

    pub fn push(&self, request: &PushRequest) -> std::result::Result<PushResponse, SyncFailure> {
        self.post("push", request)
    }

    pub fn pull(&self, request: &PullRequest) -> std::result::Result<PullResponse, SyncFailure> {
        self.post("pull", request)
    }

    /// The workspace's members, and who the token acts as.
    pub fn members(&self) -> Result<Members> {
        let answer = self
            .agent
            .get(&self.url("members"))
            .header("Authorization", &format!("Bearer {}", self.login.token))
            .call();
        read(answer).map_err(|failure| failure_to_error(&failure, "reading the members"))
    }

    /// Gives `member` `extra` changes beyond the daily budget for today (owners).
    pub fn grant_budget(&self, member: uuid::Uuid, extra: u64) -> Result<Budget> {
        self.post(
            "members/budget",
            &GrantBudget {
                member_id: member,
                extra,
            },
        )
        .map_err(|failure| match &failure {
            SyncFailure::Server {
                error: Some(body), ..
            } if body.error == shared::ErrorCode::Forbidden => {
                CliError::new(Code::Refused, format!("giving budget: {}", body.message))
            }
            _ => failure_to_error(&failure, "giving budget"),
        })
    }

    fn post<Q: Serialize, A: DeserializeOwned>(
        &self,
        action: &str,
        request: &Q,
    ) -> std::result::Result<A, SyncFailure> {
        let answer = self
            .agent
            .post(&self.url(action))
            .header("Authorization", &format!("Bearer {}", self.login.token))
            .send_json(request);
        read(answer)
    }
}

/// The answer's body as `A` when it is a 200, or why not, as the replica understands failures.
fn read<A: DeserializeOwned>(
    answer: std::result::Result<ureq::http::Response<ureq::Body>, ureq::Error>,
) -> std::result::Result<A, SyncFailure> {
    let mut response = answer.map_err(|err| SyncFailure::Network(err.to_string()))?;
    let status = response.status().as_u16();
    let retry_after_ms = response
        .headers()
        .get("retry-after")
        .and_then(|value| value.to_str().ok())
        .and_then(|seconds| seconds.trim().parse::<u64>().ok())
        .map(|seconds| seconds * 1000);
    let text = response
        .body_mut()
        .with_config()
        .limit(64 * 1024 * 1024)
        .read_to_string()
        .map_err(|err| SyncFailure::Network(err.to_string()))?;
    if status == 200 {
        return serde_json::from_str(&text).map_err(|err| SyncFailure::Unreadable(err.to_string()));
    }
    Err(SyncFailure::Server {
        status,
        error: serde_json::from_str::<ErrorBody>(&text).ok(),
        retry_after_ms,
    })
}

/// A failed request as the CLI reports it: who is refused, what is unreachable, what broke.
pub fn failure_to_error(failure: &SyncFailure, doing: &str) -> CliError {
    match failure {
        SyncFailure::Network(why) => CliError::new(
            Code::Offline,
            format!("{doing}: the server could not be reached ({why})"),
        ),
        SyncFailure::Unreadable(why) => CliError::failed(format!(
            "{doing}: the server's answer is not the protocol's ({why})"
        )),
        SyncFailure::Server { status, error, .. } => {
            let message = error
                .as_ref()
                .map(|body| format!("{} ({:?})", body.message, body.error))
                .unwrap_or_else(|| format!("HTTP {status}"));
            let code = match status {
                401 | 403 => Code::NotSignedIn,
                404 => Code::NotFound,
                429 => Code::HeldBack,
                400..=499 => Code::Refused,
                _ => Code::Failed,
            };
            let hint = if code == Code::NotSignedIn {
                ": the token was revoked or its member removed; make a new token and run \
                 `tracker login` again"
            } else {
                ""
            };
            CliError::new(code, format!("{doing}: {message}{hint}"))
        }
    }
}
