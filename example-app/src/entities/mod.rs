//! The e-commerce schema of the seed: users, categories, products, tags, orders, order items
//! and reviews, as sea-orm 2 entities in the dense format with gqlgen's attributes.

pub mod category;
pub mod order;
pub mod order_item;
pub mod product;
pub mod product_tag;
pub mod review;
pub mod tag;
pub mod user;
