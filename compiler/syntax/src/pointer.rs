//! JSON Pointer, RFC 6901.

use std::fmt;

/// An RFC 6901 JSON Pointer, kept as its unescaped reference tokens.
///
/// Displays in the escaped string form (`/properties/a~1b`); the empty pointer is the whole
/// document and displays as `""`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Pointer {
    tokens: Vec<String>,
}

impl Pointer {
    pub fn root() -> Pointer {
        Pointer::default()
    }

    /// Parses the string form; `None` unless it is empty or starts with `/` (RFC 6901 §3).
    pub fn parse(text: &str) -> Option<Pointer> {
        if text.is_empty() {
            return Some(Pointer::root());
        }
        let rest = text.strip_prefix('/')?;
        let tokens = rest.split('/').map(|t| t.replace("~1", "/").replace("~0", "~")).collect();
        Some(Pointer { tokens })
    }

    /// This pointer with one more reference token.
    pub fn join(&self, token: impl Into<String>) -> Pointer {
        let mut tokens = self.tokens.clone();
        tokens.push(token.into());
        Pointer { tokens }
    }

    pub fn tokens(&self) -> &[String] {
        &self.tokens
    }
}

/// Escapes one reference token: `~` → `~0`, `/` → `~1` (RFC 6901 §3).
pub fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

impl fmt::Display for Pointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for t in &self.tokens {
            write!(f, "/{}", escape_token(t))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_escaped_tokens() {
        let p = Pointer::root().join("$defs").join("a/b~c");
        assert_eq!(p.to_string(), "/$defs/a~1b~0c");
        assert_eq!(Pointer::parse(&p.to_string()), Some(p));
        assert_eq!(Pointer::parse("no-slash"), None);
    }
}
