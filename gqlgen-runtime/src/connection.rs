//! Relay connections: the arguments, the page window they select, cursors and the page builder
//! shared by root and nested connections. A root connection query is one `SELECT ...
//! LIMIT/OFFSET` for the page and, only when `totalCount` is selected (or `last` counts from the
//! end), one `COUNT`; nested ones are cut per parent by [`crate::fetch`]. Cursors are opaque: base64 of the type name, a
//! hash of the order and the row's offset; a cursor of another type or order, or one that does
//! not decode, is `BAD_USER_INPUT`. Offsets keep every order (including nullable columns)
//! exact at the cost of shifting when rows are inserted between two page requests.

use std::borrow::Cow;

use std::marker::PhantomData;

use async_graphql::{Context, Object, SimpleObject, TypeName};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sea_orm::{DatabaseConnection, EntityTrait, QueryFilter, Select};

use crate::config::Config;
use crate::error::GqlError;
use crate::model::GraphQLModel;
use crate::order::OrderKeys;
use crate::permission::Action;

/// The pagination arguments of a connection field.
#[derive(Debug, Clone, Default)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
}

/// Information to aid in pagination.
// Declares the `PageInfo` type; values are rendered by `crate::render`.
#[derive(SimpleObject, Debug, Clone, PartialEq, Eq)]
#[graphql(name = "PageInfo")]
pub struct PageInfo {
    /// Whether rows follow this page.
    pub has_next_page: bool,
    /// Whether rows precede this page.
    pub has_previous_page: bool,
    /// The cursor of the first edge.
    pub start_cursor: Option<String>,
    /// The cursor of the last edge.
    pub end_cursor: Option<String>,
}

/// A root connection field's value: its query, checked and ready, not yet run. The planner
/// runs it with the columns the selection reads (`OutputType` is in [`crate::render`]).
pub struct Connection<M: GraphQLModel> {
    pub(crate) select: Select<M::Entity>,
    pub(crate) window: Plan,
    pub(crate) keys: OrderKeys<<M::Entity as EntityTrait>::Column>,
    pub(crate) cursors: CursorCodec,
}

pub use types::{ConnectionType, EdgeType};

/// Types that only declare GraphQL types: they have no values, so their resolvers cannot run.
mod types {
    #![allow(unreachable_code)]
    use super::*;

    /// Declares the `XConnection` object type to async-graphql (names, descriptions, field
    /// types). It has no values: [`Connection`] renders through the planner.
    pub enum ConnectionType<M> {
        #[doc(hidden)]
        Never(std::convert::Infallible, PhantomData<M>),
    }

    /// Declares the `XEdge` object type, like [`ConnectionType`].
    pub enum EdgeType<M> {
        #[doc(hidden)]
        Never(std::convert::Infallible, PhantomData<M>),
    }

    impl<M: GraphQLModel> TypeName for ConnectionType<M> {
        fn type_name() -> Cow<'static, str> {
            format!("{}Connection", M::TYPE_NAME).into()
        }
    }

    impl<M: GraphQLModel> TypeName for EdgeType<M> {
        fn type_name() -> Cow<'static, str> {
            format!("{}Edge", M::TYPE_NAME).into()
        }
    }

    #[Object(name_type)]
    impl<M: GraphQLModel> ConnectionType<M> {
        /// The rows of this page.
        async fn edges(&self) -> Vec<EdgeType<M>> {
            match *self {
                Self::Never(never, _) => match never {},
            }
        }

        /// Information to aid in pagination.
        async fn page_info(&self) -> PageInfo {
            match *self {
                Self::Never(never, _) => match never {},
            }
        }

        /// The number of rows that match the filter, over all pages.
        async fn total_count(&self) -> u64 {
            match *self {
                Self::Never(never, _) => match never {},
            }
        }

        /// Counts, sums, averages and bounds over every row that matches the filter.
        async fn aggregate(&self) -> crate::aggregate::AggregateType<M> {
            match *self {
                Self::Never(never, _) => match never {},
            }
        }
    }

    #[Object(name_type)]
    impl<M: GraphQLModel> EdgeType<M> {
        /// The row.
        async fn node(&self) -> M {
            match *self {
                Self::Never(never, _) => match never {},
            }
        }

        /// An opaque position to pass as `after` or `before`.
        async fn cursor(&self) -> String {
            match *self {
                Self::Never(never, _) => match never {},
            }
        }
    }
}

/// The database connection of a request.
pub fn database<'a>(ctx: &'a Context<'_>) -> Result<&'a DatabaseConnection, GqlError> {
    ctx.data::<DatabaseConnection>()
        .map_err(|_| GqlError::internal("no DatabaseConnection in the schema data"))
}

const CURSOR_PREFIX: &str = "gqlgen:1";

/// Offsets at or above this are refused: far beyond any table, far below `i64::MAX`.
const MAX_OFFSET: u64 = 1 << 48;

fn order_hash(signature: &str) -> String {
    // FNV-1a: stable across builds and platforms, unlike `DefaultHasher`.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in signature.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// Encodes and decodes the cursors of one connection field: its type and order are fixed per
/// request, so their part of the cursor is built once, not per row.
#[derive(Debug, Clone)]
pub struct CursorCodec {
    type_name: String,
    hash: String,
    /// `gqlgen:1:Type:hash:`, to which a row's offset is appended.
    prefix: String,
}

impl CursorCodec {
    /// The cursors of `type_name` rows in the order named by `signature`.
    pub fn new(type_name: &str, signature: &str) -> Self {
        let hash = order_hash(signature);
        let prefix = format!("{CURSOR_PREFIX}:{type_name}:{hash}:");
        CursorCodec {
            type_name: type_name.to_owned(),
            hash,
            prefix,
        }
    }

    /// The cursor of the row at `offset`.
    pub fn encode(&self, offset: u64) -> String {
        use std::fmt::Write as _;
        let mut text = String::with_capacity(self.prefix.len() + 20);
        text.push_str(&self.prefix);
        let _ = write!(text, "{offset}");
        URL_SAFE_NO_PAD.encode(text)
    }

    /// The offset of a cursor made by [`CursorCodec::encode`] for the same type and order.
    pub fn decode(&self, argument: &str, cursor: &str) -> Result<u64, GqlError> {
        let invalid =
            || GqlError::bad_input(format!("`{argument}` is not a valid cursor for this field"));
        let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
        let text = String::from_utf8(bytes).map_err(|_| invalid())?;
        let rest = text
            .strip_prefix(CURSOR_PREFIX)
            .and_then(|r| r.strip_prefix(':'))
            .ok_or_else(invalid)?;
        let mut parts = rest.rsplitn(3, ':');
        // Bounded so that `offset + 1` and SQL's signed OFFSET cannot overflow on a forged cursor.
        let offset = parts
            .next()
            .and_then(|o| o.parse::<u64>().ok())
            .filter(|o| *o < MAX_OFFSET)
            .ok_or_else(invalid)?;
        let hash = parts.next().ok_or_else(invalid)?;
        let name = parts.next().ok_or_else(invalid)?;
        if name != self.type_name {
            return Err(GqlError::bad_input(format!(
                "`{argument}` is a cursor of `{name}`, not of `{}`",
                self.type_name
            )));
        }
        if hash != self.hash {
            return Err(GqlError::bad_input(format!(
                "`{argument}` was made for another orderBy; pass the orderBy it came from"
            )));
        }
        Ok(offset)
    }

    /// [`CursorCodec::decode`] for an optional argument.
    pub fn decode_argument(
        &self,
        argument: &str,
        cursor: &Option<String>,
    ) -> Result<Option<u64>, GqlError> {
        cursor
            .as_deref()
            .map(|c| self.decode(argument, c))
            .transpose()
    }
}

/// Encodes the cursor of the row at `offset`.
pub fn encode_cursor(type_name: &str, signature: &str, offset: u64) -> String {
    CursorCodec::new(type_name, signature).encode(offset)
}

/// Decodes a cursor made by [`encode_cursor`] for the same type and order.
pub fn decode_cursor(
    argument: &str,
    type_name: &str,
    signature: &str,
    cursor: &str,
) -> Result<u64, GqlError> {
    CursorCodec::new(type_name, signature).decode(argument, cursor)
}

/// A page of a connection, root or nested: where its rows start in the whole list, how many
/// of the rows read belong to it, and its `pageInfo` flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Page {
    /// The offset of the page's first row in the whole list.
    pub(crate) offset: u64,
    pub(crate) len: usize,
    pub(crate) has_next_page: bool,
    pub(crate) has_previous_page: bool,
}

impl Page {
    /// `returned` rows were read for a page of at most `limit` starting at `offset` (one row
    /// past the page says a next page exists); `previous_when_empty` answers
    /// `hasPreviousPage` for an empty page.
    pub(crate) fn new(
        returned: usize,
        limit: usize,
        offset: u64,
        before_given: bool,
        previous_when_empty: bool,
    ) -> Page {
        let len = returned.min(limit);
        Page {
            offset,
            len,
            has_next_page: returned > limit || before_given,
            has_previous_page: if len == 0 {
                previous_when_empty
            } else {
                offset > 0
            },
        }
    }
}

/// The rows a request asks for: `offset`, `limit`, and whether `before` was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    pub offset: u64,
    pub limit: u64,
    /// `before` was given: rows follow the window.
    pub before_given: bool,
}

fn page_size(argument: &str, value: i32, max: u32) -> Result<u64, GqlError> {
    if value < 0 {
        return Err(GqlError::bad_input(format!(
            "`{argument}` must not be negative, got {value}"
        )));
    }
    if value as u64 > u64::from(max) {
        return Err(GqlError::bad_input(format!(
            "`{argument}` is {value}, above the maximum page size of {max}"
        )));
    }
    Ok(value as u64)
}

/// Checked Relay arguments, in offsets: the first offset after `after`, the page size, whether
/// the page is counted from the end (`last`), and the offset of `before`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    pub start: u64,
    pub size: u64,
    pub from_end: bool,
    pub before: Option<u64>,
    pub before_given: bool,
}

/// Checks the arguments: sizes within `0..=max`, not `first` and `last` together.
pub fn plan(
    args: &PageArgs,
    config: &Config,
    after: Option<u64>,
    before: Option<u64>,
) -> Result<Plan, GqlError> {
    if args.first.is_some() && args.last.is_some() {
        return Err(GqlError::bad_input("pass `first` or `last`, not both"));
    }
    let first = args
        .first
        .map(|n| page_size("first", n, config.max_page_size))
        .transpose()?;
    let last = args
        .last
        .map(|n| page_size("last", n, config.max_page_size))
        .transpose()?;
    let default = u64::from(config.default_page_size.min(config.max_page_size));
    Ok(Plan {
        start: after.map_or(0, |a| a + 1),
        size: last.or(first).unwrap_or(default),
        from_end: last.is_some(),
        before,
        before_given: before.is_some(),
    })
}

impl Plan {
    /// Whether the window depends on the total (`last` without `before`).
    pub fn needs_total(&self) -> bool {
        self.from_end && self.before.is_none()
    }

    /// The window over a list of `total` rows (only read when [`Plan::needs_total`]).
    pub fn window(&self, total: Option<u64>) -> Window {
        let end = self
            .before
            .or(if self.from_end { total } else { None })
            .map(|e| e.max(self.start));
        if self.from_end {
            let end = end.unwrap_or(self.start);
            let offset = end.saturating_sub(self.size).max(self.start);
            Window {
                offset,
                limit: end - offset,
                before_given: self.before_given,
            }
        } else {
            let limit = end.map_or(self.size, |end| self.size.min(end - self.start));
            Window {
                offset: self.start,
                limit,
                before_given: self.before_given,
            }
        }
    }

    /// Per-parent windows use 1-based row numbers: rows with a number above this are kept.
    pub(crate) fn row_after(&self) -> u64 {
        match (self.from_end, self.before) {
            (true, Some(b)) => b.saturating_sub(self.size).max(self.start),
            _ => self.start,
        }
    }

    /// Rows with a number up to this are kept; one past the page when counting from the start,
    /// which tells whether a next page exists.
    pub(crate) fn row_upper(&self) -> Option<u64> {
        if self.from_end {
            self.before
        } else {
            let upper = self.start + self.size + 1;
            Some(self.before.map_or(upper, |b| upper.min(b)))
        }
    }

    /// With `last` and no `before`: keep the rows whose number is above `total - n`.
    pub(crate) fn last_of_total(&self) -> Option<u64> {
        self.needs_total().then_some(self.size)
    }

    /// How many of `returned` rows belong to the page.
    pub(crate) fn limit_for(&self, returned: usize) -> usize {
        if self.from_end {
            returned
        } else {
            let bound = self
                .before
                .map_or(u64::MAX, |b| b.saturating_sub(self.start));
            self.size.min(bound) as usize
        }
    }
}

/// Turns Relay arguments into a window. `total` is asked for only by `last` without `before`.
pub async fn window<F, Fut>(
    args: &PageArgs,
    config: &Config,
    after: Option<u64>,
    before: Option<u64>,
    total: F,
) -> Result<Window, GqlError>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<u64, GqlError>>,
{
    let plan = plan(args, config, after, before)?;
    let total = if plan.needs_total() {
        Some(total().await?)
    } else {
        None
    };
    Ok(plan.window(total))
}

/// A root connection field: checks the arguments (filter, order, cursors, page size) and the
/// caller's read permission; the planner runs the query.
pub async fn resolve<M: GraphQLModel>(
    ctx: &Context<'_>,
    args: PageArgs,
    filter: Option<M::Filter>,
    order_by: Option<Vec<M::OrderBy>>,
) -> async_graphql::Result<Connection<M>> {
    over(ctx, M::Entity::find(), "", args, filter, order_by)
}

/// A connection over the rows `select` reads, as [`resolve`] makes one over the whole table:
/// `select`'s own conditions and order come first. `tag` goes into the cursors, so that those
/// of one field are refused by another whose base query orders differently.
pub(crate) fn over<M: GraphQLModel>(
    ctx: &Context<'_>,
    mut select: Select<M::Entity>,
    tag: &str,
    args: PageArgs,
    filter: Option<M::Filter>,
    order_by: Option<Vec<M::OrderBy>>,
) -> async_graphql::Result<Connection<M>> {
    let caller = crate::auth::Caller::of(ctx);
    let config = Config::of(ctx);
    if let Some(scope) = crate::permission::authorize::<M>(caller, Action::Read)? {
        select = select.filter(scope);
    }
    if let Some(filter) = &filter {
        select = select.filter(crate::filter::condition(
            filter,
            "filter",
            caller,
            &config.limits,
        )?);
    }
    let keys = OrderKeys::from_input(order_by.as_deref().unwrap_or_default(), caller)?;
    let signature = if tag.is_empty() {
        keys.signature()
    } else {
        format!("{tag}|{}", keys.signature())
    };
    let cursors = CursorCodec::new(M::TYPE_NAME, &signature);
    let after = cursors.decode_argument("after", &args.after)?;
    let before = cursors.decode_argument("before", &args.before)?;
    let window = plan(&args, config, after, before)?;
    Ok(Connection {
        select,
        window,
        keys,
        cursors,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(first: Option<i32>, last: Option<i32>) -> PageArgs {
        PageArgs {
            first,
            last,
            ..Default::default()
        }
    }

    async fn win(
        args: PageArgs,
        after: Option<u64>,
        before: Option<u64>,
        total: u64,
    ) -> Result<Window, GqlError> {
        window(&args, &Config::default(), after, before, || async move {
            Ok(total)
        })
        .await
    }

    #[tokio::test]
    async fn windows_follow_relay_arguments() {
        let w = |offset, limit, before_given| Window {
            offset,
            limit,
            before_given,
        };
        assert_eq!(
            win(args(None, None), None, None, 50).await.unwrap(),
            w(0, 20, false)
        );
        assert_eq!(
            win(args(Some(5), None), Some(9), None, 50).await.unwrap(),
            w(10, 5, false)
        );
        assert_eq!(
            win(args(Some(5), None), Some(9), Some(12), 50)
                .await
                .unwrap(),
            w(10, 2, true)
        );
        assert_eq!(
            win(args(None, Some(3)), None, Some(10), 50).await.unwrap(),
            w(7, 3, true)
        );
        assert_eq!(
            win(args(None, Some(3)), None, None, 50).await.unwrap(),
            w(47, 3, false)
        );
        assert_eq!(
            win(args(None, Some(30)), Some(40), None, 50).await.unwrap(),
            w(41, 9, false)
        );
        assert_eq!(
            win(args(None, Some(3)), None, Some(1), 50).await.unwrap(),
            w(0, 1, true)
        );
        assert_eq!(
            win(args(Some(3), None), Some(60), None, 50).await.unwrap(),
            w(61, 3, false)
        );
    }

    #[tokio::test]
    async fn bad_page_sizes_are_bad_user_input() {
        for a in [
            args(Some(101), None),
            args(None, Some(1_000_000)),
            args(Some(-1), None),
            args(Some(1), Some(1)),
        ] {
            let err = win(a, None, None, 0).await.unwrap_err();
            assert_eq!(err.code, crate::ErrorCode::BadUserInput);
        }
    }

    #[test]
    fn cursors_round_trip_and_refuse_foreign_or_tampered_ones() {
        let c = encode_cursor("Product", "+name,+id", 41);
        assert_eq!(
            decode_cursor("after", "Product", "+name,+id", &c).unwrap(),
            41
        );
        assert!(
            decode_cursor("after", "Category", "+name,+id", &c)
                .unwrap_err()
                .message
                .contains("`Category`")
        );
        assert!(decode_cursor("after", "Product", "-name,+id", &c).is_err());
        let mut tampered = c.clone();
        tampered.insert(3, '!');
        assert!(decode_cursor("after", "Product", "+name,+id", &tampered).is_err());
        assert!(decode_cursor("after", "Product", "+name,+id", "").is_err());
        let forged = URL_SAFE_NO_PAD.encode("gqlgen:1:Product:x:-1");
        assert!(decode_cursor("after", "Product", "+name,+id", &forged).is_err());
        let hash = order_hash("+name,+id");
        for offset in [u64::MAX.to_string(), MAX_OFFSET.to_string()] {
            let huge = URL_SAFE_NO_PAD.encode(format!("gqlgen:1:Product:{hash}:{offset}"));
            let err = decode_cursor("after", "Product", "+name,+id", &huge).unwrap_err();
            assert_eq!(err.code, crate::ErrorCode::BadUserInput);
        }
        let hash = order_hash("+name,+id");
        for offset in [u64::MAX.to_string(), (1u64 << 48).to_string()] {
            let huge = URL_SAFE_NO_PAD.encode(format!("gqlgen:1:Product:{hash}:{offset}"));
            let err = decode_cursor("after", "Product", "+name,+id", &huge).unwrap_err();
            assert_eq!(err.code, crate::ErrorCode::BadUserInput);
        }
    }
}
