//! Contracts of the `refs` namespace.

pub mod legacy_1_0;
pub mod legacy4_1_0;
pub mod money_1_0;
pub mod position_1_0;
