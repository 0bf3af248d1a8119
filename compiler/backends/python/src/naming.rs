//! Python identifiers for wire names.

/// Python keywords (https://docs.python.org/3/reference/lexical_analysis.html#keywords) and
/// names that would shadow Pydantic's own `BaseModel` attributes.
const RESERVED: &[&str] = &[
    "False",
    "None",
    "True",
    "and",
    "as",
    "assert",
    "async",
    "await",
    "break",
    "class",
    "continue",
    "def",
    "del",
    "elif",
    "else",
    "except",
    "finally",
    "for",
    "from",
    "global",
    "if",
    "import",
    "in",
    "is",
    "lambda",
    "nonlocal",
    "not",
    "or",
    "pass",
    "raise",
    "return",
    "try",
    "while",
    "with",
    "yield",
    "model_config",
    "model_fields",
    "json",
    "dict",
    "copy",
    "schema",
];

/// The attribute name for a wire name: itself when it is a valid, unreserved identifier;
/// otherwise sanitised (other characters become `_`, a leading digit or underscore gets `f_`,
/// a reserved word a trailing `_`), the wire name staying as the alias.
pub(crate) fn attribute(wire: &str) -> String {
    let mut s: String = wire.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect();
    // Pydantic treats names with a leading underscore as private attributes, not fields.
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit() || c == '_') {
        s.insert_str(0, "f_");
    }
    if RESERVED.contains(&s.as_str()) {
        s.push('_');
    }
    s
}
