//! Contracts of the `roots` namespace.

pub mod choice_1_0;
pub mod either_1_0;
pub mod maybe_1_0;
pub mod message_1_0;
pub mod price_1_0;
pub mod prices_1_0;
pub mod quote_1_0;
pub mod side_1_0;
