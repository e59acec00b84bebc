//! The subscription fields `productCreated(filter)`, `productUpdated(filter)` and
//! `productDeleted(filter)` of a model with `subscriptions(created, updated, deleted)`. Each is a
//! stream over the schema's [`Events`]: for every event of its model and change, it delivers the
//! rows this subscriber may see at that moment and that match its filter. Created and updated
//! rows are read again with the subscriber's row scope and filter as SQL, so a row that left the
//! scope in the meantime is not sent; a deleted row, gone from its table, is matched against the
//! same condition as a one-row table of its last values. Subscribers whose statement is the same
//! (same scope and filter) share its result through the event: one statement per event and
//! distinct condition, not per subscriber. Delivered rows render as any query's (relations batched, field permissions
//! checked) under the subscriber's caller: the one its connection authenticated.

use std::collections::VecDeque;

use async_graphql::{Context, ID};
use futures_util::Stream;
use sea_orm::sea_query::{Alias, Expr, IntoIden, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, IdenStatic, Iterable,
    QueryFilter, QueryTrait,
};
use tokio::sync::broadcast::error::RecvError;

use crate::auth::Caller;
use crate::config::Config;
use crate::error::{ErrorCode, GqlError};
use crate::events::{Change, Events, RowEvent};
use crate::permission::{Action, authorize};
use crate::plan::Fields;

/// The rows of `M` that `change` touched, as the caller of `ctx` may see them and `filter`
/// selects them. The caller's permission to read `M` and the filter are checked now: a refusal
/// is the subscription's error, before any event.
pub fn rows<M: Fields>(
    ctx: &Context<'_>,
    change: Change,
    filter: Option<M::Filter>,
) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<M>> + use<M>> {
    deliveries(ctx, change, filter, |delivery| match delivery {
        Delivery::Row(row) => Some(row),
        Delivery::Deleted(_) => None,
    })
}

/// The global ids of the rows of `M` deleted, as [`rows`] selects them: by their last values.
pub fn deleted<M: Fields>(
    ctx: &Context<'_>,
    filter: Option<M::Filter>,
) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<ID>> + use<M>> {
    deliveries::<M, _>(ctx, Change::Deleted, filter, |delivery| match delivery {
        Delivery::Deleted(id) => Some(id),
        Delivery::Row(_) => None,
    })
}

/// The deliveries of a subscriber's listener, as `pick` makes them items (a created or updated
/// row, a deleted row's id).
fn deliveries<M: Fields, T>(
    ctx: &Context<'_>,
    change: Change,
    filter: Option<M::Filter>,
    pick: fn(Delivery<M>) -> Option<T>,
) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<T>> + use<M, T>> {
    use futures_util::StreamExt as _;
    let listener = Listener::<M>::new(ctx, change, filter)?;
    Ok(futures_util::stream::unfold(listener, Listener::next)
        .filter_map(move |item| std::future::ready(item.map(pick).transpose())))
}

/// What a subscriber is sent about one row.
enum Delivery<M> {
    /// A created or updated row, as it is now.
    Row(M),
    /// A deleted row's global id.
    Deleted(ID),
}

/// One subscriber's place in the event stream.
struct Listener<M> {
    receiver: tokio::sync::broadcast::Receiver<RowEvent>,
    /// Where missed events are counted.
    events: Events,
    db: DatabaseConnection,
    change: Change,
    /// The subscriber's row scope and filter.
    condition: Condition,
    /// What the last event holds for the subscriber and is not sent yet.
    ready: VecDeque<Delivery<M>>,
    /// The stream has ended (it fell behind).
    ended: bool,
}

impl<M: Fields> Listener<M> {
    fn new(ctx: &Context<'_>, change: Change, filter: Option<M::Filter>) -> Result<Self, GqlError> {
        let caller = Caller::of(ctx);
        let scope = authorize::<M>(caller, Action::Read)?;
        let filter = filter
            .map(|f| crate::filter::condition(&f, "filter", caller, &Config::of(ctx).limits))
            .transpose()?;
        let condition = [scope, filter]
            .into_iter()
            .flatten()
            .fold(Condition::all(), Condition::add);
        let events = ctx
            .data_opt::<Events>()
            .ok_or_else(|| GqlError::internal("no Events in the schema data"))?;
        Ok(Listener {
            receiver: events.listen(),
            events: events.clone(),
            db: crate::connection::database(ctx)?.clone(),
            change,
            condition,
            ready: VecDeque::new(),
            ended: false,
        })
    }

    async fn next(mut self) -> Option<(async_graphql::Result<Delivery<M>>, Self)> {
        if self.ended {
            return None;
        }
        loop {
            if let Some(delivery) = self.ready.pop_front() {
                return Some((Ok(delivery), self));
            }
            match self.receiver.recv().await {
                Ok(event) if event.change == self.change && event.type_name == M::TYPE_NAME => {
                    match self.visible(&event).await {
                        Ok(deliveries) => self.ready.extend(deliveries),
                        Err(err) => return Some((Err(err.into()), self)),
                    }
                }
                Ok(_) => {}
                Err(RecvError::Lagged(missed)) => {
                    // Falling behind loses events; the subscriber is told and the stream ends,
                    // so that it knows to read the current state again. The client's reading
                    // pace caused it, not the server: not an internal error.
                    tracing::warn!(missed, model = M::TYPE_NAME, "a subscriber fell behind");
                    self.events.count_dropped(missed);
                    let err = GqlError::new(
                        ErrorCode::RateLimited,
                        format!("the subscription fell {missed} events behind and was ended"),
                    );
                    self.ended = true;
                    return Some((Err(err.into()), self));
                }
                Err(RecvError::Closed) => return None,
            }
        }
    }

    /// What this subscriber is told of `rows` (column values in `Column` order): created and
    /// updated rows as they are now, if still in its scope and filter; the ids of deleted ones
    /// whose last values were.
    async fn visible(&self, event: &RowEvent) -> Result<Vec<Delivery<M>>, GqlError> {
        let rows = &event.rows;
        let columns: Vec<_> = <M::Entity as EntityTrait>::Column::iter().collect();
        let Some((key_at, key)) = primary_key::<M>().and_then(|key| {
            columns
                .iter()
                .position(|c| c.as_str() == key.as_str())
                .map(|at| (at, key))
        }) else {
            return Ok(Vec::new());
        };
        if self.change != Change::Deleted {
            let keys = rows.iter().filter_map(|row| row.get(key_at).cloned());
            let select = M::Entity::find()
                .filter(key.is_in(keys))
                .filter(self.condition.clone());
            let sql = statement_key(&select.build(self.db.get_database_backend()));
            let found = event
                .shared(sql, async { Ok(select.all(&self.db).await?) })
                .await?;
            return Ok(found.iter().cloned().map(Delivery::Row).collect());
        }
        let mut kept = Vec::new();
        for row in rows.iter() {
            if row.len() != columns.len()
                || !self.matched_before_deletion(event, &columns, row).await?
            {
                continue;
            }
            if let Some(key) = crate::relation::key_text(&row[key_at]) {
                kept.push(Delivery::Deleted(ID(crate::global_id::encode(
                    M::TYPE_NAME,
                    key,
                ))));
            }
        }
        Ok(kept)
    }

    /// Whether the condition held for a deleted row: it is evaluated over a one-row table of
    /// the row's values, named as the model's table so that the condition's columns find them.
    async fn matched_before_deletion(
        &self,
        event: &RowEvent,
        columns: &[<M::Entity as EntityTrait>::Column],
        row: &[sea_orm::Value],
    ) -> Result<bool, GqlError> {
        if self.condition.is_empty() {
            return Ok(true);
        }
        let mut values = Query::select();
        for (column, value) in columns.iter().zip(row) {
            values.expr_as(Expr::val(value.clone()), Alias::new(column.as_str()));
        }
        let mut statement = Query::select();
        statement
            .expr(Expr::val(1))
            .from_subquery(values, M::Entity::default().into_iden())
            .cond_where(self.condition.clone());
        let sql = statement_key(&self.db.get_database_backend().build(&statement));
        let found = event
            .shared(sql, async {
                let found = self.db.query_one(&statement).await;
                Ok(found
                    .map_err(|err| GqlError::from_db(err, "filter"))?
                    .is_some())
            })
            .await?;
        Ok(*found)
    }
}

/// What identifies a statement's result: its SQL and its values, exactly.
fn statement_key(statement: &sea_orm::Statement) -> String {
    format!("{}\n{:?}", statement.sql, statement.values)
}

/// The column of the primary key (gqlgen's models have one).
fn primary_key<M: Fields>() -> Option<<M::Entity as EntityTrait>::Column> {
    use sea_orm::PrimaryKeyToColumn;
    <M::Entity as EntityTrait>::PrimaryKey::iter()
        .next()
        .map(PrimaryKeyToColumn::into_column)
}
