//! The database after the run, read directly: every write the server reported as done is
//! whole, none it reported as failed left anything, and none is half there.

use std::collections::{BTreeSet, HashMap};

use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};

use crate::workload::{OrderWrite, ProductWrite, Reported};

/// What the check found.
#[derive(Debug, Default)]
pub struct Integrity {
    pub products_present: usize,
    pub links_present: usize,
    /// Each problem, one line.
    pub problems: Vec<String>,
}

/// Compares the writes with database `url`; `run` is the prefix of this run's names.
pub async fn check(
    url: &str,
    run: &str,
    products: &[ProductWrite],
    orders: &[OrderWrite],
) -> Result<Integrity, String> {
    let db = Database::connect(url)
        .await
        .map_err(|err| format!("cannot open {url}: {err}"))?;
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT p.name AS product, t.name AS tag FROM product p \
             LEFT JOIN product_tag pt ON pt.product_id = p.id \
             LEFT JOIN tag t ON t.id = pt.tag_id WHERE p.name LIKE $1",
            [format!("soak-{run}-%").into()],
        ))
        .await
        .map_err(|err| format!("reading products: {err}"))?;
    let mut stored: HashMap<String, BTreeSet<String>> = HashMap::new();
    for row in rows {
        let product: String = row.try_get("", "product").map_err(|e| e.to_string())?;
        let tag: Option<String> = row.try_get("", "tag").map_err(|e| e.to_string())?;
        let tags = stored.entry(product).or_default();
        tags.extend(tag);
    }
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT o.note AS note, COUNT(oi.id) AS items FROM orders o \
             LEFT JOIN order_item oi ON oi.order_id = o.id WHERE o.note LIKE $1 GROUP BY o.note",
            [format!("soak-order-{run}-%").into()],
        ))
        .await
        .map_err(|err| format!("reading orders: {err}"))?;
    let mut stored_orders: HashMap<String, i64> = HashMap::new();
    for row in rows {
        let note: String = row.try_get("", "note").map_err(|e| e.to_string())?;
        let items: i64 = row.try_get("", "items").map_err(|e| e.to_string())?;
        *stored_orders.entry(note).or_default() += items;
    }
    db.close().await.ok();

    let mut integrity = Integrity {
        products_present: stored.len(),
        links_present: stored.values().map(BTreeSet::len).sum(),
        problems: Vec::new(),
    };
    let mut problem = |message: String| integrity.problems.push(message);
    let mut asked = BTreeSet::new();
    for write in products {
        asked.insert(write.name.clone());
        let wanted: BTreeSet<String> = write.tags.iter().cloned().collect();
        match (write.reported, stored.get(&write.name)) {
            (Reported::Success, None) => problem(format!(
                "product {} reported created but absent",
                write.name
            )),
            (Reported::Failure, Some(_)) => problem(format!(
                "product {} reported failed but present",
                write.name
            )),
            (_, Some(tags)) if *tags != wanted => problem(format!(
                "product {} has tags {tags:?}, asked for {wanted:?}",
                write.name
            )),
            _ => {}
        }
    }
    for name in stored.keys().filter(|name| !asked.contains(*name)) {
        problem(format!("product {name} present but never asked for"));
    }
    let mut asked_orders = BTreeSet::new();
    for write in orders {
        asked_orders.insert(write.note.clone());
        let items = stored_orders.get(&write.note).copied();
        match (write.reported, items) {
            (Reported::Success, None) => {
                problem(format!("order {} reported created but absent", write.note))
            }
            (Reported::Failure, Some(_)) => {
                problem(format!("order {} reported failed but present", write.note))
            }
            _ => {}
        }
        let expected = match write.item {
            None => Some(0),
            Some(Reported::Success) => Some(1),
            Some(Reported::Failure) => Some(0),
            Some(Reported::Unknown) => None,
        };
        if let (Some(items), Some(expected)) = (items, expected)
            && items != expected
        {
            problem(format!(
                "order {} has {items} items, its createOrderItem said {:?}",
                write.note, write.item
            ));
        }
    }
    for note in stored_orders.keys().filter(|n| !asked_orders.contains(*n)) {
        problem(format!("order {note} present but never asked for"));
    }
    Ok(integrity)
}
