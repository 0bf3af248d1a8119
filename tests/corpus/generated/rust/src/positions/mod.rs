//! Contracts of the `positions` namespace.

pub mod pnl_1_0;
pub mod pnl_1_1;
pub mod pnl_1_2;
pub mod position_close_1_0;
pub mod position_close_1_1;
pub mod position_close_1_2;
pub mod position_open_1_0;
pub mod position_open_1_1;
pub mod position_open_1_2;
pub mod position_snapshot_1_0;
pub mod position_snapshot_1_1;
pub mod position_snapshot_1_2;
pub mod position_snapshot_1_3;
pub mod settlement_1_0;
pub mod settlement_1_1;
pub mod transfer_1_0;
pub mod transfer_1_1;
