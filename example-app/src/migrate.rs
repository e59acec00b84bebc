//! Creates the example app's tables from its entities, when they do not exist yet.

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait, Schema};

use crate::entities::*;

async fn create<E: EntityTrait>(
    db: &DatabaseConnection,
    schema: &Schema,
    entity: E,
) -> Result<(), DbErr> {
    let mut statement = schema.create_table_from_entity(entity);
    statement.if_not_exists();
    db.execute(&statement).await?;
    Ok(())
}

/// Creates every table, parents before children.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    let schema = Schema::new(db.get_database_backend());
    create(db, &schema, user::Entity).await?;
    create(db, &schema, category::Entity).await?;
    create(db, &schema, tag::Entity).await?;
    create(db, &schema, product::Entity).await?;
    create(db, &schema, product_tag::Entity).await?;
    create(db, &schema, order::Entity).await?;
    create(db, &schema, order_item::Entity).await?;
    create(db, &schema, review::Entity).await?;
    Ok(())
}

/// After rows were inserted with explicit ids (the seed, test fixtures), moves PostgreSQL's id
/// sequences past them, so that the next generated id does not collide. SQLite needs nothing.
pub async fn reset_sequences<C: ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    for table in [
        "user",
        "category",
        "tag",
        "product",
        "orders",
        "order_item",
        "review",
    ] {
        db.execute_unprepared(&format!(
            "SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), \
             COALESCE((SELECT MAX(id) FROM \"{table}\"), 0) + 1, false)"
        ))
        .await?;
    }
    Ok(())
}
