//! How a relation field reaches its rows: [`RelationSpec`] turns sea-orm's `RelationDef`s so that
//! they start at the parent's table (through the junction for many-to-many), and the key helpers
//! read a relation's one key column and compare key values as text. Model-free, so filters,
//! permissions, loading and mutations all build on it.

use sea_orm::{EntityTrait, RelationDef, Value};

use crate::error::GqlError;

/// How a relation field reaches its rows.
#[derive(Clone)]
pub struct RelationSpec {
    /// From the parent's table: to the related table, or to the junction.
    pub def: RelationDef,
    /// From the junction to the related table, for many-to-many.
    pub via: Option<RelationDef>,
    /// Whether the parent holds the foreign key (belongs-to).
    pub parent_owns_key: bool,
}

fn table_of(table: &sea_orm::sea_query::TableRef) -> String {
    table.sea_orm_table().to_string()
}

fn table_name<E: EntityTrait>() -> String {
    sea_orm::EntityName::table_name(&E::default()).to_owned()
}

/// `def` turned to start at `from`'s table; a self-reference keeps the turn whose starting
/// side holds the foreign key exactly when `from_owns_key`.
fn oriented<E: EntityTrait>(def: RelationDef, from_owns_key: bool) -> RelationDef {
    let from = table_name::<E>();
    let (starts, ends) = (
        table_of(&def.from_tbl) == from,
        table_of(&def.to_tbl) == from,
    );
    let keep = match (starts, ends) {
        (true, false) => true,
        (false, true) => false,
        // sea-orm sets `is_owner` on the side the relation is declared on, which for a
        // self-reference is the side that does *not* start at the key holder.
        _ => def.is_owner != from_owns_key,
    };
    if keep { def } else { def.rev() }
}

impl RelationSpec {
    /// A direct relation of `P` to `C`; `def` may point either way.
    pub fn direct<P: EntityTrait, C: EntityTrait>(def: RelationDef, parent_owns_key: bool) -> Self {
        RelationSpec {
            def: oriented::<P>(def, parent_owns_key),
            via: None,
            parent_owns_key,
        }
    }

    /// The relation sea-orm's `Related<C>` describes: many-to-many when it goes through a
    /// junction (`via`), direct otherwise.
    pub fn related<P, C>(parent_owns_key: bool) -> Self
    where
        P: EntityTrait + sea_orm::Related<C>,
        C: EntityTrait,
    {
        match P::via() {
            // `via` joins the parent and the junction, `to` the junction and `C`.
            Some(via) => {
                let via = oriented::<P>(via, false);
                let to = P::to();
                let to = if table_of(&to.to_tbl) == table_name::<C>() {
                    to
                } else {
                    to.rev()
                };
                RelationSpec {
                    def: via,
                    via: Some(to),
                    parent_owns_key: false,
                }
            }
            None => RelationSpec::direct::<P, C>(P::to(), parent_owns_key),
        }
    }
}

/// The one column of a relation key; composite keys are refused.
pub(crate) fn key_column(
    identity: &sea_orm::Identity,
) -> Result<sea_orm::sea_query::DynIden, GqlError> {
    match identity {
        sea_orm::Identity::Unary(iden) => Ok(iden.clone()),
        _ => Err(GqlError::internal(
            "composite relation keys are not supported",
        )),
    }
}

/// A key value as text, the same for a parent's value and the value read back from SQL.
pub(crate) fn key_text(value: &Value) -> Option<String> {
    Some(match value {
        Value::TinyInt(Some(v)) => v.to_string(),
        Value::SmallInt(Some(v)) => v.to_string(),
        Value::Int(Some(v)) => v.to_string(),
        Value::BigInt(Some(v)) => v.to_string(),
        Value::TinyUnsigned(Some(v)) => v.to_string(),
        Value::SmallUnsigned(Some(v)) => v.to_string(),
        Value::Unsigned(Some(v)) => v.to_string(),
        Value::BigUnsigned(Some(v)) => v.to_string(),
        Value::String(Some(v)) => v.to_string(),
        Value::Uuid(Some(v)) => v.to_string(),
        _ => return None,
    })
}
