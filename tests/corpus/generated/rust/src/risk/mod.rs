//! Contracts of the `risk` namespace.

pub mod credit_check_1_0;
pub mod credit_check_1_1;
pub mod credit_check_1_2;
pub mod exposure_update_1_0;
pub mod exposure_update_1_1;
pub mod exposure_update_1_2;
pub mod exposure_update_1_3;
pub mod kill_switch_1_0;
pub mod kill_switch_1_1;
pub mod kill_switch_1_2;
pub mod kill_switch_1_3;
pub mod limit_breach_1_0;
pub mod limit_breach_1_1;
pub mod limit_breach_1_2;
pub mod margin_call_1_0;
pub mod margin_call_1_1;
pub mod var_report_1_0;
pub mod var_report_1_1;
