//! Contracts of the `quotes` namespace.

pub mod bbo_1_0;
pub mod bbo_1_1;
pub mod bbo_1_2;
pub mod bbo_1_3;
pub mod depth_update_1_0;
pub mod depth_update_1_1;
pub mod depth_update_1_2;
pub mod depth_update_1_3;
pub mod quote_1_0;
pub mod quote_1_1;
pub mod quote_cancel_1_0;
pub mod quote_cancel_1_1;
pub mod quote_cancel_1_2;
pub mod quote_cancel_1_3;
pub mod rfq_1_0;
pub mod rfq_1_1;
pub mod trade_print_1_0;
