//! Contracts of the `fills` namespace.

pub mod allocation_1_0;
pub mod commission_1_0;
pub mod commission_1_1;
pub mod commission_1_2;
pub mod commission_1_3;
pub mod fill_1_0;
pub mod fill_1_1;
pub mod fill_1_2;
pub mod fill_1_3;
pub mod partial_fill_1_0;
pub mod partial_fill_1_1;
pub mod partial_fill_1_2;
pub mod partial_fill_1_3;
pub mod trade_bust_1_0;
pub mod trade_bust_1_1;
pub mod trade_bust_1_2;
pub mod trade_correct_1_0;
pub mod trade_correct_1_1;
