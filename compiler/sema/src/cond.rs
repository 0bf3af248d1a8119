//! `when` conditions: a CEL-syntax subset, parsed, type-checked against the contracts and compiled
//! to postfix [`Op`]s that the runtime evaluates without a parser.
//!
//! Grammar (a subset of CEL's, https://github.com/google/cel-spec/blob/master/doc/langdef.md):
//! ```text
//! expr  = and ("||" and)* ;   and = unary ("&&" unary)* ;   unary = "!" unary | cmp ;
//! cmp   = term (("==" | "!=" | "<" | "<=" | ">" | ">=") term)? ;
//! term  = "(" expr ")" | number | string | "true" | "false" | ident ("." ident)* ;
//! ```
//! Types: bool, number (JSON Schema `number` and `integer`), string, and enums (a string field with
//! `enum`, compared only with literals that are values of it).

use contractc_diagnostics::{Code, codes};
use contractc_ir::Op;

/// The type of a condition sub-expression.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum CondType {
    Bool,
    Number,
    String,
    Enum(Vec<String>),
}

impl CondType {
    fn describe(&self) -> String {
        match self {
            CondType::Bool => "bool".into(),
            CondType::Number => "number".into(),
            CondType::String => "string".into(),
            CondType::Enum(v) => format!("enum {{{}}}", v.join(", ")),
        }
    }
}

/// A problem at byte range `start..end` of the decoded condition text.
#[derive(Debug, PartialEq)]
pub(crate) struct CondError {
    pub start: usize,
    pub end: usize,
    pub code: Code,
    pub message: String,
    pub help: Option<String>,
}

/// A resolved path: which input it reads and the type of the field.
pub(crate) struct Resolved {
    pub input: usize,
    pub ty: CondType,
}

/// Maps a dotted path (`["signal", "strength"]`) to its input and type, or says which segment
/// failed (its index) and why.
pub(crate) type Resolve<'a> = dyn Fn(&[String]) -> Result<Resolved, (usize, String)> + 'a;

/// Compiles `src`, resolving paths with `resolve`; returns the input it tests and the code.
pub(crate) fn compile(src: &str, resolve: &Resolve<'_>) -> Result<(usize, Vec<Op>), CondError> {
    let tokens = lex(src)?;
    let mut p = Parser { tokens, pos: 0, src_len: src.len() };
    let expr = p.expr()?;
    if let Some(t) = p.tokens.get(p.pos) {
        return Err(err(t.start, t.end, codes::CONDITION_SYNTAX, "unexpected token after the condition"));
    }
    let mut c = Checker { resolve, input: None, code: Vec::new() };
    let ty = c.check(&expr)?;
    if ty != CondType::Bool {
        return Err(CondError {
            start: expr.start,
            end: expr.end,
            code: codes::CONDITION_TYPE_MISMATCH,
            message: format!("a condition must be a bool, this is a {}", ty.describe()),
            help: Some("compare it, e.g. `signal.strength > 0.5`".into()),
        });
    }
    let Some(input) = c.input else {
        return Err(CondError {
            start: 0,
            end: src.len(),
            code: codes::CONDITION_UNKNOWN_FIELD,
            message: "the condition reads no input".into(),
            help: Some("a condition tests the messages of one input, e.g. `signal.side == \"BUY\"`".into()),
        });
    };
    Ok((input, c.code))
}

fn err(start: usize, end: usize, code: Code, message: &str) -> CondError {
    CondError { start, end, code, message: message.into(), help: None }
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String),
    Number(f64),
    Str(String),
    Sym(&'static str),
}

#[derive(Clone, Debug)]
struct Token {
    tok: Tok,
    start: usize,
    end: usize,
}

fn lex(src: &str) -> Result<Vec<Token>, CondError> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let start = i;
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            out.push(Token { tok: Tok::Ident(src[start..i].to_string()), start, end: i });
        } else if c.is_ascii_digit() {
            while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
                i += 1;
            }
            if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
                i += 1;
                if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
                    i += 1;
                }
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
            }
            let n =
                src[start..i].parse::<f64>().map_err(|_| err(start, i, codes::CONDITION_SYNTAX, "invalid number"))?;
            out.push(Token { tok: Tok::Number(n), start, end: i });
        } else if c == b'"' || c == b'\'' {
            i += 1;
            let mut s = String::new();
            loop {
                let Some(ch) = src[i..].chars().next() else {
                    return Err(err(start, i, codes::CONDITION_SYNTAX, "unterminated string literal"));
                };
                i += ch.len_utf8();
                if ch as u32 == c as u32 {
                    break;
                }
                if ch == '\\' {
                    let Some(e) = src[i..].chars().next() else { continue };
                    i += e.len_utf8();
                    match e {
                        '\\' | '"' | '\'' => s.push(e),
                        'n' => s.push('\n'),
                        't' => s.push('\t'),
                        _ => {
                            return Err(err(i - 2, i, codes::CONDITION_SYNTAX, "unsupported escape in string literal"));
                        }
                    }
                } else {
                    s.push(ch);
                }
            }
            out.push(Token { tok: Tok::Str(s), start, end: i });
        } else {
            let two = src.get(i..i + 2).unwrap_or("");
            let sym = ["&&", "||", "==", "!=", "<=", ">="]
                .into_iter()
                .find(|s| *s == two)
                .or_else(|| ["<", ">", "!", "(", ")", "."].into_iter().find(|s| src[i..].starts_with(*s)));
            match sym {
                Some(s) => {
                    i += s.len();
                    out.push(Token { tok: Tok::Sym(s), start, end: i });
                }
                None => {
                    let ch = src[i..].chars().next().unwrap_or(' ');
                    let hint = if ch == '=' {
                        " (did you mean `==`?)"
                    } else if ch == '&' || ch == '|' {
                        " (use `&&` / `||`)"
                    } else {
                        ""
                    };
                    return Err(err(
                        start,
                        start + ch.len_utf8(),
                        codes::CONDITION_SYNTAX,
                        &format!("unexpected character `{ch}`{hint}"),
                    ));
                }
            }
        }
    }
    Ok(out)
}

#[derive(Debug)]
struct Expr {
    kind: ExprKind,
    start: usize,
    end: usize,
}

#[derive(Debug)]
enum ExprKind {
    Path(Vec<(String, usize, usize)>),
    Number(f64),
    Str(String),
    Bool(bool),
    Not(Box<Expr>),
    Binary(&'static str, Box<Expr>, Box<Expr>),
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    src_len: usize,
}

impl Parser {
    fn peek_sym(&self, s: &str) -> bool {
        matches!(self.tokens.get(self.pos), Some(Token { tok: Tok::Sym(x), .. }) if *x == s)
    }

    fn binary(
        &mut self,
        ops: &[&'static str],
        next: fn(&mut Parser) -> Result<Expr, CondError>,
    ) -> Result<Expr, CondError> {
        let mut lhs = next(self)?;
        while let Some(op) = ops.iter().find(|op| self.peek_sym(op)).copied() {
            self.pos += 1;
            let rhs = next(self)?;
            let (start, end) = (lhs.start, rhs.end);
            lhs = Expr { kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)), start, end };
        }
        Ok(lhs)
    }

    fn expr(&mut self) -> Result<Expr, CondError> {
        self.binary(&["||"], Parser::and)
    }

    fn and(&mut self) -> Result<Expr, CondError> {
        self.binary(&["&&"], Parser::unary)
    }

    fn unary(&mut self) -> Result<Expr, CondError> {
        if self.peek_sym("!") {
            let start = self.tokens[self.pos].start;
            self.pos += 1;
            let inner = self.unary()?;
            let end = inner.end;
            return Ok(Expr { kind: ExprKind::Not(Box::new(inner)), start, end });
        }
        let lhs = self.term()?;
        let Some(op) = ["==", "!=", "<=", ">=", "<", ">"].into_iter().find(|op| self.peek_sym(op)) else {
            return Ok(lhs);
        };
        self.pos += 1;
        let rhs = self.term()?;
        let (start, end) = (lhs.start, rhs.end);
        Ok(Expr { kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)), start, end })
    }

    fn term(&mut self) -> Result<Expr, CondError> {
        let Some(t) = self.tokens.get(self.pos).cloned() else {
            return Err(err(
                self.src_len,
                self.src_len,
                codes::CONDITION_SYNTAX,
                "expected a value, found the end of the condition",
            ));
        };
        self.pos += 1;
        let (start, end) = (t.start, t.end);
        let kind = match t.tok {
            Tok::Number(n) => ExprKind::Number(n),
            Tok::Str(s) => ExprKind::Str(s),
            Tok::Ident(w) if w == "true" || w == "false" => ExprKind::Bool(w == "true"),
            Tok::Ident(w) => {
                let mut segs = vec![(w, start, end)];
                while self.peek_sym(".") {
                    self.pos += 1;
                    match self.tokens.get(self.pos).cloned() {
                        Some(Token { tok: Tok::Ident(f), start, end }) => {
                            self.pos += 1;
                            segs.push((f, start, end));
                        }
                        Some(t) => {
                            return Err(err(
                                t.start,
                                t.end,
                                codes::CONDITION_SYNTAX,
                                "expected a field name after `.`",
                            ));
                        }
                        None => {
                            return Err(err(
                                self.src_len,
                                self.src_len,
                                codes::CONDITION_SYNTAX,
                                "expected a field name after `.`",
                            ));
                        }
                    }
                }
                let end = segs.last().map_or(end, |s| s.2);
                return Ok(Expr { kind: ExprKind::Path(segs), start, end });
            }
            Tok::Sym("(") => {
                let inner = self.expr()?;
                if !self.peek_sym(")") {
                    return Err(err(inner.end, inner.end, codes::CONDITION_SYNTAX, "expected `)`"));
                }
                let end = self.tokens[self.pos].end;
                self.pos += 1;
                return Ok(Expr { start, end, ..inner });
            }
            Tok::Sym(s) => {
                return Err(err(start, end, codes::CONDITION_SYNTAX, &format!("expected a value, found `{s}`")));
            }
        };
        Ok(Expr { kind, start, end })
    }
}

struct Checker<'a> {
    resolve: &'a Resolve<'a>,
    input: Option<usize>,
    code: Vec<Op>,
}

impl Checker<'_> {
    fn check(&mut self, e: &Expr) -> Result<CondType, CondError> {
        match &e.kind {
            ExprKind::Number(n) => {
                self.code.push(Op::Number(*n));
                Ok(CondType::Number)
            }
            ExprKind::Str(s) => {
                self.code.push(Op::String(s.clone()));
                Ok(CondType::String)
            }
            ExprKind::Bool(b) => {
                self.code.push(Op::Bool(*b));
                Ok(CondType::Bool)
            }
            ExprKind::Path(segs) => {
                let names: Vec<String> = segs.iter().map(|s| s.0.clone()).collect();
                let r = (self.resolve)(&names).map_err(|(i, message)| {
                    let (_, start, end) = segs[i.min(segs.len() - 1)];
                    CondError { start, end, code: codes::CONDITION_UNKNOWN_FIELD, message, help: None }
                })?;
                if self.input.is_some_and(|i| i != r.input) {
                    return Err(err(
                        e.start,
                        e.end,
                        codes::CONDITION_UNKNOWN_FIELD,
                        "a condition may read only one input",
                    ));
                }
                self.input = Some(r.input);
                self.code.push(Op::Field(names[1..].to_vec()));
                Ok(r.ty)
            }
            ExprKind::Not(inner) => {
                self.expect_bool(inner)?;
                self.code.push(Op::Not);
                Ok(CondType::Bool)
            }
            ExprKind::Binary(op @ ("&&" | "||"), l, r) => {
                self.expect_bool(l)?;
                self.expect_bool(r)?;
                self.code.push(if *op == "&&" { Op::And } else { Op::Or });
                Ok(CondType::Bool)
            }
            ExprKind::Binary(op, l, r) => {
                let lt = self.check(l)?;
                let rt = self.check(r)?;
                let ordering = !matches!(*op, "==" | "!=");
                let mismatch = |message: String| CondError {
                    start: e.start,
                    end: e.end,
                    code: codes::CONDITION_TYPE_MISMATCH,
                    message,
                    help: None,
                };
                match (&lt, &rt) {
                    (CondType::Number, CondType::Number) => {}
                    (CondType::Enum(values), CondType::String) | (CondType::String, CondType::Enum(values))
                        if !ordering =>
                    {
                        let (lit, lit_expr) = if matches!(lt, CondType::String) { (&l.kind, l) } else { (&r.kind, r) };
                        if let ExprKind::Str(s) = lit
                            && !values.contains(s)
                        {
                            return Err(CondError {
                                start: lit_expr.start,
                                end: lit_expr.end,
                                code: codes::CONDITION_UNKNOWN_ENUM_VALUE,
                                message: format!("\"{s}\" is not a value of this enum"),
                                help: Some(format!("the values are: {}", values.join(", "))),
                            });
                        }
                    }
                    (a, b) if a == b && !ordering => {}
                    (a, b) if a == b => return Err(mismatch(format!("`{op}` needs numbers, not {}", a.describe()))),
                    (a, b) => return Err(mismatch(format!("cannot compare {} with {}", a.describe(), b.describe()))),
                }
                self.code.push(match *op {
                    "==" => Op::Eq,
                    "!=" => Op::Ne,
                    "<" => Op::Lt,
                    "<=" => Op::Le,
                    ">" => Op::Gt,
                    _ => Op::Ge,
                });
                Ok(CondType::Bool)
            }
        }
    }

    fn expect_bool(&mut self, e: &Expr) -> Result<(), CondError> {
        let t = self.check(e)?;
        if t == CondType::Bool {
            return Ok(());
        }
        Err(CondError {
            start: e.start,
            end: e.end,
            code: codes::CONDITION_TYPE_MISMATCH,
            message: format!("expected a bool, found a {}", t.describe()),
            help: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(path: &[String]) -> Result<Resolved, (usize, String)> {
        if path[0] != "signal" {
            return Err((0, format!("no input named `{}`", path[0])));
        }
        let ty = match path.get(1).map(String::as_str) {
            Some("strength") => CondType::Number,
            Some("side") => CondType::Enum(vec!["BUY".into(), "SELL".into()]),
            Some("symbol") => CondType::String,
            _ => return Err((1, "no such field".into())),
        };
        Ok(Resolved { input: 0, ty })
    }

    fn code_of(src: &str) -> Result<Vec<Op>, (Code, usize, usize)> {
        compile(src, &resolve).map(|(_, c)| c).map_err(|e| (e.code, e.start, e.end))
    }

    #[test]
    fn compiles_to_postfix() {
        let code = code_of(r#"signal.strength > 0.5 && !(signal.side == "SELL")"#).unwrap();
        assert_eq!(
            code,
            vec![
                Op::Field(vec!["strength".into()]),
                Op::Number(0.5),
                Op::Gt,
                Op::Field(vec!["side".into()]),
                Op::String("SELL".into()),
                Op::Eq,
                Op::Not,
                Op::And
            ]
        );
    }

    #[test]
    fn reports_each_error_at_its_column() {
        assert_eq!(code_of("signal.strength > \"x\""), Err((codes::CONDITION_TYPE_MISMATCH, 0, 21)));
        assert_eq!(code_of("signal.nope > 1"), Err((codes::CONDITION_UNKNOWN_FIELD, 7, 11)));
        assert_eq!(code_of("signal.side == \"HOLD\""), Err((codes::CONDITION_UNKNOWN_ENUM_VALUE, 15, 21)));
        assert_eq!(code_of("signal.strength"), Err((codes::CONDITION_TYPE_MISMATCH, 0, 15)));
        assert_eq!(code_of("signal.strength = 1"), Err((codes::CONDITION_SYNTAX, 16, 17)));
        assert_eq!(code_of("(signal.strength > 1"), Err((codes::CONDITION_SYNTAX, 20, 20)));
        assert_eq!(code_of("1 < 2"), Err((codes::CONDITION_UNKNOWN_FIELD, 0, 5)));
    }
}
