//! Ordering inputs. `orderBy: [{price: DESC}, {name: ASC}]` is a list of one-field objects, so
//! the client states the precedence; the primary key is appended as a tiebreak so that pages
//! are stable. NULLs sort last ascending and first descending on every backend.

use async_graphql::{Enum, InputType};
use sea_orm::{ColumnTrait, EntityTrait};

use crate::auth::Caller;
use crate::error::GqlError;

/// `ASC` or `DESC`.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "OrderDirection")]
pub enum OrderDirection {
    /// Smallest first; NULLs last.
    Asc,
    /// Largest first; NULLs first.
    Desc,
}

/// A generated `XOrderBy` input: one optional direction per orderable column.
pub trait OrderInput: InputType {
    /// The entity whose columns are ordered.
    type Entity: EntityTrait;
    /// Pushes the set fields of this item, in declaration order.
    fn push_keys(&self, keys: &mut OrderKeys<<Self::Entity as EntityTrait>::Column>);
}

/// The sort keys of a request, in precedence order.
#[derive(Debug, Clone)]
pub struct OrderKeys<C> {
    pub keys: Vec<(C, OrderDirection)>,
    set_in_item: usize,
    /// Set fields that need a permission: `(field, codename)`.
    guarded: Vec<(&'static str, &'static str)>,
}

impl<C: ColumnTrait> Default for OrderKeys<C> {
    fn default() -> Self {
        OrderKeys {
            keys: Vec::new(),
            set_in_item: 0,
            guarded: Vec::new(),
        }
    }
}

impl<C: ColumnTrait> OrderKeys<C> {
    /// Called by generated code for each field of an item.
    pub fn push(&mut self, column: C, direction: Option<OrderDirection>) {
        if let Some(direction) = direction {
            self.keys.push((column, direction));
            self.set_in_item += 1;
        }
    }

    /// Like [`OrderKeys::push`], for a field with `permission = "codename"`.
    pub fn push_guarded(
        &mut self,
        column: C,
        direction: Option<OrderDirection>,
        field: &'static str,
        codename: &'static str,
    ) {
        if direction.is_some() {
            self.guarded.push((field, codename));
        }
        self.push(column, direction);
    }

    /// The keys of `orderBy`, then the primary key columns not already among them. Ordering by
    /// a field the caller may not read is refused: the order of rows would reveal its values.
    pub fn from_input<O>(items: &[O], caller: &Caller) -> Result<Self, GqlError>
    where
        O: OrderInput,
        O::Entity: EntityTrait<Column = C>,
    {
        use sea_orm::{Iterable, PrimaryKeyToColumn};
        let mut keys = OrderKeys::default();
        for (index, item) in items.iter().enumerate() {
            keys.set_in_item = 0;
            item.push_keys(&mut keys);
            if keys.set_in_item != 1 {
                return Err(GqlError::bad_input(format!(
                    "orderBy[{index}] must set exactly one field, it sets {}; \
                     write [{{a: ASC}}, {{b: DESC}}] to order by several",
                    keys.set_in_item
                )));
            }
            // A column ordered twice means nothing more; refusing it also bounds the list by
            // the number of orderable columns, whatever its length.
            if let Some((column, _)) = keys.keys.last()
                && keys.keys[..keys.keys.len() - 1]
                    .iter()
                    .any(|(earlier, _)| earlier.as_str() == column.as_str())
            {
                return Err(GqlError::bad_input(format!(
                    "orderBy[{index}] orders by a field an earlier item orders by; name each \
                     field once"
                )));
            }
        }
        for (field, codename) in &keys.guarded {
            crate::policy::check_field_use(caller, field, codename)?;
        }
        for pk in <O::Entity as EntityTrait>::PrimaryKey::iter() {
            let column = pk.into_column();
            if !keys.keys.iter().any(|(c, _)| c.as_str() == column.as_str()) {
                keys.keys.push((column, OrderDirection::Asc));
            }
        }
        Ok(keys)
    }

    /// A short text naming the order, part of each cursor so a cursor of another order is refused.
    pub fn signature(&self) -> String {
        self.keys
            .iter()
            .map(|(c, d)| {
                format!(
                    "{}{}",
                    if *d == OrderDirection::Asc { '+' } else { '-' },
                    c.as_str()
                )
            })
            .collect::<Vec<_>>()
            .join(",")
    }
}
