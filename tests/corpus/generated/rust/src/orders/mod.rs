//! Contracts of the `orders` namespace.

pub mod fx_order_ack_1_0;
pub mod fx_order_ack_1_1;
pub mod fx_order_ack_1_2;
pub mod fx_order_amend_1_0;
pub mod fx_order_amend_1_1;
pub mod fx_order_cancel_1_0;
pub mod fx_order_new_1_0;
pub mod fx_order_reject_1_0;
pub mod order_ack_1_0;
pub mod order_ack_1_1;
pub mod order_ack_1_2;
pub mod order_amend_1_0;
pub mod order_amend_1_1;
pub mod order_cancel_1_0;
pub mod order_cancel_1_1;
pub mod order_cancel_1_2;
pub mod order_cancel_1_3;
pub mod order_expire_1_0;
pub mod order_expire_1_1;
pub mod order_expire_1_2;
pub mod order_expire_1_3;
pub mod order_new_1_0;
pub mod order_new_1_1;
pub mod order_new_1_2;
pub mod order_reject_1_0;
pub mod order_reject_1_1;
