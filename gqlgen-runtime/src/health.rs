//! Liveness and readiness. `GET /health` answers as long as the process serves requests;
//! `GET /ready` answers 200 only when the instance can do its work: the database answers
//! `SELECT 1`, Redis answers `PING` when one is configured, and the schema executes a query.
//! Otherwise 503, with a JSON body naming each check and the failing ones, so that a load
//! balancer takes the instance out of rotation and an operator sees why. [`check`] runs the same
//! checks outside the router (the example app's `health` command).

use std::time::Duration;

use async_graphql::{ObjectType, Schema, SubscriptionType};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde::Serialize;

/// The outcome of the readiness checks.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Readiness {
    /// `ready` or `unavailable`.
    pub status: &'static str,
    /// Each check by name: `ok`, or what went wrong.
    pub checks: Vec<Check>,
    /// The names of the checks that failed.
    pub failing: Vec<&'static str>,
}

/// One readiness check.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Check {
    /// `database`, `redis` or `schema`.
    pub name: &'static str,
    /// `ok`, or the error.
    pub outcome: String,
}

impl Readiness {
    /// Whether every check passed.
    pub fn is_ready(&self) -> bool {
        self.failing.is_empty()
    }
}

/// How long one check may take: a database or Redis that does not answer in time is down.
const CHECK_TIMEOUT: Duration = Duration::from_secs(3);

/// Runs the readiness checks: `SELECT 1` on `db`, `PING` on the Redis at `redis_url` (when
/// set), and `{ __typename }` through `schema`.
pub async fn check<Q, M, S>(
    schema: &Schema<Q, M, S>,
    db: Option<&DatabaseConnection>,
    redis_url: Option<&str>,
) -> Readiness
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    let database = async {
        let Some(db) = db else {
            return Err("the schema's data holds no database connection".to_owned());
        };
        db.execute_unprepared("SELECT 1")
            .await
            .map(|_| ())
            .map_err(|err| err.to_string())
    };
    let redis = async {
        let url = redis_url?;
        let ping = async {
            let mut connection = crate::db::redis_connection(url).await?;
            redis::cmd("PING")
                .query_async::<String>(&mut connection)
                .await
                .map(|_| ())
                .map_err(|err| err.to_string())
        };
        Some(timed(ping).await)
    };
    let executes = async {
        let response = schema.execute("{ __typename }").await;
        match response.errors.first() {
            None => Ok(()),
            Some(error) => Err(error.message.clone()),
        }
    };
    let (database, redis, executes) = tokio::join!(timed(database), redis, timed(executes));
    let mut checks = vec![outcome("database", database)];
    if let Some(redis) = redis {
        checks.push(outcome("redis", redis));
    }
    checks.push(outcome("schema", executes));
    let failing: Vec<&'static str> = checks
        .iter()
        .filter(|c| c.outcome != "ok")
        .map(|c| c.name)
        .collect();
    Readiness {
        status: if failing.is_empty() {
            "ready"
        } else {
            "unavailable"
        },
        checks,
        failing,
    }
}

async fn timed(check: impl std::future::Future<Output = Result<(), String>>) -> Result<(), String> {
    tokio::time::timeout(CHECK_TIMEOUT, check)
        .await
        .unwrap_or_else(|_| Err(format!("no answer within {} s", CHECK_TIMEOUT.as_secs())))
}

fn outcome(name: &'static str, result: Result<(), String>) -> Check {
    Check {
        name,
        outcome: match result {
            Ok(()) => "ok".to_owned(),
            Err(error) => error,
        },
    }
}
