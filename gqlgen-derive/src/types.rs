//! What a column's Rust type means for GraphQL: its kind decides the lookups a filter may use.

use syn::{GenericArgument, PathArguments, Type};

/// The kind of a column, read from its Rust type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A primary or foreign key, exposed as `ID`.
    Id,
    Int,
    Float,
    Decimal,
    Text,
    Bool,
    Temporal,
    Uuid,
    Json,
    /// Anything else: a sea-orm enum deriving `GraphQLEnum`, or a type with its own scalar.
    Other,
}

/// A lookup of DESIGN.md; the runtime's `filter::Lookup` has the same variants, so generated
/// code names them by [`Lookup::variant`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    Exact,
    Iexact,
    Contains,
    Icontains,
    Startswith,
    Istartswith,
    Endswith,
    Iendswith,
    In,
    Gt,
    Gte,
    Lt,
    Lte,
    Range,
    Isnull,
}

impl Lookup {
    /// Every lookup, in DESIGN.md's order.
    pub const ALL: [Lookup; 15] = [
        Lookup::Exact,
        Lookup::Iexact,
        Lookup::Contains,
        Lookup::Icontains,
        Lookup::Startswith,
        Lookup::Istartswith,
        Lookup::Endswith,
        Lookup::Iendswith,
        Lookup::In,
        Lookup::Gt,
        Lookup::Gte,
        Lookup::Lt,
        Lookup::Lte,
        Lookup::Range,
        Lookup::Isnull,
    ];

    /// The name in attributes: `icontains`.
    pub fn name(self) -> &'static str {
        match self {
            Lookup::Exact => "exact",
            Lookup::Iexact => "iexact",
            Lookup::Contains => "contains",
            Lookup::Icontains => "icontains",
            Lookup::Startswith => "startswith",
            Lookup::Istartswith => "istartswith",
            Lookup::Endswith => "endswith",
            Lookup::Iendswith => "iendswith",
            Lookup::In => "in",
            Lookup::Gt => "gt",
            Lookup::Gte => "gte",
            Lookup::Lt => "lt",
            Lookup::Lte => "lte",
            Lookup::Range => "range",
            Lookup::Isnull => "isnull",
        }
    }

    pub fn from_name(name: &str) -> Option<Lookup> {
        Lookup::ALL.into_iter().find(|lookup| lookup.name() == name)
    }

    /// The variant's name, for the runtime's enum and the filter field's suffix: `Icontains`.
    pub fn variant(self) -> String {
        crate::names::pascal(self.name())
    }
}

impl Kind {
    /// The lookups a column of this kind supports, `isnull` aside (it depends on `Option`).
    pub fn lookups(self) -> &'static [Lookup] {
        use Lookup as L;
        match self {
            Kind::Text => &[
                L::Exact,
                L::Iexact,
                L::Contains,
                L::Icontains,
                L::Startswith,
                L::Istartswith,
                L::Endswith,
                L::Iendswith,
                L::In,
                L::Gt,
                L::Gte,
                L::Lt,
                L::Lte,
                L::Range,
            ],
            Kind::Int | Kind::Float | Kind::Decimal | Kind::Temporal => {
                &[L::Exact, L::In, L::Gt, L::Gte, L::Lt, L::Lte, L::Range]
            }
            Kind::Id | Kind::Uuid | Kind::Other => &[L::Exact, L::In],
            Kind::Bool => &[L::Exact],
            Kind::Json => &[],
        }
    }

    /// How to describe the kind in an error message.
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Id => "an id column",
            Kind::Int => "an integer column",
            Kind::Float => "a float column",
            Kind::Decimal => "a decimal column",
            Kind::Text => "a text column",
            Kind::Bool => "a boolean column",
            Kind::Temporal => "a date/time column",
            Kind::Uuid => "a UUID column",
            Kind::Json => "a JSON column",
            Kind::Other => "an enum or custom-scalar column",
        }
    }
}

/// The kind of a relation field of the dense format's `ModelEx`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelationKind {
    BelongsTo,
    HasOne,
    HasMany,
}

/// `HasMany<super::review::Entity>` → `(HasMany, super::review::Entity)`; `BelongsTo<Option<E>>`
/// → `(BelongsTo, E)`.
pub fn relation_of(ty: &Type) -> Option<(RelationKind, Type)> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    let kind = match last.ident.to_string().as_str() {
        "BelongsTo" => RelationKind::BelongsTo,
        "HasOne" => RelationKind::HasOne,
        "HasMany" => RelationKind::HasMany,
        _ => return None,
    };
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    let GenericArgument::Type(target) = args.args.first()? else {
        return None;
    };
    let target = option_inner(target).unwrap_or(target).clone();
    Some((kind, target))
}

/// `Option<T>` → `Some(T)`.
pub fn option_inner(ty: &Type) -> Option<&Type> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first()? {
        GenericArgument::Type(inner) => Some(inner),
        _ => None,
    }
}

/// The kind of a non-`Option` type, from the last segment of its path.
pub fn kind_of(ty: &Type) -> Kind {
    let Type::Path(path) = ty else {
        return Kind::Other;
    };
    let Some(last) = path.path.segments.last() else {
        return Kind::Other;
    };
    match last.ident.to_string().as_str() {
        "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" => Kind::Int,
        "f32" | "f64" => Kind::Float,
        "Decimal" => Kind::Decimal,
        "String" => Kind::Text,
        "bool" => Kind::Bool,
        "Date"
        | "DateTime"
        | "DateTimeUtc"
        | "DateTimeLocal"
        | "DateTimeWithTimeZone"
        | "Time"
        | "NaiveDate"
        | "NaiveDateTime"
        | "NaiveTime" => Kind::Temporal,
        "Uuid" => Kind::Uuid,
        "Json" | "Value" => Kind::Json,
        _ => Kind::Other,
    }
}

/// A non-null date-time type the runtime can set to now: `created_at` / `updated_at` of these
/// types are filled in by mutations.
pub fn is_timestamp(ty: &Type) -> bool {
    let Type::Path(path) = ty else { return false };
    path.path.segments.last().is_some_and(|last| {
        matches!(
            last.ident.to_string().as_str(),
            "DateTimeUtc" | "DateTimeWithTimeZone" | "DateTime" | "NaiveDateTime"
        )
    })
}

/// Whether a key of this type can be an `ID` (integers, UUIDs and strings).
pub fn can_be_id(kind: Kind) -> bool {
    matches!(kind, Kind::Int | Kind::Uuid | Kind::Text)
}
