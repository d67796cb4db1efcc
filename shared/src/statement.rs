//! A parameterised SQL statement that any SQLite (D1 in the worker, rusqlite in the client) can run.

/// A value bound to a `?N` parameter. Integers stay below 2^53 (see [`crate::protocol::MAX_SAFE_INTEGER`])
/// because D1 carries them as JavaScript doubles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SqlValue {
    Null,
    Integer(i64),
    Text(String),
}

/// One SQL statement and its parameters, in `?1, ?2, ...` order. The SQL text is static, so every
/// statement is parameterised and can be prepared once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub sql: &'static str,
    pub params: Vec<SqlValue>,
}

impl Statement {
    pub fn new(sql: &'static str, params: Vec<SqlValue>) -> Self {
        Self { sql, params }
    }
}

impl From<&str> for SqlValue {
    fn from(value: &str) -> Self {
        SqlValue::Text(value.to_owned())
    }
}

impl From<String> for SqlValue {
    fn from(value: String) -> Self {
        SqlValue::Text(value)
    }
}

impl From<u64> for SqlValue {
    /// Callers only pass values already checked against `MAX_SAFE_INTEGER`; saturate rather than wrap.
    fn from(value: u64) -> Self {
        SqlValue::Integer(i64::try_from(value).unwrap_or(i64::MAX))
    }
}

impl<T: Into<SqlValue>> From<Option<T>> for SqlValue {
    fn from(value: Option<T>) -> Self {
        value.map_or(SqlValue::Null, Into::into)
    }
}
