//! Contracts of the `compose` namespace.

pub mod base_1_0;
pub mod order_1_0;
pub mod priced_1_0;
