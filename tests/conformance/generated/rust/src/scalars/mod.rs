//! Contracts of the `scalars` namespace.

pub mod bounds_1_0;
pub mod consts_1_0;
pub mod defaults_1_0;
pub mod formats_1_0;
pub mod multiples_1_0;
pub mod numbers_1_0;
pub mod numbers_1_1;
pub mod patterns_1_0;
pub mod texts_1_0;
pub mod unique_1_0;
