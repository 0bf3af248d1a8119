//! `contractc explain CODE`: a diagnostic code's explanation and example, as `docs/diagnostics.md`
//! gives them (generated from the code registry and the checker's cases; built into the binary,
//! so the explanation is the compiler's own).

/// The generated reference of every code.
const DOC: &str = include_str!("../../../docs/diagnostics.md");

/// The section of code `code` (`E0005`, or its name `unresolved-ref`, any case): its summary and
/// example; `None` for a code the registry does not have.
pub fn explain(code: &str) -> Option<String> {
    let c = contractc_diagnostics::codes::ALL
        .iter()
        .find(|c| c.id.eq_ignore_ascii_case(code) || c.name.eq_ignore_ascii_case(code))?;
    let heading = format!("\n## {}\n", c.name);
    let start = DOC.find(&heading)? + 1;
    let end = DOC[start + heading.len()..].find("\n## ").map_or(DOC.len(), |e| start + heading.len() + e);
    Some(format!("{} ({})\n{}", c.id, c.name, DOC[start + heading.len() - 1..end].trim_end()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_an_explanation_by_id_or_name() {
        for c in contractc_diagnostics::codes::ALL {
            let text = explain(c.id).unwrap_or_else(|| panic!("{} has no section in docs/diagnostics.md", c.id));
            assert!(text.starts_with(&format!("{} ({})", c.id, c.name)), "{text}");
            assert!(text.contains(c.summary), "{text}");
            assert_eq!(explain(&c.name.to_uppercase()), Some(text));
        }
        assert_eq!(explain("E9999"), None);
    }
}
