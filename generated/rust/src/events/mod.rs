//! Contracts of the `events` namespace.

pub mod execution_report_1_0;
pub mod instrument_1_0;
pub mod order_intent_1_0;
pub mod order_intent_1_1;
pub mod order_intent_1_2;
pub mod order_intent_2_0;
pub mod price_tick_1_0;
pub mod signal_1_0;
pub mod order_intent_1_2_to_2_0;
