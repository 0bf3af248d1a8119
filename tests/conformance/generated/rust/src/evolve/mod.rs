//! Contracts of the `evolve` namespace.

pub mod offer_1_0;
pub mod offer_2_0;
pub mod ticket_1_0;
pub mod ticket_2_0;
pub mod offer_1_0_to_2_0;
pub mod ticket_1_0_to_2_0;
