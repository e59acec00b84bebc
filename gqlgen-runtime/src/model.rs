//! The trait `#[derive(GraphQLModel)]` implements: it ties a sea-orm model to the GraphQL types
//! generated for it, so that generic runtime code (connections, lookups by id) can serve every
//! model without per-model code.

use async_graphql::{ObjectType, OutputType};
use sea_orm::EntityTrait;

use crate::filter::FilterInput;
use crate::order::OrderInput;
use crate::policy::Permission;

/// A sea-orm model exposed as a GraphQL object type.
pub trait GraphQLModel:
    OutputType + sea_orm::FromQueryResult + Clone + Send + Sync + 'static
{
    /// The sea-orm entity whose rows are this model.
    type Entity: EntityTrait<Model = Self>;
    /// The generated `XFilter` input.
    type Filter: FilterInput<Entity = Self::Entity> + async_graphql::InputType;
    /// The column lookups of `XFilter` alone, which other models' filters embed to filter
    /// across a belongs-to relation.
    type Lookups: FilterInput<Entity = Self::Entity> + async_graphql::InputObjectType + Default;
    /// The generated `XOrderBy` input.
    type OrderBy: OrderInput<Entity = Self::Entity>;
    /// The generated root fields `x(id:)` and `xs(...)`, merged into the schema's query root.
    type Query: ObjectType + Default;
    /// The GraphQL object type name, such as `Product`.
    const TYPE_NAME: &'static str;
    /// The Rust name of the primary key column (`id`): what the belongs-to relations of other
    /// models exposing their foreign key as this model's global id must read.
    const PRIMARY_KEY: &'static str;
    /// Every column of the table, with its GraphQL field (if exposed) and how to skip reading it.
    const COLUMNS: &'static [ColumnInfo<<Self::Entity as EntityTrait>::Column>];
    /// The GraphQL names of the computed fields; selecting one reads every column, since the
    /// method may use any of them.
    const COMPUTED: &'static [&'static str];
    /// `permissions(...)`: every one must allow an action; their row scopes narrow the SQL.
    const PERMISSIONS: &'static [&'static dyn Permission];
    /// The columns a connection's `aggregate` sums, averages and bounds: the numeric and
    /// date/time columns every caller may read.
    const AGGREGATES: &'static [AggregateColumn<<Self::Entity as EntityTrait>::Column>] = &[];
    /// `cache(...)`: answers reading this model may be served from the response cache;
    /// `None` (no attribute): they never are.
    const CACHE: Option<CachePolicy> = None;
    /// `owner = ...`: who owns a row, for owner-based permissions.
    fn owner() -> Owner<Self::Entity>;
}

/// `cache(ttl = …, vary_on_user)` of a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CachePolicy {
    /// Seconds a cached answer lives; `None`: the configured default (`cache.default_ttl`).
    pub ttl: Option<u32>,
    /// Cached answers are per caller even where the model's permissions would not make them.
    pub vary_on_user: bool,
}

/// Who owns a row, as `owner = ...` says.
pub enum Owner<E: EntityTrait> {
    /// No owner: owner-based permissions let only staff through.
    Nobody,
    /// `owner = user_id`: this column holds the owner's user id.
    Column(E::Column),
    /// `owner = order`: the row belongs to the row its foreign key `key` points at, and that
    /// row's owner owns it. `parents` gives the keys of the parent rows a user owns, as SQL.
    Through {
        key: E::Column,
        parents: fn(&str) -> Option<sea_orm::sea_query::SelectStatement>,
    },
}

impl<E: EntityTrait> Owner<E> {
    /// Whether `column` is the one holding the owner's user id (`owner = user_id`).
    pub(crate) fn is_column(&self, column: &str) -> bool {
        matches!(self, Owner::Column(owner) if sea_orm::IdenStatic::as_str(owner) == column)
    }
}

/// A column of `aggregate { sum avg min max }`; [`crate::aggregate`] builds its SQL.
pub struct AggregateColumn<C> {
    pub column: C,
    /// The GraphQL field of the column, and of its aggregates.
    pub field: &'static str,
    pub kind: AggregateKind,
    /// The column's GraphQL type without `!`: the type of its `min` and `max`.
    pub type_name: fn() -> std::borrow::Cow<'static, str>,
    /// Reads a `min` or `max` of the column from a row, at a position (`null` when no row).
    pub bound: fn(&sea_orm::QueryResult, usize) -> Result<async_graphql::Value, sea_orm::DbErr>,
    /// A decimal column's declared scale: its sums and bounds are written with it.
    pub scale: Option<u32>,
}

/// What a column's aggregates can be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggregateKind {
    /// Integers: `sum` is an `Int`, `avg` a `Float`.
    Int,
    /// Floats: `sum` and `avg` are `Float`s.
    Float,
    /// Decimals: `sum` is a `Decimal`, exact; `avg` a `Float`.
    Decimal,
    /// Dates and times: only `min` and `max`.
    Temporal,
}

/// A column as column pruning sees it.
pub struct ColumnInfo<C> {
    pub column: C,
    /// The GraphQL field that reads it; `None` when hidden from the schema.
    pub field: Option<&'static str>,
    pub placeholder: Placeholder,
}

/// The [`ColumnInfo`] of a column of `M`'s table.
pub(crate) type ColumnOf<M> = ColumnInfo<<<M as GraphQLModel>::Entity as EntityTrait>::Column>;

/// What happens to a column no field of the request reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placeholder {
    /// Always read: keys whose type has no `Default`, and types without a cheap stand-in.
    Never,
    /// A type with a `Default` (numbers, text, booleans, uuids, dates and times, and any
    /// nullable column): not selected at all; the row decoded holds the default.
    Skip,
    /// A primary or foreign key with a `Default`: read when a relation of the selection matches
    /// on it or a guarded field needs the row's owner, otherwise left out as with `Skip`.
    Key,
}

/// Which of a model's columns (in [`GraphQLModel::COLUMNS`] order) a pruned statement
/// ([`crate::fetch::prune`]) selects, and where in its rows they start: a relation joined into
/// its parents' statement reads its columns after theirs.
/// Generated `Fields::from_row` code reads a row through it.
pub struct SelectedColumns {
    /// Per column: left out of the statement.
    skipped: Vec<bool>,
    /// How many columns the statement selects.
    width: usize,
    /// The position of the first one in the row.
    start: usize,
}

impl SelectedColumns {
    pub(crate) fn new(skipped: Vec<bool>) -> SelectedColumns {
        let width = skipped.iter().filter(|skipped| !**skipped).count();
        SelectedColumns {
            skipped,
            width,
            start: 0,
        }
    }

    /// The same columns, read from position `start` of the row.
    pub(crate) fn starting_at(self, start: usize) -> SelectedColumns {
        SelectedColumns { start, ..self }
    }

    /// The position of the first column in the row.
    #[doc(hidden)]
    pub fn start(&self) -> usize {
        self.start
    }

    /// Every column of a table of `count` columns.
    pub(crate) fn all(count: usize) -> SelectedColumns {
        SelectedColumns::new(vec![false; count])
    }

    /// How many of the model's columns the statement selects.
    pub(crate) fn width(&self) -> usize {
        self.width
    }

    /// The column at `index`, if selected, at position `at` of the row; otherwise the default.
    #[doc(hidden)]
    pub fn read_or_default<T: sea_orm::TryGetable + Default>(
        &self,
        row: &sea_orm::QueryResult,
        index: usize,
        at: &mut usize,
    ) -> Result<T, sea_orm::DbErr> {
        if self.skipped.get(index).copied().unwrap_or(false) {
            return Ok(T::default());
        }
        self.read(row, at)
    }

    /// The column at position `at` of the row, always selected.
    #[doc(hidden)]
    pub fn read<T: sea_orm::TryGetable>(
        &self,
        row: &sea_orm::QueryResult,
        at: &mut usize,
    ) -> Result<T, sea_orm::DbErr> {
        let value = row.try_get_by_index(*at)?;
        *at += 1;
        Ok(value)
    }
}

/// A model with generated mutations: `createX`, `updateX`, `deleteX` and the bulk ones.
pub trait GraphQLMutations: GraphQLModel {
    /// The generated mutation fields, merged into the schema's mutation root.
    type Mutation: ObjectType + Default;
    /// `validator = Type`, or [`crate::validate::NoValidator`]. Named once here, so a type
    /// that does not implement the trait is one error, at the attribute.
    type Validator: crate::validate::ModelValidator<<Self::Entity as EntityTrait>::ActiveModel>;
    /// The names of the detail and list fields, which the payloads use.
    const NAMES: MutationNames;
}

/// A model with `subscriptions(created, updated, deleted)`: `xCreated`, `xUpdated`, `xDeleted`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no subscription fields",
    label = "listed in `subscription_root!`",
    note = "add `subscriptions(created, updated, deleted)` (or some of them) to the model's `#[graphql(...)]`"
)]
pub trait GraphQLSubscriptions: GraphQLModel {
    /// The generated subscription fields, merged into the schema's subscription root by
    /// `subscription_root!`.
    type Subscription: async_graphql::SubscriptionType + Default;
}

/// The GraphQL names a model's mutations use.
pub struct MutationNames {
    /// The detail field, and the row field of a single-row payload: `product`.
    pub detail: &'static str,
    /// The list field, and the rows field of a bulk create's payload: `products`.
    pub list: &'static str,
    /// The list field in PascalCase, for the bulk mutations' names: `Products`.
    pub list_pascal: &'static str,
}

/// Fails the build (in a `const`) when a belongs-to relation whose foreign key is exposed as the
/// related model's global id reads another column than that model's primary key: its values
/// would be ids of no row.
#[doc(hidden)]
pub const fn assert_references_primary_key(primary_key: &str, to: &str) {
    // A model the derive refused has no key to compare with; its own error is enough.
    if primary_key.is_empty() {
        return;
    }
    let (a, b) = (primary_key.as_bytes(), to.as_bytes());
    let mut same = a.len() == b.len();
    let mut i = 0;
    while same && i < a.len() {
        same = a[i] == b[i];
        i += 1;
    }
    if !same {
        panic!(
            "this belongs-to relation's `to` is not the related model's primary key, but gqlgen \
             exposes its `from` column as the related row's global id (`ID`), which names the \
             primary key: point `to` at the related primary key"
        );
    }
}
