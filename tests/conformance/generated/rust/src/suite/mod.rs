//! Contracts of the `suite` namespace.

pub mod type0_1_0;
pub mod type1_1_0;
pub mod type2_1_0;
pub mod type3_1_0;
pub mod type5_1_0;
pub mod type8_1_0;
