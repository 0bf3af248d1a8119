//! Test tooling of MQL4.md: the mechanical rewrite that makes generated MQL4 compile as C++
//! through `tests/mql4/mql4_compat.hpp`, the lint that keeps out C++ that g++ would accept
//! but MetaEditor would not (MQL4.md, "The subset"), and the g++ command both the conformance
//! testee and the corpus test build with.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The generated `.mqh` files of every tree (`<root>/<tree>/mql4/Include/contractc/`) by file
/// name, with the path each was read from; a file two trees generate must be the same in both.
pub fn read_includes(root: &Path, trees: &[&str]) -> Result<BTreeMap<String, (PathBuf, String)>, String> {
    let mut files = BTreeMap::new();
    for tree in trees {
        let from = root.join(tree).join("mql4/Include/contractc");
        for entry in std::fs::read_dir(&from).map_err(|e| format!("{}: {e}", from.display()))? {
            let path = entry.map_err(|e| e.to_string())?.path();
            let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
            if let Some(other) = files.insert(name.clone(), (path.clone(), text.clone()))
                && other.1 != text
            {
                return Err(format!("{name} differs between {} and {}", other.0.display(), path.display()));
            }
        }
    }
    Ok(files)
}

/// Lints every file against MQL4.md's subset, then writes it rewritten for g++ to
/// `dir/contractc/`, where `#include <contractc/X.mqh>` finds it under [`gxx`]'s include path.
pub fn stage(files: &BTreeMap<String, (PathBuf, String)>, dir: &Path) -> Result<(), String> {
    let functions = defined_functions(files.values().map(|(_, t)| t.as_str()));
    let problems: Vec<String> =
        files.values().flat_map(|(path, text)| lint(&path.display().to_string(), text, &functions)).collect();
    if !problems.is_empty() {
        return Err(format!("the generated MQL4 leaves the subset (MQL4.md):\n{}", problems.join("\n")));
    }
    let include = dir.join("contractc");
    std::fs::create_dir_all(&include).map_err(|e| format!("{}: {e}", include.display()))?;
    for (name, (_, text)) in files {
        std::fs::write(include.join(name), rewrite(text)).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// g++ as every build of generated MQL4 runs it: C++17, `-Wall -Wextra -Werror`, the shim's
/// folder (`tests/mql4`) and `dir` (where [`stage`] wrote the files) on the include path.
pub fn gxx(root: &Path, dir: &Path) -> Command {
    let mut cmd = Command::new("g++");
    cmd.args(["-std=c++17", "-Wall", "-Wextra", "-Werror", "-I"]).arg(root.join("tests/mql4")).arg("-I").arg(dir);
    cmd
}

/// The mechanical rewrite of MQL4.md: a dynamic-array member `T name[];` becomes
/// `mql_array<T> name;` (and a `T &a[]` parameter `mql_array<T> &a`).
pub fn rewrite(source: &str) -> String {
    source
        .lines()
        .map(|line| {
            let trimmed = line.trim_end();
            let indent = &line[..line.len() - line.trim_start().len()];
            let decl = trimmed.trim_start();
            if let Some(body) = decl.strip_suffix("[];")
                && let Some((ty, name)) = body.split_once(' ')
            {
                return format!("{indent}mql_array<{ty}> {name};");
            }
            let mut out = line.to_string();
            while let Some(end) = array_parameter(&out) {
                let Some(start) = out[..end].rfind('&') else { break };
                let ty_start = out[..start - 1].rfind(['(', ' ']).map_or(0, |i| i + 1);
                let ty = out[ty_start..start - 1].to_string();
                let name = out[start + 1..end].to_string();
                out.replace_range(ty_start..end + 2, &format!("mql_array<{ty}> &{name}"));
            }
            out
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// Where `[])` or `[],` (the end of a `T &a[]` parameter) stands in `line` outside string
/// literals.
fn array_parameter(line: &str) -> Option<usize> {
    let b = line.as_bytes();
    let (mut i, mut in_string) = (0, false);
    while i < b.len() {
        match b[i] {
            b'\\' if in_string => i += 1,
            b'"' => in_string = !in_string,
            b'[' if !in_string && (line[i..].starts_with("[])") || line[i..].starts_with("[],")) => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// MQL4.md rule 14: the builtins generated code may call.
const BUILTINS: &[&str] = &[
    "StringLen",
    "StringGetCharacter",
    "StringSubstr",
    "StringFind",
    "StringAdd",
    "StringFormat",
    "StringToDouble",
    "StringToInteger",
    "IntegerToString",
    "ShortToString",
    "ArrayResize",
    "ArraySize",
    "ArrayFree",
    "MathIsValidNumber",
    "MathAbs",
];

/// Words of C++ that MQL4 lacks or the subset forbids (rules 4, 5, 15).
const FORBIDDEN: &[&str] = &[
    "goto",
    "class",
    "char",
    "short",
    "float",
    "ulong",
    "static",
    "template",
    "new",
    "delete",
    "operator",
    "this",
    "virtual",
    "public",
    "private",
    "namespace",
    "using",
    "typedef",
    "union",
];

const KEYWORDS: &[&str] = &["if", "while", "for", "switch", "return"];

/// `source` with comments removed and string literals emptied (`""`), so that only code is left.
fn code_only(source: &str) -> String {
    let mut out = String::new();
    let mut chars = source.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '"' => {
                out.push_str("\"\"");
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        _ => {}
                    }
                }
            }
            c => out.push(c),
        }
    }
    out
}

fn identifiers(code: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut start = None;
    let bytes = code.as_bytes();
    (0..=bytes.len()).filter_map(move |i| {
        let word = i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_');
        match (word, start) {
            (true, None) => {
                start = Some(i);
                None
            }
            (false, Some(s)) => {
                start = None;
                (!bytes[s].is_ascii_digit()).then(|| (s, &code[s..i]))
            }
            _ => None,
        }
    })
}

/// The functions the files define (a line at column 0 `type Name(`).
pub fn defined_functions<'a>(files: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for text in files {
        for line in code_only(text).lines() {
            if line.starts_with(|c: char| c.is_ascii_alphabetic())
                && let Some(open) = line.find('(')
                && let Some(name) = line[..open].split_whitespace().last()
            {
                out.insert(name.to_string());
            }
        }
    }
    out
}

/// The subset rules one generated file breaks, as `file:line: problem`; `functions` are the
/// functions the generated files define (they may call each other).
pub fn lint(file: &str, source: &str, functions: &BTreeSet<String>) -> Vec<String> {
    let mut problems = Vec::new();
    let at = |offset: usize, text: &str| text[..offset].matches('\n').count() + 1;
    if let Some(p) = source.find(|c: char| !c.is_ascii()) {
        problems.push(format!("{file}:{}: non-ASCII source (rule 1)", at(p, source)));
    }
    let code = code_only(source);
    for (n, line) in code.lines().enumerate() {
        let t = line.trim();
        if t.starts_with('#') {
            let ok = t == "#endif"
                || t == "#ifdef __MQL4__"
                || t == "#property strict"
                || t.strip_prefix("#ifndef ").is_some_and(|g| g.ends_with("_MQH"))
                || t.strip_prefix("#define ").is_some_and(|d| {
                    let mut w = d.split_whitespace();
                    let _name = w.next();
                    w.next().is_none_or(|v| v.parse::<i64>().is_ok()) && w.next().is_none()
                })
                || t.starts_with("#include <contractc/") && t.ends_with(".mqh>");
            if !ok {
                problems.push(format!("{file}:{}: preprocessor line outside the subset: {t} (rule 2)", n + 1));
            }
        }
        if line.contains('\'') {
            problems.push(format!("{file}:{}: character literal (rule 1)", n + 1));
        }
        for op in ["->", "::", "goto "] {
            if line.contains(op) {
                problems.push(format!("{file}:{}: `{op}` is not MQL4 (rules 4, 15)", n + 1));
            }
        }
        // `"abc" + 1` is pointer arithmetic in C++ and a concatenation in MQL4 (rule 11).
        let squeezed: String = line.split_whitespace().collect();
        if squeezed.match_indices("\"\"+").any(|(i, _)| squeezed[i + 3..].starts_with(|c: char| c.is_ascii_digit())) {
            problems.push(format!("{file}:{}: a string literal plus a number (rule 11)", n + 1));
        }
    }
    for (offset, word) in identifiers(&code) {
        if word.len() > 63 {
            problems.push(format!("{file}:{}: `{word}` is longer than 63 characters (rule 3)", at(offset, &code)));
        }
        if FORBIDDEN.contains(&word) {
            problems.push(format!("{file}:{}: `{word}` is outside the subset (rules 4, 5, 15)", at(offset, &code)));
        }
        let called = code[offset + word.len()..].starts_with('(');
        if called
            && !KEYWORDS.contains(&word)
            && !BUILTINS.contains(&word)
            && !functions.contains(word)
            && !code[..offset].trim_end().ends_with("#define")
        {
            problems.push(format!("{file}:{}: `{word}` is not an allowed builtin (rule 14)", at(offset, &code)));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lint_one(src: &str) -> Vec<String> {
        lint("x.mqh", src, &defined_functions([src]))
    }

    #[test]
    fn rewrite_turns_dynamic_arrays_into_mql_array() {
        assert_eq!(rewrite("   X_Fill fills[];"), "   mql_array<X_Fill> fills;\n");
        assert_eq!(rewrite("void F(const double &xs[], int n)"), "void F(const mql_array<double> &xs, int n)\n");
        // Text in a string literal is left alone.
        let message = r#"   err = CtcError(path, "must be one of [], \"&a[], x\"", pos);"#;
        assert_eq!(rewrite(message), format!("{message}\n"));
    }

    #[test]
    fn lint_accepts_the_subset() {
        let src = "#ifndef X_MQH\n#define X_MQH\n#define CTC_QUOTE 34\nint CtcF(const string s)\n{\n   int n = 0;\n   // a 'comment' with goto\n   n = StringLen(s + \"it's\");\n   if(n > 0) return CtcF(s);\n   return n;\n}\n#endif\n";
        assert_eq!(lint_one(src), Vec::<String>::new());
    }

    #[test]
    fn lint_refuses_what_mql4_lacks() {
        for (src, rule) in [
            ("int F()\n{\n   goto end;\n}\n", "rules 4, 15"),
            ("int F()\n{\n   int c = 'a';\n}\n", "rule 1"),
            ("string F()\n{\n   return \"abc\" + 1;\n}\n", "rule 11"),
            ("string F()\n{\n   return StringReplace(\"a\");\n}\n", "rule 14"),
            ("#pragma once\n", "rule 2"),
            ("float F()\n{\n}\n", "rules 4, 5, 15"),
            ("// caf\u{e9}\n", "rule 1"),
        ] {
            let problems = lint_one(src);
            assert!(problems.iter().any(|p| p.contains(rule)), "{src:?}: {problems:?}");
        }
    }
}
