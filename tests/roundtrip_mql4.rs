//! The generated MQL4, compiled with g++ through the compatibility header (MQL4.md), accepts
//! every valid sample, refuses every invalid one, and writes accepted messages back as canonical
//! JSON, byte for byte.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use contractc_tests::{all_messages, root};

/// The mechanical rewrite of MQL4.md: a dynamic-array member `T name[];` becomes
/// `mql_array<T> name;` (and a `T &a[]` parameter `mql_array<T> &a`).
fn rewrite(source: &str) -> String {
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
            while let Some(end) = out.find("[])").or_else(|| out.find("[],")) {
                let start = out[..end].rfind('&').expect("array parameters are references");
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

fn build_harness(dir: &Path) -> std::path::PathBuf {
    let include = root().join("generated/mql4/Include/contractc");
    let target = dir.join("contractc");
    std::fs::create_dir_all(&target).unwrap();
    let mut contracts = Vec::new();
    for entry in std::fs::read_dir(&include).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.is_ascii(), "{name}: generated MQL4 must be ASCII");
        std::fs::write(target.join(&name), rewrite(&text)).unwrap();
        if name != "ctc_json.mqh" {
            contracts.push(name.trim_end_matches(".mqh").to_string());
        }
    }
    contracts.sort();
    let mut cpp = String::from("#include \"mql4_compat.hpp\"\n");
    for c in &contracts {
        cpp.push_str(&format!("#include <contractc/{c}.mqh>\n"));
    }
    cpp.push_str(
        "#include <iostream>\n\nint main(int argc, char **argv) {\n  if (argc != 2) return 2;\n  std::string which = argv[1];\n  std::string line;\n  while (std::getline(std::cin, line)) {\n    string js = mql_from_utf8(line);\n    string err = \"\";\n    string out = \"\";\n    bool ok = false;\n    bool known = false;\n",
    );
    for c in &contracts {
        cpp.push_str(&format!(
            "    if (which == \"{c}\") {{ known = true; {c} v; ok = {c}_FromJson(js, v, err); if (ok) out = {c}_ToJson(v); }}\n"
        ));
    }
    cpp.push_str("    if (!known) return 3;\n    std::cout << (ok ? \"ok\\t\" + mql_to_utf8(out) : \"err\\t\" + mql_to_utf8(err)) << \"\\n\";\n  }\n  return 0;\n}\n");
    std::fs::write(dir.join("harness.cpp"), cpp).unwrap();
    let exe = dir.join("harness");
    let out = Command::new("g++")
        .args([
            "-std=c++17",
            "-O1",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-fsanitize=address,undefined",
            "-fno-sanitize-recover=all",
        ])
        .arg("-I")
        .arg(root().join("tests/mql4"))
        .arg("-I")
        .arg(dir)
        .arg(dir.join("harness.cpp"))
        .arg("-o")
        .arg(&exe)
        .output()
        .expect("g++ runs (the CI installs it)");
    assert!(out.status.success(), "g++ failed:\n{}", String::from_utf8_lossy(&out.stderr));
    exe
}

#[test]
fn rewrite_turns_dynamic_arrays_into_mql_array() {
    assert_eq!(rewrite("   X_Fill fills[];"), "   mql_array<X_Fill> fills;\n");
    assert_eq!(rewrite("void F(const double &xs[], int n)"), "void F(const mql_array<double> &xs, int n)\n");
}

#[test]
fn generated_mql4_agrees_with_every_sample() {
    let dir = tempfile::tempdir().unwrap();
    let exe = build_harness(dir.path());
    let mut failures = Vec::new();
    let mut n = 0;
    for (key, rows) in all_messages() {
        let versioned = key.rsplit('/').next().unwrap().replace(['@', '.'], "_");
        let mut child = Command::new(&exe)
            .arg(&versioned)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let input: String = rows.iter().map(|s| format!("{}\n", s.json)).collect();
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{key}: harness failed: {}", String::from_utf8_lossy(&out.stderr));
        let lines: Vec<String> = String::from_utf8(out.stdout).unwrap().lines().map(str::to_string).collect();
        assert_eq!(lines.len(), rows.len(), "{key}: one answer per sample");
        for (s, line) in rows.iter().zip(&lines) {
            n += 1;
            let (verdict, text) = line.split_once('\t').unwrap();
            match (verdict, s.valid) {
                ("ok", true) => {
                    let want = s.canonical.clone().unwrap_or_default();
                    if text != want {
                        failures.push(format!("{key} {:?}: wrote {text}, canonical is {want}", s.name));
                    }
                }
                ("err", false) => {
                    if !text.starts_with("$") || !text.contains(" at offset ") {
                        failures.push(format!(
                            "{key} {:?}: error not in the `$.path: reason at offset N` form: {text}",
                            s.name
                        ));
                    }
                }
                ("ok", false) => {
                    failures.push(format!("{key} {:?}: accepted an invalid message, wrote {text}", s.name))
                }
                _ => failures.push(format!("{key} {:?}: refused a valid message: {text}", s.name)),
            }
        }
    }
    assert!(n >= 80, "only {n} samples");
    assert!(failures.is_empty(), "{} of {n} samples disagree:\n{}", failures.len(), failures.join("\n"));
}
