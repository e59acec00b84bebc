//! Aggregates on connections: `aggregate { count sum { price } avg { price } min { createdAt }
//! max { createdAt } }` over every row a connection's filter and row scope let through, not
//! only its page. This module declares the GraphQL types of a model's aggregates
//! (`ProductAggregate`, `ProductSumFields`, `ProductAvgFields`, `ProductMinMaxFields`) from its
//! [`GraphQLModel::AGGREGATES`], writes the SQL of each measure and reads its value back.
//! [`crate::plan`] picks the measures a selection asks for; [`crate::fetch`] computes them in
//! one statement per connection field: over the root connection's query, or for all the
//! parents of a nested one at once, grouped by the parent's key; [`crate::render`] writes them.

use std::borrow::Cow;
use std::convert::Infallible;
use std::marker::PhantomData;

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::Field;
use async_graphql::registry::{MetaTypeId, Registry};
use async_graphql::{ContextSelectionSet, OutputType, Positioned, ScalarType, ServerResult, Value};
use sea_orm::sea_query::{DynIden, Expr, IntoIden};
use sea_orm::{DbBackend, DbErr, QueryResult, TryGetable};

use crate::model::{AggregateColumn, AggregateKind, GraphQLModel};
use crate::registry as meta;

/// An aggregate function, as the field of `XAggregate` that asks for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Function {
    Count,
    Sum,
    Avg,
    Min,
    Max,
}

impl Function {
    /// The functions of a column, in the order `XAggregate` lists them.
    const OF_COLUMNS: [Function; 4] = [Function::Sum, Function::Avg, Function::Min, Function::Max];

    /// The function the field `name` of `XAggregate` asks for.
    pub(crate) fn of_field(name: &str) -> Option<Function> {
        Some(match name {
            "count" => Function::Count,
            "sum" => Function::Sum,
            "avg" => Function::Avg,
            "min" => Function::Min,
            "max" => Function::Max,
            _ => return None,
        })
    }

    fn field(self) -> &'static str {
        match self {
            Function::Count => "count",
            Function::Sum => "sum",
            Function::Avg => "avg",
            Function::Min => "min",
            Function::Max => "max",
        }
    }

    /// Whether the function applies to columns of `kind`: dates are bounded, not summed.
    fn applies(self, kind: AggregateKind) -> bool {
        match self {
            Function::Count => false,
            Function::Sum | Function::Avg => kind != AggregateKind::Temporal,
            Function::Min | Function::Max => true,
        }
    }

    /// The object type of the function's per-column values, for the model `type_name`.
    pub(crate) fn type_name(self, type_name: &str) -> String {
        match self {
            Function::Count => "Int".to_owned(),
            Function::Sum => format!("{type_name}SumFields"),
            Function::Avg => format!("{type_name}AvgFields"),
            Function::Min | Function::Max => format!("{type_name}MinMaxFields"),
        }
    }

    /// The GraphQL type of the function's value over `column`: sums keep integers and decimals
    /// exact, averages are floats, bounds have the column's type.
    fn value_type<C>(self, column: &AggregateColumn<C>) -> String {
        match (self, column.kind) {
            (Function::Count, _) => "Int!".to_owned(),
            (Function::Sum, AggregateKind::Int) => "Int".to_owned(),
            (Function::Sum, AggregateKind::Decimal) | (Function::Min | Function::Max, _) => {
                (column.type_name)().into_owned()
            }
            (Function::Sum | Function::Avg, _) => "Float".to_owned(),
        }
    }

    fn description(self) -> &'static str {
        match self {
            Function::Count => "The number of rows that match the filter, over all pages.",
            Function::Sum => "Sums over the rows that match the filter; null when there is none.",
            Function::Avg => {
                "Averages over the rows that match the filter; null when there is none."
            }
            Function::Min => "The smallest values among the rows that match the filter.",
            Function::Max => "The largest values among the rows that match the filter.",
        }
    }
}

/// One value an aggregate statement computes: `COUNT(*)`, or a function of the column at
/// `column` in [`GraphQLModel::AGGREGATES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Measure {
    pub(crate) function: Function,
    pub(crate) column: usize,
}

impl Measure {
    /// `COUNT(*)`: always the first measure of a statement, since `totalCount` can read it.
    pub(crate) const COUNT: Measure = Measure {
        function: Function::Count,
        column: 0,
    };

    /// The measure's SQL, its column read from `table`. Sums of integers and averages are cast
    /// so that every database answers one type: PostgreSQL sums `bigint`s as `numeric`.
    pub(crate) fn sql<M: GraphQLModel>(self, backend: DbBackend, table: &DynIden) -> Expr {
        if self.function == Function::Count {
            return Expr::cust("COUNT(*)");
        }
        let info = &M::AGGREGATES[self.column];
        let column = Expr::col((table.clone(), info.column.into_iden()));
        let float = match backend {
            DbBackend::MySql => "DOUBLE",
            DbBackend::Sqlite => "REAL",
            _ => "DOUBLE PRECISION",
        };
        let integer = match backend {
            DbBackend::MySql => "SIGNED",
            _ => "BIGINT",
        };
        // The column's place in the template: `$1` where placeholders are numbered, else `?`.
        let arg = match backend {
            DbBackend::Postgres => "$1",
            _ => "?",
        };
        let mut template = match (self.function, info.kind) {
            (Function::Sum, AggregateKind::Int) => format!("CAST(SUM({arg}) AS {integer})"),
            (Function::Sum, AggregateKind::Decimal) => format!("SUM({arg})"),
            (Function::Sum, _) => format!("CAST(SUM({arg}) AS {float})"),
            (Function::Avg, _) => format!("CAST(AVG({arg}) AS {float})"),
            (Function::Min, _) => format!("MIN({arg})"),
            (Function::Max | Function::Count, _) => format!("MAX({arg})"),
        };
        // SQLite keeps whole decimals as integers, and sea-orm reads its decimals as reals.
        if info.kind == AggregateKind::Decimal && backend == DbBackend::Sqlite {
            template = format!("CAST({template} AS REAL)");
        }
        Expr::cust_with_expr(template, column)
    }

    /// The measure's value in `row`, at position `at`, as its GraphQL value.
    pub(crate) fn read<M: GraphQLModel>(
        self,
        row: &QueryResult,
        at: usize,
    ) -> Result<Value, DbErr> {
        if self.function == Function::Count {
            return Ok(Value::from(row.try_get_by_index::<i64>(at)?));
        }
        let info = &M::AGGREGATES[self.column];
        Ok(match (self.function, info.kind) {
            (Function::Avg, _) | (Function::Sum, AggregateKind::Float) => row
                .try_get_by_index::<Option<f64>>(at)?
                .map_or(Value::Null, Value::from),
            (Function::Sum, AggregateKind::Int) => row
                .try_get_by_index::<Option<i64>>(at)?
                .map_or(Value::Null, Value::from),
            (_, AggregateKind::Decimal) => {
                match row.try_get_by_index::<Option<rust_decimal::Decimal>>(at)? {
                    Some(mut value) => {
                        if let Some(scale) = info.scale {
                            value.rescale(scale);
                        }
                        Value::String(value.to_string())
                    }
                    None => Value::Null,
                }
            }
            _ => (info.bound)(row, at)?,
        })
    }
}

/// The values of `measures` in `row`, from position `start` on.
pub(crate) fn read_all<M: GraphQLModel>(
    measures: &[Measure],
    row: &QueryResult,
    start: usize,
) -> Result<Vec<Value>, DbErr> {
    measures
        .iter()
        .enumerate()
        .map(|(at, measure)| measure.read::<M>(row, start + at))
        .collect()
}

/// The count among values of measures (`COUNT(*)` comes first), if they were computed.
pub(crate) fn count(values: &[Value]) -> Option<u64> {
    match values.first() {
        Some(Value::Number(count)) => count.as_u64(),
        _ => None,
    }
}

/// The values of `measures` over no row: a count of 0, every other value `null`.
pub(crate) fn empty(measures: &[Measure]) -> Vec<Value> {
    measures
        .iter()
        .map(|measure| match measure.function {
            Function::Count => Value::from(0),
            _ => Value::Null,
        })
        .collect()
}

/// Reads the `min` or `max` of a column of type `T` at position `at` of a row. Generated code
/// names it in [`AggregateColumn::bound`].
pub fn bound<T: TryGetable + ScalarType>(row: &QueryResult, at: usize) -> Result<Value, DbErr> {
    Ok(row
        .try_get_by_index::<Option<T>>(at)?
        .map_or(Value::Null, |value| value.to_value()))
}

/// The measure a `column` field of a `function`'s object asks for, if `M` aggregates it so.
pub(crate) fn measure<M: GraphQLModel>(function: Function, field: &str) -> Option<Measure> {
    M::AGGREGATES
        .iter()
        .position(|info| info.field == field && function.applies(info.kind))
        .map(|column| Measure { function, column })
}

/// Declares the `XAggregate` object type of `M` and the objects of its functions. It has no
/// values: the planner renders aggregates.
pub struct AggregateType<M>(Infallible, PhantomData<M>);

impl<M: GraphQLModel> OutputType for AggregateType<M> {
    fn type_name() -> Cow<'static, str> {
        format!("{}Aggregate", M::TYPE_NAME).into()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        registry.create_output_type::<Self, _>(MetaTypeId::Object, |registry| {
            let mut fields = IndexMap::new();
            let count = Function::Count;
            fields.insert(
                count.field().to_owned(),
                meta::field(count.field(), "Int!".to_owned(), Some(count.description())),
            );
            for function in Function::OF_COLUMNS {
                let columns: Vec<_> = M::AGGREGATES
                    .iter()
                    .filter(|info| function.applies(info.kind))
                    .collect();
                if columns.is_empty() {
                    continue;
                }
                let group = function.type_name(M::TYPE_NAME);
                if !registry.types.contains_key(&group) {
                    let group_fields = columns
                        .iter()
                        .map(|info| {
                            let ty = function.value_type(info);
                            (info.field.to_owned(), meta::field(info.field, ty, None))
                        })
                        .collect();
                    let description = format!("Per-column aggregates of `{}` rows.", M::TYPE_NAME);
                    registry.types.insert(
                        group.clone(),
                        meta::object(group.clone(), Some(description), group_fields, None),
                    );
                }
                fields.insert(
                    function.field().to_owned(),
                    meta::field(function.field(), group, Some(function.description())),
                );
            }
            let description = format!(
                "Aggregates over every `{}` row that matches the connection's filter, not only \
                 its page.",
                M::TYPE_NAME
            );
            meta::object(
                Self::type_name().into_owned(),
                Some(description),
                fields,
                Some(std::any::type_name::<Self>()),
            )
        })
    }

    async fn resolve(
        &self,
        _: &ContextSelectionSet<'_>,
        _: &Positioned<Field>,
    ) -> ServerResult<Value> {
        match self.0 {}
    }
}

/// The entity's table, as statements name it.
pub(crate) fn table<M: GraphQLModel>() -> DynIden {
    M::Entity::default().into_iden()
}
