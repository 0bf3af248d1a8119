//! Contracts of the `hostile` namespace.

pub mod clashing_1_0;
pub mod comments_1_0;
pub mod enums_1_0;
pub mod keywords_1_0;
pub mod string_1_0;
pub mod unicode_1_0;
