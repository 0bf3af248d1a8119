//! Contracts of the `uris` namespace.

pub mod trade_1_0;
pub mod venue_1_0;
