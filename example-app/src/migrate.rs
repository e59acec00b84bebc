//! Creates the example app's tables from its entities, when they do not exist yet.

use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, Schema};

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
