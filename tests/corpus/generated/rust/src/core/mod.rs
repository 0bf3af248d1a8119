//! Contracts of the `core` namespace.

pub mod account_1_0;
pub mod instrument_1_0;
pub mod money_1_0;
pub mod side_1_0;
