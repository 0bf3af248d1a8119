//! Python identifiers for wire names.

/// Python keywords (https://docs.python.org/3/reference/lexical_analysis.html#keywords) and
/// the public attributes of Pydantic's `BaseModel`, which a field must not shadow.
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
    // Names the generated annotations use: Pydantic evaluates them in the class body, where a
    // field of that name would stand for them.
    "Annotated",
    "Date",
    "DateTime",
    "DefaultNull",
    "Duration",
    "Email",
    "Field",
    "Hostname",
    "Int64",
    "Ipv4",
    "Ipv6",
    "JsonValue",
    "Literal",
    "NotNull",
    "Time",
    "Uuid",
    "bool",
    "contains",
    "default_of",
    "float",
    "int",
    "list",
    "matches",
    "names",
    "one_of",
    "str",
    "tuple_items",
    "union",
    "unique_items",
    // Every public attribute of pydantic 2.14's `BaseModel` (a field would shadow it).
    "construct",
    "copy",
    "dict",
    "from_orm",
    "json",
    "model_computed_fields",
    "model_config",
    "model_construct",
    "model_copy",
    "model_dump",
    "model_dump_json",
    "model_extra",
    "model_fields",
    "model_fields_set",
    "model_json_schema",
    "model_parametrized_name",
    "model_post_init",
    "model_rebuild",
    "model_validate",
    "model_validate_json",
    "model_validate_strings",
    "parse_file",
    "parse_obj",
    "parse_raw",
    "schema",
    "schema_json",
    "update_forward_refs",
    "validate",
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
