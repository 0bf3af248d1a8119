//! MQL4 names: every global prefixed with the contract version (`PriceTick_1_0_*`), members
//! sanitised against MQL4's reserved words, and every identifier at most 63 characters
//! (MQL4 reference, "Identifiers").

/// MQL4 reserved words (MQL4 reference, "Reserved Words") and C++ keywords the g++ check would
/// trip on.
const RESERVED: &[&str] = &[
    "bool",
    "char",
    "class",
    "color",
    "datetime",
    "double",
    "enum",
    "float",
    "int",
    "long",
    "short",
    "string",
    "struct",
    "uchar",
    "uint",
    "ulong",
    "union",
    "ushort",
    "void",
    "const",
    "extern",
    "input",
    "private",
    "protected",
    "public",
    "static",
    "virtual",
    "break",
    "case",
    "continue",
    "default",
    "delete",
    "do",
    "else",
    "for",
    "if",
    "new",
    "return",
    "sizeof",
    "switch",
    "while",
    "false",
    "true",
    "this",
    "operator",
    "template",
    "typename",
    "group",
    "sinput",
    "override",
    "final",
    "export",
    "import",
    "property",
    "define",
    "include",
    "auto",
    "namespace",
    "using",
    "friend",
    "inline",
    "mutable",
    "register",
    "throw",
    "try",
    "catch",
    "goto",
    "volatile",
    "signed",
    "unsigned",
    "typedef",
    "explicit",
    "and",
    "or",
    "not",
    "xor",
    // MQL4's predefined constants (MQL4 reference, "Other Constants"), C++'s other keywords and
    // alternative tokens, and `main`, which the g++ check defines.
    "NULL",
    "EMPTY",
    "EMPTY_VALUE",
    "WRONG_VALUE",
    "WHOLE_ARRAY",
    "INVALID_HANDLE",
    "CLR_NONE",
    "clrNONE",
    "bitand",
    "bitor",
    "compl",
    "and_eq",
    "or_eq",
    "xor_eq",
    "not_eq",
    "nullptr",
    "asm",
    "typeid",
    "decltype",
    "alignas",
    "alignof",
    "noexcept",
    "constexpr",
    "thread_local",
    "static_assert",
    "wchar_t",
    "char16_t",
    "char32_t",
    "static_cast",
    "dynamic_cast",
    "const_cast",
    "reinterpret_cast",
    "main",
];

/// The longest identifier MQL4 accepts.
pub(crate) const MAX_IDENT: usize = 63;

/// A struct member name for a wire name.
pub(crate) fn member(wire: &str) -> String {
    let mut s: String = wire.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect();
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    if RESERVED.contains(&s.as_str()) || FLAGS.iter().any(|f| s.starts_with(&format!("{f}_"))) {
        s.push('_');
    }
    limit(&s)
}

/// Prefixes of the flags beside a member: `has_` (an optional member is present) and `null_` (a
/// nullable member is `null`). A member named like a flag gets a `_` suffix.
const FLAGS: [&str; 2] = ["has", "null"];

/// The flag `prefix_member` (`has_bid`, `null_bid`), within [`MAX_IDENT`].
pub(crate) fn flag(prefix: &str, member: &str) -> String {
    debug_assert!(FLAGS.contains(&prefix));
    limit(&format!("{prefix}_{member}"))
}

/// Keeps `name` within [`MAX_IDENT`] characters: a long name keeps its head and gets a stable
/// 8-hex-digit FNV-1a digest of the whole name, so distinct names stay distinct.
pub(crate) fn limit(name: &str) -> String {
    if name.len() <= MAX_IDENT {
        return name.to_string();
    }
    let digest = name.bytes().fold(0x811c9dc5u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x01000193));
    format!("{}_{digest:08x}", &name[..MAX_IDENT - 9])
}

/// An enum constant suffix for a string value: ASCII letters, digits and `_`.
pub(crate) fn constant(value: &str) -> String {
    let s: String = value.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) { format!("_{s}") } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitises_and_limits() {
        assert_eq!(member("bid"), "bid");
        assert_eq!(member("double"), "double_");
        assert_eq!(member("has_x"), "has_x_");
        assert_eq!(member("9lives"), "_9lives");
        let long = "A".repeat(80);
        let l = limit(&long);
        assert_eq!(l.len(), MAX_IDENT);
        assert_ne!(l, limit(&"A".repeat(81)));
        assert_eq!(constant("PARTIALLY_FILLED"), "PARTIALLY_FILLED");
        assert_eq!(constant("a-b"), "a_b");
    }
}
