//! Contracts of the `shapes` namespace.

pub mod anything_1_0;
pub mod arrays_1_0;
pub mod book_1_0;
pub mod book_1_1;
pub mod book_1_2;
pub mod choices_1_0;
pub mod contains_1_0;
pub mod defaulted_1_0;
pub mod dependents_1_0;
pub mod events_1_0;
pub mod grids_1_0;
pub mod maps_1_0;
pub mod names_1_0;
pub mod narrowed_1_0;
pub mod nested_1_0;
pub mod nullable_1_0;
pub mod open_1_0;
pub mod overlapping_1_0;
pub mod portfolio_1_0;
pub mod rules_1_0;
pub mod tuples_1_0;
pub mod untyped_1_0;
