//! Vectors generated from the IR, one file per contract version under `tests/vectors/`
//! (deterministic: they depend on the schemas only). Valid: every property present, only the
//! required ones, every enum value, every bound at its edge (the next double past an exclusive
//! one), strings of maximal length in astral characters, empty and full arrays. Invalid, one
//! violation each: every required property missing, an unknown key, each bound crossed, wrong
//! types, `1.0` for an integer, `null` for an optional property, bad dates, values outside enums.
//! Spelled differently: every string escape, number forms (`1E2`, `-0`, 30-digit integers),
//! integers at ±2^53 and the int64 edges. Malformed: trailing comma, bad escape, lone surrogate,
//! `\u0000`, duplicate key, NaN, `1e400`, BOM, raw control characters, excessive nesting.
//! Property-based: random valid instances (proptest strategies built from the IR, a fixed seed).
//! For the contracts of the project and of the conformance suite (`tests/conformance`).
//! `UPDATE_VECTORS=1` writes them; a test fails when they are stale.

use contractc_driver::{Config, compile, read_inputs};
use contractc_ir::pattern::Pattern;
use contractc_ir::{Contracts, Format, JsonKind, Object, Program, StringTy, Ty, TypeKind, TypeRef};
use contractc_tests::{Sample, canonical, root, samples};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use serde_json::{Map, Value, json};

/// Random valid instances per contract version.
const RANDOM: usize = 40;

/// Values of unknown members: every JSON kind, numbers that read as doubles, nested members
/// whose keys need sorting.
static UNKNOWN_VALUES: std::sync::LazyLock<Vec<Value>> = std::sync::LazyLock::new(|| {
    vec![
        json!(null),
        json!(true),
        json!(-7),
        json!(0.5),
        json!(1e21),
        json!("x\"\u{7f}é"),
        json!([1, "a", [false]]),
        json!({"z": 1, "a": {"é": [], "e": null}}),
    ]
});

/// JSON Schema's `pattern` as ECMA-262 defines it, by `regress` (an ECMAScript regex engine) with
/// the `u` flag: the vectors' verdicts come from it, not from the renderings the testees use.
/// A pattern u-mode refuses but the checker takes (a `{` that starts no quantifier, Annex B.1.2)
/// is read without the flag.
fn ecma_matches(p: &Pattern, text: &str) -> bool {
    let regex = regress::Regex::with_flags(&p.source, "u").or_else(|_| regress::Regex::new(&p.source));
    regex.expect("the checker accepted this pattern").find(text).is_some()
}

/// Strings of `s`'s lengths and format that match its pattern `p`, at least one: samples of the
/// pattern ([`Pattern::sample`]), repeated to the lengths, and instances of the format.
fn pattern_samples(s: &StringTy, p: &Pattern) -> Vec<String> {
    let mut tries = match s.format {
        Some(f) => format_instances(f).iter().map(|t| t.to_string()).collect(),
        None => vec![p.sample(false), p.sample(true)],
    };
    for base in [p.sample(false), p.sample(true), "x".into(), "0".into()] {
        let want = (s.min_length.unwrap_or(0).max(1) as usize).max(base.chars().count());
        tries.push(base.chars().cycle().take(want).collect());
    }
    let mut out: Vec<String> = Vec::new();
    for t in tries {
        let format = s.format.is_none_or(|f| format_ok(f, &t));
        if fits(s, &t) && format && ecma_matches(p, &t) && !out.contains(&t) {
            out.push(t);
        }
    }
    assert!(!out.is_empty(), "no sample of pattern {:?} fits its lengths and format", p.source);
    out
}

/// `v` (an instance of `ty`) as every language holds it: every absent member that has a
/// `default` given it, at any depth, and a number under `number` a double (so its canonical form
/// is a double's).
fn with_defaults(p: &Program, ty: &Ty, v: &mut Value) {
    match (ty, v) {
        (Ty::Number(_), v @ Value::Number(_)) => {
            if let Some(x) = v.as_f64().and_then(serde_json::Number::from_f64) {
                *v = Value::Number(x);
            }
        }
        (Ty::Nullable(t), v) if !v.is_null() => with_defaults(p, t, v),
        (Ty::Array(a), Value::Array(items)) => items.iter_mut().for_each(|i| with_defaults(p, &a.items, i)),
        (Ty::Named(r), v) => match &p.named(*r).kind {
            TypeKind::Alias(t) => with_defaults(p, t, v),
            TypeKind::Choice(branches) => {
                if let Some((_, t)) = branches.iter().find(|(k, _)| Some(*k) == json_kind(v)) {
                    with_defaults(p, t, v);
                }
            }
            // The branch that holds a value is the first that accepts it: here the first that
            // does not plainly refuse it.
            TypeKind::Untagged(u) => {
                if let Some(t) = u.branches.iter().find(|t| !plainly_not(p, t, v)) {
                    with_defaults(p, t, v);
                }
            }
            TypeKind::Union(u) => {
                let tag = v.get(&u.tag).and_then(Value::as_str).map(str::to_string);
                if let Some((_, index)) = u.variants.iter().find(|(value, _)| Some(value) == tag.as_ref()) {
                    with_defaults(p, &Ty::Named(TypeRef { contract: r.contract, index: *index }), v);
                }
            }
            TypeKind::Object(o) => {
                let Value::Object(m) = v else { return };
                for f in &o.fields {
                    match (m.get_mut(&f.name), &f.default) {
                        (Some(x), _) => with_defaults(p, &f.ty, x),
                        // The default is read as the member would be: its own defaults too.
                        (None, Some(d)) => {
                            let mut v = serde_json::from_str(d).expect("a default is JSON");
                            with_defaults(p, &f.ty, &mut v);
                            m.insert(f.name.clone(), v);
                        }
                        (None, None) => {}
                    }
                }
                if let Some(t) = o.map_values() {
                    for (k, x) in m.iter_mut() {
                        if o.fields.iter().all(|f| f.name != *k) {
                            with_defaults(p, t, x);
                        }
                    }
                }
            }
            TypeKind::Enum(_) => {}
        },
        _ => {}
    }
}

/// The value at `path` inside `v`, if there is one.
fn value_at<'v>(v: &'v Value, path: &[String]) -> Option<&'v Value> {
    path.iter().try_fold(v, |at, k| match at {
        Value::Object(m) => m.get(k),
        Value::Array(a) => a.get(k.parse::<usize>().ok()?),
        _ => None,
    })
}

/// A JSON value's type as a choice tells its branches apart (`None` for `null`).
fn json_kind(v: &Value) -> Option<JsonKind> {
    match v {
        Value::Null => None,
        Value::Bool(_) => Some(JsonKind::Boolean),
        Value::Number(_) => Some(JsonKind::Number),
        Value::String(_) => Some(JsonKind::String),
        Value::Array(_) => Some(JsonKind::Array),
        Value::Object(_) => Some(JsonKind::Object),
    }
}

/// The JSON types a value of `ty` may have (`None` standing for `null`), as far as the type says.
fn kinds(p: &Program, ty: &Ty) -> Vec<Option<JsonKind>> {
    match ty {
        Ty::String(_) => vec![Some(JsonKind::String)],
        Ty::Number(_) | Ty::Integer(_) => vec![Some(JsonKind::Number)],
        Ty::Boolean => vec![Some(JsonKind::Boolean)],
        Ty::Array(_) => vec![Some(JsonKind::Array)],
        Ty::Nullable(t) => std::iter::once(None).chain(kinds(p, t)).collect(),
        Ty::Values(values) => {
            values.iter().map(|t| json_kind(&serde_json::from_str(t).expect("canonical text is JSON"))).collect()
        }
        Ty::Any => {
            let every = [JsonKind::Boolean, JsonKind::Number, JsonKind::String, JsonKind::Array, JsonKind::Object];
            std::iter::once(None).chain(every.map(Some)).collect()
        }
        Ty::Named(r) => match &p.named(*r).kind {
            TypeKind::Enum(_) => vec![Some(JsonKind::String)],
            TypeKind::Object(_) | TypeKind::Union(_) => vec![Some(JsonKind::Object)],
            TypeKind::Alias(t) => kinds(p, t),
            TypeKind::Choice(branches) => branches.iter().map(|(k, _)| Some(*k)).collect(),
            TypeKind::Untagged(u) => u.branches.iter().flat_map(|t| kinds(p, t)).collect(),
        },
    }
}

/// Whether `v` is plainly not an instance of `ty`: of a JSON type it does not take, or past a
/// bound, a length, a pattern, a required member, the values of an enum. `false` when unsure
/// (this is no validator: it only tells which vectors have a verdict by construction).
fn plainly_not(p: &Program, ty: &Ty, v: &Value) -> bool {
    if !kinds(p, ty).contains(&json_kind(v)) {
        return true;
    }
    match (ty, v) {
        (Ty::Integer(t), Value::Number(n)) => n.as_i64().is_none_or(|n| {
            t.minimum.is_some_and(|m| n < m)
                || t.maximum.is_some_and(|m| n > m)
                || t.multiple_of.is_some_and(|d| !runtime::decimal::is_integer_multiple_of(n, d))
        }),
        (Ty::Number(t), Value::Number(n)) => {
            let x = n.as_f64().unwrap_or(f64::NAN);
            !number_in(t, x) || !multiple_ok(t.multiple_of, x)
        }
        (Ty::String(s), Value::String(text)) => {
            !fits(s, text) || s.pattern.as_ref().is_some_and(|pat| !ecma_matches(pat, text))
        }
        (Ty::Values(values), v) => !values.contains(&canonical(v)),
        (Ty::Nullable(t), v) => !v.is_null() && plainly_not(p, t, v),
        (Ty::Named(r), v) => match (&p.named(*r).kind, v) {
            (TypeKind::Enum(values), Value::String(s)) => !values.contains(s),
            (TypeKind::Alias(t), v) => plainly_not(p, t, v),
            (TypeKind::Object(o), Value::Object(m)) => {
                o.fields.iter().any(|f| f.required && !m.contains_key(&f.name))
                    || (matches!(o.additional, contractc_ir::Additional::Forbidden)
                        && m.keys().any(|k| o.fields.iter().all(|f| &f.name != k)))
                    || o.fields.iter().any(|f| m.get(&f.name).is_some_and(|x| plainly_not(p, &f.ty, x)))
            }
            _ => false,
        },
        _ => false,
    }
}

/// Whether value `v` given to branch `j` of an untagged union can only be judged by that branch:
/// every other branch plainly refuses it.
fn only_branch(p: &Program, branches: &[Ty], j: usize, v: Option<&Value>) -> bool {
    branches.iter().enumerate().all(|(b, t)| b == j || v.is_some_and(|v| plainly_not(p, t, v)))
}

/// The branch of an untagged union whose sample value ([`value`]) is valid for the union: the
/// first branch for `anyOf`, the first whose sample every other branch plainly refuses for
/// `oneOf`.
fn sure_branch(p: &Program, u: &contractc_ir::Untagged, full: bool) -> Option<usize> {
    if !u.exactly_one {
        return Some(0);
    }
    (0..u.branches.len()).find(|&j| only_branch(p, &u.branches, j, Some(&value(p, &u.branches[j], full))))
}

/// Whether an undeclared member of `o` may be named `key` (`propertyNames`, `patternProperties`:
/// the patterns beside `additionalProperties: false` and those whose schema is `false`).
fn name_ok(o: &Object, key: &str) -> bool {
    names_allow(o, key) && rules_matching(o, key).all(|r| r.ty.is_some())
}

/// Whether the names undeclared members may have (`propertyNames`, the patterns beside
/// `additionalProperties: false`) allow `key`.
fn names_allow(o: &Object, key: &str) -> bool {
    o.extra_names.as_ref().is_none_or(|s| fits(s, key) && s.pattern.as_ref().is_none_or(|p| ecma_matches(p, key)))
}

/// Whether `key` may name an undeclared member of `o` that no rule's pattern matches (its type
/// is then [`unmatched`]).
fn plain_name(o: &Object, key: &str) -> bool {
    o.fields.iter().all(|f| f.name != key) && name_ok(o, key) && rules_matching(o, key).next().is_none()
}

/// The `patternProperties` rules of `o` whose patterns match `key`.
fn rules_matching<'o>(o: &'o Object, key: &str) -> impl Iterator<Item = &'o contractc_ir::PatternRule> {
    o.pattern_rules.iter().filter(move |r| ecma_matches(&r.pattern, key))
}

/// A name of an undeclared member of `o` that `rule`'s pattern alone matches, if a sample of the
/// pattern is one.
fn rule_key(o: &Object, rule: &contractc_ir::PatternRule) -> Option<String> {
    let (a, b) = (rule.pattern.sample(false), rule.pattern.sample(true));
    let candidates = [a.clone(), b.clone(), format!("{a}{b}"), format!("{a}zz"), format!("zz{a}")];
    candidates.into_iter().find(|k| {
        o.fields.iter().all(|f| f.name != *k)
            && ecma_matches(&rule.pattern, k)
            && rules_matching(o, k).count() == 1
            && names_allow(o, k)
    })
}

/// The type of the undeclared members of `o` whose names no rule matches (`None`: any value).
fn unmatched(o: &Object) -> Option<&Ty> {
    o.map_values().or(o.unmatched.as_ref())
}

/// Up to `n` distinct names an undeclared member of `o` may have that no rule's pattern matches
/// (their type is [`unmatched`]), in a fixed order: `zz_unknown`, `zz0`, ... and, where names are
/// constrained, samples of their pattern.
fn extra_keys(o: &Object, n: usize) -> Vec<String> {
    let mut candidates: Vec<String> = vec!["zz_unknown".into()];
    candidates.extend((0..10).map(|k| format!("zz{k}")));
    if let Some(p) = o.extra_names.as_ref().and_then(|s| s.pattern.as_ref()) {
        let (a, b) = (p.sample(false), p.sample(true));
        candidates.extend([a.clone(), b.clone(), format!("{a}{b}"), format!("{b}{a}"), format!("{a}{a}{a}")]);
        candidates.extend((0..10).map(|k| format!("{a}{k}")));
    }
    candidates.extend(["A", "~", "é", "😀", "x"].map(String::from));
    let mut out: Vec<String> = Vec::new();
    for c in candidates {
        if out.len() < n && !out.contains(&c) && plain_name(o, &c) {
            out.push(c);
        }
    }
    out
}

/// Instances of format `f`; the first is the value of its fields in valid messages.
fn format_instances(f: Format) -> &'static [&'static str] {
    match f {
        Format::DateTime => &["2017-04-19T09:00:00Z", "2024-02-29T23:59:60Z"],
        Format::Date => &["2017-04-19", "2024-02-29", "2024-12-31"],
        Format::Time => &["09:00:00Z", "23:59:60Z", "15:59:60.125-08:00"],
        Format::Duration => &["P1D", "PT1H30M", "P1Y2M3DT4H5M6S", "P2W"],
        Format::Email => &["joe.bloggs@example.com", "\"joe bloggs\"@example.com", "joe@[IPv6:::1]"],
        Format::Hostname => &["www.example.com", "localhost", "xn--4gbwdl.xn--wgbh1c"],
        Format::Ipv4 => &["192.168.0.1", "0.0.0.0", "255.255.255.255"],
        Format::Ipv6 => &["::1", "2001:db8::8a2e:370:7334", "::ffff:192.168.0.1"],
        Format::Uuid => &["2eb8aa08-aa98-11ea-b4aa-73b441d16380"],
    }
}

/// Strings for a field of format `f`, `(what, text, valid)`: instances in each of the format's
/// forms and near misses, one violation each (the JSON-Schema-Test-Suite's cases and more).
fn format_cases(f: Format) -> Vec<(&'static str, String, bool)> {
    let cases: Vec<(&str, &str, bool)> = match f {
        Format::DateTime => vec![
            ("bad date-time", "2017-02-30T09:00:00Z", false),
            ("leap-day date-time", "2016-02-29T15:59:60.125-08:00", true),
            ("non-ASCII digit in date-time", "2017-04-1\u{9ea}T09:00:00Z", false),
            ("leap second off the end of a UTC day", "2016-12-31T23:59:60+01:00", false),
        ],
        Format::Date => vec![
            ("bad date", "2017-02-30", false),
            ("leap-day date", "2016-02-29", true),
            ("non-ASCII digit in date", "2017-04-1\u{9ea}", false),
        ],
        Format::Time => vec![
            ("time with a fraction and an offset", "23:20:50.52+05:30", true),
            ("time with a lower-case z", "08:30:06z", true),
            ("time with a leap second at the end of a UTC day", "15:59:60-08:00", true),
            ("time with a leap second off the end of a UTC day", "23:59:60+01:00", false),
            ("time without an offset", "12:00:00", false),
            ("time at hour 24", "24:00:00Z", false),
            ("time at second 61", "00:00:61Z", false),
            ("time with a one-digit hour", "8:30:06Z", false),
            ("time with an empty fraction", "08:30:06.Z", false),
            ("time with a comma before the fraction", "01:01:01,1111Z", false),
            ("time with an offset of 24 hours", "01:02:03+24:00", false),
            ("time with a non-ASCII digit", "1\u{9e8}:00:00Z", false),
            ("time that is a date-time", "2017-04-19T09:00:00Z", false),
        ],
        Format::Duration => vec![
            ("duration in every unit", "P1Y2M3DT4H5M6S", true),
            ("duration in months and days", "P2M3D", true),
            ("duration in hours", "PT36H", true),
            ("duration of zero seconds", "PT0S", true),
            ("duration in weeks", "P2W", true),
            ("duration of years and days, months skipped", "P1Y3D", false),
            ("duration of hours and seconds, minutes skipped", "PT1H1S", false),
            ("duration without elements", "P", false),
            ("duration with an empty time", "P1DT", false),
            ("duration with its elements out of order", "P2D1Y", false),
            ("duration with hours before the time", "P1D2H", false),
            ("duration of weeks and days", "P1W1D", false),
            ("duration in lower case", "p1d", false),
            ("duration with a fraction", "PT0.5S", false),
            ("negative duration", "-P1D", false),
            ("duration with a non-ASCII digit", "P\u{9e8}D", false),
        ],
        Format::Email => vec![
            ("e-mail with a quoted @", "\"joe@bloggs\"@example.com", true),
            ("e-mail with a quoted pair", "\"joe\\\"bloggs\"@example.com", true),
            ("e-mail with every atext special", "!#$%&'*+-/=?^_`{|}~@example.com", true),
            ("e-mail with an IPv4 literal", "joe@[127.0.0.1]", true),
            ("e-mail without @", "joe.example.com", false),
            ("e-mail with an empty local part", "@example.com", false),
            ("e-mail with two dots in a row", "te..st@example.com", false),
            ("e-mail with a dot ending the local part", "test.@example.com", false),
            ("e-mail with an unquoted space", "joe bloggs@example.com", false),
            ("e-mail with a bad IPv4 literal", "joe@[127.0.0.300]", false),
            ("e-mail with a lower-case IPv6 tag", "joe@[ipv6:::1]", false),
            ("e-mail with a bad domain", "joe.bloggs@invalid=domain.com", false),
            ("e-mail with a non-ASCII local part", "j\u{f6}e@example.com", false),
        ],
        Format::Hostname => vec![
            ("host name of one label", "hostname", true),
            ("host name starting with a digit", "1host", true),
            ("host name starting with a hyphen", "-hostname", false),
            ("host name ending with a hyphen", "hostname-", false),
            ("host name with an underscore", "host_name", false),
            ("host name with a trailing dot", "example.com.", false),
            ("host name with an empty label", "a..b", false),
            ("empty host name", "", false),
            ("non-ASCII host name", "ex\u{e4}mple.com", false),
        ],
        Format::Ipv4 => vec![
            ("IPv4 address of zeros", "0.0.0.0", true),
            ("IPv4 address with 256", "256.0.0.1", false),
            ("IPv4 address with a leading zero", "087.10.0.1", false),
            ("IPv4 address of three parts", "127.0.1", false),
            ("IPv4 address of five parts", "1.2.3.4.5", false),
            ("IPv4 address with an empty part", "1..2.3", false),
            ("IPv4 address with a trailing dot", "1.2.3.4.", false),
            ("IPv4 address with a netmask", "192.168.1.0/24", false),
            ("IPv4 address as an integer", "2130706433", false),
            ("IPv4 address with a non-ASCII digit", "1\u{9e8}7.0.0.1", false),
        ],
        Format::Ipv6 => vec![
            ("IPv6 address of zeros", "::", true),
            ("IPv6 address in full", "1:2:3:4:5:6:7:8", true),
            ("IPv6 address in upper case", "2001:DB8::8A2E:370:7334", true),
            ("IPv6 address with :: for one group", "1:2:3:4:5:6:7::", true),
            ("IPv6 address in full with an IPv4 address", "1:2:3:4:5:6:1.2.3.4", true),
            ("IPv6 address with two ::", "1::2::3", false),
            ("IPv6 address of seven groups", "1:2:3:4:5:6:7", false),
            ("IPv6 address of nine groups", "1:2:3:4:5:6:7:8:9", false),
            ("IPv6 address with :: and eight groups", "1:2:3:4::5:6:7:8", false),
            ("IPv6 address with a group of 5 digits", "12345::", false),
            ("IPv6 address with an IPv4 address before ::", "1.2.3.4::", false),
            ("IPv6 address with a lone leading colon", ":1:2:3:4:5:6:7", false),
            ("IPv6 address with a zone", "fe80::1%eth0", false),
            ("IPv6 address with a prefix length", "fe80::/64", false),
            ("IPv6 address with a leading space", " ::1", false),
            ("IPv6 address with a non-ASCII digit", "1:2:3:4:5:6:7:\u{9ea}", false),
            ("IPv4 address as IPv6", "127.0.0.1", false),
        ],
        // RFC 9562's form in every case and version.
        Format::Uuid => vec![
            ("lower-case uuid", "2eb8aa08-aa98-11ea-b4aa-73b441d16380", true),
            ("upper-case uuid", "2EB8AA08-AA98-11EA-B4AA-73B441D16380", true),
            ("nil uuid", "00000000-0000-0000-0000-000000000000", true),
            ("uuid of a hypothetical version 15", "98d80576-482e-f27a-8e9d-0b0e93a6f7b9", true),
            ("uuid without dashes", "2eb8aa08aa9811eab4aa73b441d16380", false),
            ("uuid with a dash moved", "2eb8aa08-aa98-11ea-b4aa7-3b441d16380", false),
            ("uuid with a non-hex digit", "2eb8aa08-aa98-11ea-b4aa-73b441d1638g", false),
            ("uuid one digit short", "2eb8aa08-aa98-11ea-b4aa-73b441d1638", false),
            ("uuid in braces", "{2eb8aa08-aa98-11ea-b4aa-73b441d16380}", false),
            ("uuid with a full-width digit", "2eb8aa08-aa98-11ea-b4aa-73b441d1638\u{ff10}", false),
        ],
    };
    let mut out: Vec<(&str, String, bool)> = cases.into_iter().map(|(w, t, v)| (w, t.to_string(), v)).collect();
    // The lengths' edges.
    let a = |n: usize| "a".repeat(n);
    match f {
        Format::Email => out.extend([
            ("e-mail with a local part of 64 characters", format!("{}@example.com", a(64)), true),
            ("e-mail with a local part of 65 characters", format!("{}@example.com", a(65)), false),
            ("e-mail of 254 characters", format!("{}@{}.{}.{}.{}", a(64), a(63), a(63), a(58), a(2)), true),
            ("e-mail of 255 characters", format!("{}@{}.{}.{}.{}", a(64), a(63), a(63), a(59), a(2)), false),
        ]),
        Format::Hostname => out.extend([
            ("host name with a label of 63 characters", format!("{}.com", a(63)), true),
            ("host name with a label of 64 characters", format!("{}.com", a(64)), false),
            ("host name of 253 characters", format!("{0}.{0}.{0}.{1}", a(63), a(61)), true),
            ("host name of 254 characters", format!("{0}.{0}.{0}.{1}", a(63), a(62)), false),
        ]),
        _ => {}
    }
    out
}

/// `k` times `d` as decimals (`multipleOf`): the double whose shortest decimal is k·d exactly.
fn times(d: f64, k: i64) -> Option<f64> {
    let d = runtime::decimal::Decimal::of_double(d);
    let m: i64 = d.digits.parse().ok()?;
    format!("{}e{}", k.checked_mul(m)?, d.exponent).parse().ok().filter(|x: &f64| x.is_finite())
}

/// The multipliers k of `d` that random multiples take: those whose k·d lies within the bounds,
/// at most 100,000 on either side of the first.
fn multipliers(lo: Option<f64>, hi: Option<f64>, d: f64) -> (i64, i64) {
    let k = |x: f64, up: bool| {
        let q = x / d;
        (if up { q.ceil() } else { q.floor() }).clamp(-1e15, 1e15) as i64
    };
    let a = lo.map_or(-100_000, |x| k(x, true));
    let b = hi.map_or(a.saturating_add(200_000), |x| k(x, false));
    (a, b.min(a.saturating_add(200_000)))
}

/// The least positive integer that is a multiple of `d`, whose multiples are all the integers
/// that are: for d = m·10^f, m / gcd(m, 10^−f) when f < 0, else d.
fn integer_step(d: f64) -> Option<i64> {
    let dec = runtime::decimal::Decimal::of_double(d);
    let m: i64 = dec.digits.parse().ok()?;
    if dec.exponent >= 0 {
        return 10i64.checked_pow(dec.exponent as u32)?.checked_mul(m);
    }
    let gcd = |mut a: i64, mut b: i64| {
        while b != 0 {
            (a, b) = (b, a % b);
        }
        a
    };
    let power = 10i64.checked_pow((-dec.exponent).min(18) as u32)?;
    Some(m / gcd(m, power))
}

/// Whether `x` lies within the bounds of `n`.
fn number_in(n: &contractc_ir::NumberTy, x: f64) -> bool {
    n.minimum.is_none_or(|b| if b.exclusive { x > b.value } else { x >= b.value })
        && n.maximum.is_none_or(|b| if b.exclusive { x < b.value } else { x <= b.value })
}

/// Whether `x` keeps the `multipleOf` of a number type, as every language checks it.
fn multiple_ok(divisor: Option<f64>, x: f64) -> bool {
    divisor.is_none_or(|d| runtime::decimal::is_multiple_of(x, d))
}

/// Whether `text` is an instance of format `f`, by the runtime's check (the one Rust implements).
fn format_ok(f: Format, text: &str) -> bool {
    runtime::plan::Format::from_keyword(f.keyword()).is_some_and(|r| r.matches(text))
}

/// Whether `text` is within `s`'s `minLength` and `maxLength` (code points).
fn fits(s: &StringTy, text: &str) -> bool {
    let n = text.chars().count() as u64;
    s.min_length.is_none_or(|m| n >= m) && s.max_length.is_none_or(|m| n <= m)
}

/// A valid value of `ty`, in the middle of its bounds.
fn value(p: &Program, ty: &Ty, full: bool) -> Value {
    match ty {
        Ty::String(s) => {
            let base = match (s.format, &s.pattern) {
                (_, Some(p)) => return json!(pattern_samples(s, p)[0]),
                (Some(f), None) => format_instances(f)[0].to_string(),
                (None, None) => "EURUSD".to_string(),
            };
            let n = base.chars().count() as u64;
            if s.format.is_none() && (s.min_length.is_some_and(|m| n < m) || s.max_length.is_some_and(|m| n > m)) {
                return json!(
                    "x".repeat(s.min_length.unwrap_or(1).max(1).min(s.max_length.unwrap_or(u64::MAX)) as usize)
                );
            }
            json!(base)
        }
        Ty::Number(n) => {
            let lo = n.minimum.map(|b| b.value);
            let hi = n.maximum.map(|b| b.value);
            let x = match (lo, hi) {
                (Some(a), Some(b)) => (a + b) / 2.0,
                (Some(a), None) => a + 1.25,
                (None, Some(b)) => b - 1.25,
                (None, None) => 1.25,
            };
            // The multiple of `multipleOf` nearest `x` within the bounds.
            let multiple = n.multiple_of.and_then(|d| {
                let k = (x / d).round() as i64;
                (0..50).flat_map(|i| [k + i, k - i]).filter_map(|k| times(d, k)).find(|x| number_in(n, *x))
            });
            json!(multiple.unwrap_or(x))
        }
        Ty::Integer(n) => {
            let x = match (n.minimum, n.maximum) {
                (Some(a), Some(b)) => ((i128::from(a) + i128::from(b)) / 2) as i64,
                (Some(a), None) => a + 1,
                (None, Some(b)) => b - 1,
                (None, None) => 7,
            };
            let multiple = n.multiple_of.and_then(|d| {
                let within = |v: &i64| n.minimum.is_none_or(|m| *v >= m) && n.maximum.is_none_or(|m| *v <= m);
                (0..1000i64)
                    .flat_map(|i| [x.checked_add(i), x.checked_sub(i)])
                    .flatten()
                    .find(|v| within(v) && runtime::decimal::is_integer_multiple_of(*v, d))
            });
            json!(multiple.unwrap_or(x))
        }
        Ty::Boolean => json!(true),
        Ty::Array(a) => match &a.tuple {
            // Every position, and one item after them when the array may have it.
            Some(t) => Value::Array(tuple_items(p, a, t.prefix.len() + 1)),
            None if a.contains.is_some() => {
                // As many items as `contains` asks for, then others up to `minItems`.
                let c = a.contains.as_ref().expect("checked");
                let matching = value(p, &c.ty, full);
                let other = value(p, &a.items, full);
                let k = c.min.max(1).min(c.max.unwrap_or(u64::MAX)) as usize;
                let n = (a.min_items.unwrap_or(0) as usize).max(k).min(a.max_items.unwrap_or(u64::MAX) as usize);
                let mut items = vec![matching; k.min(n)];
                items.resize(n, other);
                Value::Array(items)
            }
            None => {
                let n = a.min_items.unwrap_or(1).max(1).min(a.max_items.unwrap_or(u64::MAX)) as usize;
                if a.unique_items {
                    Value::Array(distinct(p, &a.items, n))
                } else {
                    Value::Array(vec![value(p, &a.items, full); n])
                }
            }
        },
        Ty::Named(r) => named(p, *r, full),
        Ty::Nullable(t) => value(p, t, full),
        Ty::Values(values) => serde_json::from_str(&values[0]).expect("canonical text is JSON"),
        Ty::Any => json!({"any": [1, 1.5, "x", null]}),
    }
}

/// Valid items of a tuple, each of its position's type: `n` of them within `minItems` and
/// `maxItems`, no two equal under `uniqueItems` (fewer when the positions' types have fewer values).
fn tuple_items(p: &Program, a: &contractc_ir::ArrayTy, n: usize) -> Vec<Value> {
    let n = n.max(a.min_items.unwrap_or(0) as usize).min(a.max_items.unwrap_or(u64::MAX) as usize);
    let mut out: Vec<Value> = Vec::new();
    for i in 0..n {
        let ty = a.item(i);
        let fresh = |v: &Value| !a.unique_items || out.iter().all(|o| canonical(o) != canonical(v));
        match distinct(p, ty, 8).into_iter().find(fresh) {
            Some(v) => out.push(v),
            None => break,
        }
    }
    out
}

/// `n` valid values of `ty` no two of which are equal (for `uniqueItems`): [`value`]'s, then
/// random ones ([`strategy`], a fixed seed), fewer when the type has fewer values.
fn distinct(p: &Program, ty: &Ty, n: usize) -> Vec<Value> {
    let mut out = vec![value(p, ty, true)];
    let strategy = strategy(p, ty);
    let mut runner = TestRunner::deterministic();
    for _ in 0..200 {
        if out.len() >= n {
            break;
        }
        let v = strategy.new_tree(&mut runner).expect("a strategy that generates").current();
        if out.iter().all(|o| canonical(o) != canonical(&v)) {
            out.push(v);
        }
    }
    out
}

fn named(p: &Program, r: TypeRef, full: bool) -> Value {
    match &p.named(r).kind {
        TypeKind::Enum(values) => json!(values[0]),
        TypeKind::Union(u) => named(p, TypeRef { contract: r.contract, index: u.variants[0].1 }, full),
        TypeKind::Alias(t) => value(p, t, full),
        TypeKind::Choice(branches) => value(p, &branches[0].1, full),
        TypeKind::Untagged(u) => {
            // Without a sure branch, [`buildable`] keeps this value out of the vectors.
            let j = sure_branch(p, u, full).unwrap_or(0);
            value(p, &u.branches[j], full)
        }
        TypeKind::Object(o) => {
            let mut m = Map::new();
            for f in o.fields.iter().filter(|f| full || f.required) {
                m.insert(f.name.clone(), value(p, &f.ty, full));
            }
            // As many members as `minProperties` asks for: optional fields, then unknown ones.
            let min = o.min_properties.unwrap_or(0) as usize;
            for f in &o.fields {
                if m.len() >= min {
                    break;
                }
                if !m.contains_key(&f.name) {
                    m.insert(f.name.clone(), value(p, &f.ty, full));
                }
            }
            if !matches!(o.additional, contractc_ir::Additional::Forbidden) {
                for (k, key) in extra_keys(o, min.saturating_sub(m.len())).into_iter().enumerate() {
                    m.insert(key, unmatched(o).map_or(json!(k), |t| value(p, t, full)));
                }
            }
            // `dependentRequired`: the members the present ones need.
            for (name, needed) in &o.dependent_required {
                if !m.contains_key(name) {
                    continue;
                }
                for n in needed {
                    if !m.contains_key(n) {
                        m.insert(n.clone(), member_value(p, o, n, full));
                    }
                }
            }
            Value::Object(m)
        }
    }
}

/// A valid value of member `name` of `o`: its field's type's, else an undeclared member's.
fn member_value(p: &Program, o: &Object, name: &str, full: bool) -> Value {
    match o.fields.iter().find(|f| f.name == name) {
        Some(f) => value(p, &f.ty, full),
        None => unmatched(o).map_or(json!(0), |t| value(p, t, full)),
    }
}

/// Whether object `m` keeps every `dependentRequired` rule of `o`.
fn dependents_hold(o: &Object, m: &Map<String, Value>) -> bool {
    o.dependent_required.iter().all(|(name, needed)| !m.contains_key(name) || needed.iter().all(|n| m.contains_key(n)))
}

fn set(v: &mut Value, path: &[String], new: Option<Value>) {
    let Some((last, parents)) = path.split_last() else {
        *v = new.expect("the root is replaced, never removed");
        return;
    };
    let mut at = v;
    for k in parents {
        at = match at {
            Value::Object(m) => m.get_mut(k).expect("path exists"),
            Value::Array(a) => &mut a[k.parse::<usize>().expect("index")],
            _ => unreachable!("paths follow the value"),
        };
    }
    match (at, new) {
        (Value::Object(m), Some(n)) => {
            m.insert(last.clone(), n);
        }
        (Value::Object(m), None) => {
            m.remove(last);
        }
        (Value::Array(a), Some(n)) => a[last.parse::<usize>().expect("index")] = n,
        _ => unreachable!("paths follow the value"),
    }
}

/// The next double above `x`.
fn up(x: f64) -> f64 {
    if x == 0.0 {
        f64::from_bits(1)
    } else if x > 0.0 {
        f64::from_bits(x.to_bits() + 1)
    } else {
        f64::from_bits(x.to_bits() - 1)
    }
}

fn down(x: f64) -> f64 {
    -up(-x)
}

struct Gen<'a> {
    p: &'a Program,
    base: Value,
    out: Vec<(String, bool, Value)>,
    /// `1.0` where an integer belongs, at a path of a value (the base as it was then).
    raw: Vec<(String, bool, Value, Vec<String>)>,
}

impl Gen<'_> {
    /// `dependentRequired`: each rule's member with all it needs, and without each of them; and
    /// the vectors from `start` on whose object at `path` breaks a rule are invalid.
    fn dependents(&mut self, o: &Object, path: &[String], start: usize) {
        for (_, valid, v) in &mut self.out[start..] {
            if let Some(Value::Object(m)) = value_at(v, path) {
                *valid &= dependents_hold(o, m);
            }
        }
        let Some(Value::Object(base)) = value_at(&self.base, path).cloned() else { return };
        let at = if path.is_empty() { "$".to_string() } else { path.join(".") };
        for (name, needed) in &o.dependent_required {
            let mut m = base.clone();
            for n in std::iter::once(name).chain(needed) {
                if !m.contains_key(n) {
                    m.insert(n.clone(), member_value(self.p, o, n, true));
                }
            }
            self.with(format!("{at} with {name} and what it needs"), true, path, Some(Value::Object(m.clone())));
            for n in needed {
                let mut without = m.clone();
                without.remove(n);
                self.with(format!("{at} with {name}, without {n}"), false, path, Some(Value::Object(without)));
            }
            let mut alone = m.clone();
            alone.remove(name);
            self.with(
                format!("{at} without {name}, with what it would need"),
                dependents_hold(o, &alone),
                path,
                Some(Value::Object(alone)),
            );
        }
    }

    /// Under `uniqueItems`: the valid vectors from `start` on whose array at `path` now has two
    /// equal items (a walked item may equal another) are left out.
    fn drop_repeating(&mut self, path: &[String], start: usize) {
        let mut walked = self.out.split_off(start);
        walked.retain(|(_, valid, v)| {
            let items = value_at(v, path).and_then(Value::as_array).cloned().unwrap_or_default();
            let texts: Vec<String> = items.iter().map(canonical).collect();
            !*valid || (1..texts.len()).all(|i| !texts[..i].contains(&texts[i]))
        });
        self.out.extend(walked);
    }

    /// `contains`: arrays with as many matching items as `minContains` asks for, one fewer, and
    /// one more than `maxContains` allows; and the vectors from `start` on whose array at
    /// `path` breaks it are invalid (see [`countable`]).
    fn contains(&mut self, a: &contractc_ir::ArrayTy, path: &[String], start: usize) {
        let Some(c) = &a.contains else { return };
        for (_, valid, v) in &mut self.out[start..] {
            if let Some(Value::Array(items)) = value_at(v, path) {
                *valid &= contains_holds(self.p, a, items);
            }
        }
        let at = if path.is_empty() { "$".to_string() } else { path.join(".") };
        let matching = value(self.p, &c.ty, true);
        let other = distinct(self.p, &a.items, 8).into_iter().find(|v| plainly_not(self.p, &c.ty, v));
        let mut counts: Vec<u64> =
            [c.min.checked_sub(1), Some(c.min), c.max.map(|m| m + 1)].into_iter().flatten().collect();
        counts.dedup();
        for n in counts {
            let mut items = vec![matching.clone(); n as usize];
            let min = a.min_items.unwrap_or(0) as usize;
            match &other {
                Some(o) if items.len() < min => items.resize(min, o.clone()),
                None if items.len() < min => continue,
                _ => {}
            }
            let fits = a.max_items.is_none_or(|m| items.len() as u64 <= m);
            let valid = fits && contains_holds(self.p, a, &items);
            self.with(format!("{at} with {n} matching items"), valid, path, Some(Value::Array(items)));
        }
    }

    /// `minProperties`/`maxProperties`: an object at each edge and one past it.
    fn member_counts(&mut self, o: &Object, path: &[String]) {
        let at = if path.is_empty() { String::new() } else { format!("/{} ", path.join("/")) };
        let mut edges = Vec::new();
        if let Some(m) = o.min_properties {
            edges.push((m, true, "at minProperties"));
            if m > 0 {
                edges.push((m - 1, false, "under minProperties"));
            }
        }
        if let Some(m) = o.max_properties {
            edges.push((m, true, "at maxProperties"));
            edges.push((m + 1, false, "over maxProperties"));
        }
        for (n, valid, what) in edges {
            if let Some(v) = self.with_members(o, n as usize) {
                let mut whole = self.base.clone();
                set(&mut whole, path, Some(v));
                self.out.push((format!("{at}{what}"), valid, whole));
            }
        }
    }

    /// An instance of `o` with exactly `n` members: the required ones, then optional ones, then
    /// unknown ones where the object takes them; `None` when no such instance exists.
    fn with_members(&self, o: &Object, n: usize) -> Option<Value> {
        let mut m = Map::new();
        for f in o.fields.iter().filter(|f| f.required) {
            m.insert(f.name.clone(), value(self.p, &f.ty, false));
        }
        for f in o.fields.iter().filter(|f| !f.required) {
            if m.len() >= n {
                break;
            }
            m.insert(f.name.clone(), value(self.p, &f.ty, false));
        }
        if !matches!(o.additional, contractc_ir::Additional::Forbidden) {
            for (k, key) in extra_keys(o, n.saturating_sub(m.len())).into_iter().enumerate() {
                m.insert(key, unmatched(o).map_or(json!(k), |t| value(self.p, t, false)));
            }
        }
        (m.len() == n).then_some(Value::Object(m))
    }

    /// An unknown member: refused by a closed object; kept by an open one, whatever its value and
    /// wherever its key sorts among the known ones.
    fn unknown_members(&mut self, o: &Object, path: &[String]) {
        let at = if path.is_empty() { String::new() } else { format!("/{} ", path.join("/")) };
        let mut extra = path.to_vec();
        if matches!(o.additional, contractc_ir::Additional::Forbidden) {
            extra.push("zz_unknown".into());
            self.with(format!("{at}unknown key"), false, &extra, Some(json!(1)));
            return;
        }
        let Some(key) = extra_keys(o, 1).pop() else { return };
        extra.push(key);
        // Names `propertyNames` or `patternProperties` refuse, each alone.
        let long = "x".repeat(70);
        let refused = ["zz_unknown", "", "A", "~", "é", "😀", long.as_str()];
        for name in refused.into_iter().filter(|k| o.fields.iter().all(|f| f.name != *k) && !name_ok(o, k)) {
            let mut member = path.to_vec();
            member.push(name.to_string());
            let v = unmatched(o).map_or(json!(1), |t| value(self.p, t, false));
            self.with(format!("{at}member named {name:?}, a name not allowed"), false, &member, Some(v));
        }
        // Within `maxProperties`: the object at `path` has members already.
        let mut holder = &self.base;
        for k in path {
            holder = holder
                .get(k.as_str())
                .or_else(|| k.parse::<usize>().ok().and_then(|i| holder.get(i)))
                .unwrap_or(holder);
        }
        let room = o
            .max_properties
            .map_or(usize::MAX, |m| (m as usize).saturating_sub(holder.as_object().map_or(0, Map::len)));
        if room == 0 {
            return;
        }
        if let Some(t) = unmatched(o) {
            // A map: entries of its value type wherever their keys sort, each walked as a value.
            let mut v = self.base.clone();
            let mut keys: Vec<String> = ["", "A", "~", "é", "😀"].into_iter().map(String::from).collect();
            keys.extend(o.fields.iter().map(|f| format!("{}~", f.name)));
            for key in keys.into_iter().filter(|k| plain_name(o, k)).take(room) {
                let mut member = path.to_vec();
                member.push(key);
                set(&mut v, &member, Some(value(self.p, t, true)));
            }
            self.out.push((format!("{at}map entries, in key order"), true, v));
            self.with(format!("{at}map entry not of the value type"), false, &extra, Some(json!([[["zz"]]])));
            let saved = self.base.clone();
            set(&mut self.base, &extra, Some(value(self.p, t, true)));
            self.walk(t, &extra, true);
            self.base = saved;
            return;
        }
        let mut v = self.base.clone();
        let mut keys: Vec<String> = ["", "A", "~", "é", "😀", "\u{ffff}"].into_iter().map(String::from).collect();
        keys.extend(o.fields.iter().map(|f| format!("{}~", f.name)));
        let mut added = 0;
        for (i, key) in keys.into_iter().enumerate() {
            if plain_name(o, &key) && added < room {
                added += 1;
                let mut member = path.to_vec();
                member.push(key);
                set(&mut v, &member, Some(UNKNOWN_VALUES[i % UNKNOWN_VALUES.len()].clone()));
            }
        }
        self.out.push((format!("{at}unknown members kept, in key order"), true, v));
        let kinds = [
            json!(null),
            json!({"b": [1.5, null, true, "x\u{1}é😀"], "a": {"z": 1e21, "y": -7, "é": {}}, "": 1e-7}),
            json!([[], {}, [[0.1]]]),
        ];
        for (i, kind) in kinds.into_iter().enumerate() {
            self.with(format!("{at}unknown member of kind {i}"), true, &extra, Some(kind));
        }
    }

    /// `patternProperties` rules: for each, a member its pattern alone matches, of its type (then
    /// walked as a value) and of a kind the type refuses, or, for the schema `false`, any member.
    fn pattern_rules(&mut self, o: &Object, path: &[String]) {
        if o.max_properties.is_some() {
            return;
        }
        let at = if path.is_empty() { String::new() } else { format!("/{} ", path.join("/")) };
        for (i, rule) in o.pattern_rules.iter().enumerate() {
            let Some(key) = rule_key(o, rule) else { continue };
            let mut member = path.to_vec();
            member.push(key.clone());
            let Some(ty) = &rule.ty else {
                self.with(format!("{at}member {key:?}, which pattern {i} forbids"), false, &member, Some(json!(1)));
                continue;
            };
            let refused = [json!([[["zz"]]]), json!("zz"), json!(true), json!({"zz": [1]})];
            if let Some(v) = refused.into_iter().find(|v| plainly_not(self.p, ty, v)) {
                self.with(format!("{at}member {key:?} not of pattern {i}'s type"), false, &member, Some(v));
            }
            let saved = self.base.clone();
            set(&mut self.base, &member, Some(value(self.p, ty, true)));
            self.out.push((format!("{at}member {key:?} of pattern {i}'s type"), true, self.base.clone()));
            self.walk(ty, &member, true);
            self.base = saved;
        }
    }

    /// `multipleOf`: a multiple well inside the bounds and one that is not, halfway between two,
    /// both as decimals (a fraction of `0.01` such as `19.99` is one where binary floating point
    /// would say otherwise).
    fn multiples(&mut self, n: &contractc_ir::NumberTy, d: f64, path: &[String]) {
        let at = format!("/{}", path.join("/"));
        let Some(x) = value(self.p, &Ty::Number(n.clone()), true).as_f64() else { return };
        let k = (x / d).round() as i64;
        for k in [k, k + 1999, k - 1999] {
            if let Some(y) = times(d, k).filter(|y| number_in(n, *y)) {
                self.with(format!("{at} = {y}, {k} times {d}"), multiple_ok(Some(d), y), path, Some(json!(y)));
            }
        }
        // (2k + 1)·d / 2, as a decimal.
        let half = runtime::decimal::Decimal::of_double(d);
        let between = half
            .digits
            .parse::<i64>()
            .ok()
            .and_then(|m| (2 * k + 1).checked_mul(m)?.checked_mul(5))
            .and_then(|m| format!("{m}e{}", half.exponent - 1).parse::<f64>().ok())
            .filter(|y| y.is_finite() && number_in(n, *y));
        if let Some(y) = between {
            self.with(
                format!("{at} = {y}, between two multiples of {d}"),
                multiple_ok(Some(d), y),
                path,
                Some(json!(y)),
            );
        }
    }

    fn with(&mut self, name: String, valid: bool, path: &[String], new: Option<Value>) {
        let mut v = self.base.clone();
        set(&mut v, path, new);
        self.out.push((name, valid, v));
    }

    /// A string instance whose verdict is `valid` unless the type's `pattern` says otherwise
    /// ([`ecma_matches`]) or its lengths do.
    fn with_string(&mut self, s: &StringTy, name: String, valid: bool, path: &[String], text: &str) {
        let pattern = s.pattern.as_ref().is_none_or(|p| ecma_matches(p, text));
        self.with(name, valid && fits(s, text) && pattern, path, Some(json!(text)));
    }

    fn walk(&mut self, ty: &Ty, path: &[String], required: bool) {
        let at = format!("/{}", path.join("/"));
        // `null` only where the schema allows it, required or not.
        let null_allowed = self.p.admits_null(ty);
        if null_allowed || !required {
            self.with(format!("{at} null"), null_allowed, path, Some(Value::Null));
        }
        match ty {
            Ty::Nullable(t) => self.walk(t, path, true),
            // Any JSON value, of every kind and spelling.
            Ty::Any => {
                for (i, v) in UNKNOWN_VALUES.iter().enumerate() {
                    self.with(format!("{at} any value, kind {i}"), true, path, Some(v.clone()));
                }
            }
            Ty::Values(values) => {
                for text in values {
                    let v: Value = serde_json::from_str(text).expect("canonical text is JSON");
                    // JSON equality: an integer equals the same number written as a double.
                    if let Some(i) = v.as_i64() {
                        self.with(format!("{at} = {text} written as a double"), true, path, Some(json!(i as f64)));
                    }
                    self.with(format!("{at} = {text}"), true, path, Some(v));
                }
                for other in [json!("zz_other"), json!(424242.5), json!([{}]), json!({"zz": null})] {
                    if !values.contains(&canonical(&other)) {
                        self.with(format!("{at} = {other}, not one of the values"), false, path, Some(other));
                    }
                }
            }
            Ty::String(s) => {
                self.with(format!("{at} not a string"), false, path, Some(json!(12)));
                if let Some(p) = &s.pattern {
                    let near: Vec<(&str, String)> = {
                        let (a, b) = (p.sample(false), p.sample(true));
                        let mut cut = a.clone();
                        cut.pop();
                        vec![
                            ("pattern sample", a.clone()),
                            ("pattern sample, wide", b.clone()),
                            ("pattern sample less its last character", cut),
                            ("pattern sample with a character before it", format!("😀{a}")),
                            ("pattern sample with a character after it", format!("{b}~")),
                            ("pattern sample twice", format!("{a}{a}")),
                            ("pattern sample with a line break", format!("{a}\n")),
                            ("no character", String::new()),
                        ]
                    };
                    for (what, text) in near {
                        let format = s.format.is_none_or(|f| format_ok(f, &text));
                        self.with_string(s, format!("{at} {what}"), format, path, &text);
                    }
                }
                if let Some(f) = s.format {
                    for (what, text, valid) in format_cases(f) {
                        self.with_string(s, format!("{at} {what}"), valid, path, &text);
                    }
                } else {
                    if let Some(m) = s.max_length {
                        self.with_string(
                            s,
                            format!("{at} at maxLength in astral characters"),
                            true,
                            path,
                            &"😀".repeat(m as usize),
                        );
                        self.with_string(s, format!("{at} past maxLength"), false, path, &"é".repeat(m as usize + 1));
                    }
                    match s.min_length {
                        Some(m) if m > 0 => {
                            self.with_string(s, format!("{at} at minLength"), true, path, &"\"".repeat(m as usize));
                            self.with_string(
                                s,
                                format!("{at} under minLength"),
                                false,
                                path,
                                &"\\".repeat(m as usize - 1),
                            );
                        }
                        _ => self.with_string(s, format!("{at} empty"), true, path, ""),
                    }
                    self.with_string(
                        s,
                        format!("{at} escapes"),
                        s.max_length.is_none_or(|m| m >= 6) && s.min_length.is_none_or(|m| m <= 6),
                        path,
                        "\t\n\u{1}\u{7f}\u{2028}é",
                    );
                }
            }
            Ty::Number(n) => {
                self.with(format!("{at} not a number"), false, path, Some(json!("1.5")));
                if let Some(d) = n.multiple_of {
                    self.multiples(n, d, path);
                }
                let ok = |x: f64| multiple_ok(n.multiple_of, x);
                for (b, lower) in [(n.minimum, true), (n.maximum, false)] {
                    let Some(b) = b else { continue };
                    let inside = if b.exclusive { if lower { up(b.value) } else { down(b.value) } } else { b.value };
                    let outside = if b.exclusive {
                        b.value
                    } else if lower {
                        down(b.value)
                    } else {
                        up(b.value)
                    };
                    self.with(
                        format!("{at} at the {} edge", if lower { "lower" } else { "upper" }),
                        ok(inside),
                        path,
                        Some(json!(inside)),
                    );
                    self.with(
                        format!("{at} past the {} edge", if lower { "lower" } else { "upper" }),
                        false,
                        path,
                        Some(json!(outside)),
                    );
                }
                if n.maximum.is_none() {
                    let large = 1.7976931348623157e308;
                    self.with(format!("{at} large"), ok(large), path, Some(json!(large)));
                }
            }
            Ty::Integer(n) => {
                self.with(format!("{at} fractional"), false, path, Some(json!(1.5)));
                self.raw.push((format!("{at} written 1.0"), false, self.base.clone(), path.to_vec()));
                let ok = |x: i64| n.multiple_of.is_none_or(|d| runtime::decimal::is_integer_multiple_of(x, d));
                if let Some(d) = n.multiple_of {
                    let x = value(self.p, ty, true).as_i64().expect("an integer");
                    self.with(format!("{at} = {x}, a multiple of {d}"), ok(x), path, Some(json!(x)));
                    if let Some(y) = x.checked_add(1).filter(|y| n.maximum.is_none_or(|m| *y <= m) && !ok(*y)) {
                        self.with(format!("{at} = {y}, not a multiple of {d}"), false, path, Some(json!(y)));
                    }
                }
                if let Some(m) = n.minimum {
                    self.with(format!("{at} at minimum"), ok(m), path, Some(json!(m)));
                    if m > i64::MIN {
                        self.with(format!("{at} under minimum"), false, path, Some(json!(m - 1)));
                    }
                }
                match n.maximum {
                    Some(m) => {
                        self.with(format!("{at} at maximum"), ok(m), path, Some(json!(m)));
                        self.with(format!("{at} over maximum"), false, path, Some(json!(m as i128 + 1)));
                    }
                    None => {
                        self.with(format!("{at} int64 maximum"), ok(i64::MAX), path, Some(json!(i64::MAX)));
                        self.with(format!("{at} past int64"), false, path, Some(json!(i64::MAX as u64 + 1)));
                    }
                }
            }
            Ty::Boolean => self.with(format!("{at} not a boolean"), false, path, Some(json!("true"))),
            Ty::Array(a) if a.tuple.is_some() => {
                self.with(format!("{at} not an array"), false, path, Some(json!({})));
                if a.min_items.unwrap_or(0) == 0 {
                    self.with(format!("{at} empty"), true, path, Some(json!([])));
                }
                let positions = a.tuple.as_ref().map_or(0, |t| t.prefix.len());
                if let Some(m) = a.max_items {
                    let full = tuple_items(self.p, a, m as usize);
                    if full.len() == m as usize {
                        let mut over = full.clone();
                        over.push(value(self.p, a.item(m as usize), true));
                        self.with(format!("{at} full"), true, path, Some(Value::Array(full)));
                        self.with(format!("{at} overfull"), false, path, Some(Value::Array(over)));
                    }
                }
                if a.unique_items {
                    // Invalid for its two equal items, whatever the second position's type says.
                    let first = value(self.p, a.item(0), true);
                    self.with(format!("{at} two equal items"), false, path, Some(json!([first.clone(), first])));
                }
                // Each position, and the first item after them, walked where the base has it.
                let len = value_at(&self.base, path).and_then(Value::as_array).map_or(0, Vec::len);
                for i in 0..len.min(positions + 1) {
                    let mut item = path.to_vec();
                    item.push(i.to_string());
                    let start = self.out.len();
                    self.walk(a.item(i), &item, true);
                    if a.unique_items {
                        self.drop_repeating(path, start);
                    }
                }
            }
            Ty::Array(a) => {
                let start = self.out.len();
                self.with(format!("{at} not an array"), false, path, Some(json!({})));
                let item = value(self.p, &a.items, true);
                if a.min_items.unwrap_or(0) == 0 {
                    self.with(format!("{at} empty"), true, path, Some(json!([])));
                }
                if a.unique_items {
                    self.with(format!("{at} two equal items"), false, path, Some(json!([item.clone(), item.clone()])));
                    if let (Ty::Number(_), Some(x)) =
                        (&*a.items, item.as_f64().filter(|x| x.fract() == 0.0 && x.abs() < 1e15))
                    {
                        // `1` and `1.0` are one JSON value.
                        self.with(format!("{at} items {x} and {x}.0"), false, path, Some(json!([x as i64, x])));
                    }
                }
                if let Some(m) = a.max_items {
                    let full = if a.unique_items {
                        distinct(self.p, &a.items, m as usize)
                    } else {
                        vec![item.clone(); m as usize]
                    };
                    if full.len() == m as usize {
                        self.with(format!("{at} full"), true, path, Some(Value::Array(full)));
                    }
                    self.with(
                        format!("{at} overfull"),
                        false,
                        path,
                        Some(Value::Array(vec![item.clone(); m as usize + 1])),
                    );
                }
                // Items to walk only where an array may have one (`items: false` allows none).
                if a.max_items != Some(0) {
                    let mut first = path.to_vec();
                    first.push("0".into());
                    let walked_from = self.out.len();
                    self.walk(&a.items, &first, true);
                    if a.unique_items {
                        self.drop_repeating(path, walked_from);
                    }
                }
                self.contains(a, path, start);
            }
            Ty::Named(r) => match &self.p.named(*r).kind {
                TypeKind::Alias(t) => self.walk(t, path, true),
                // Every branch, walked as the value at `path`; a vector that puts a value of
                // another branch's JSON type there is that branch's to judge, and is left out.
                TypeKind::Choice(branches) => {
                    let saved = self.base.clone();
                    let kinds: Vec<JsonKind> = branches.iter().map(|(k, _)| *k).collect();
                    for (kind, ty) in branches {
                        set(&mut self.base, path, Some(value(self.p, ty, true)));
                        let start = self.out.len();
                        self.walk(ty, path, true);
                        let mut walked = self.out.split_off(start);
                        walked.retain(|(_, _, v)| {
                            value_at(v, path).and_then(json_kind).is_none_or(|k| k == *kind || !kinds.contains(&k))
                        });
                        self.out.extend(walked);
                        self.base = saved.clone();
                    }
                    let others = [json!(true), json!(1.5), json!("x"), json!(["x"]), json!({"x": 1})];
                    for other in others.into_iter().filter(|v| json_kind(v).is_some_and(|k| !kinds.contains(&k))) {
                        let what = match json_kind(&other).map_or("null", JsonKind::name) {
                            w @ ("array" | "object") => format!("an {w}"),
                            w => format!("a {w}"),
                        };
                        self.with(format!("{at} {what}, which no branch takes"), false, path, Some(other));
                    }
                }
                // Every branch, walked as the value at `path`. A vector is kept when its verdict
                // is the union's by construction: under `anyOf` a value one branch accepts, and
                // any value whose JSON type no other branch takes.
                TypeKind::Untagged(u) => {
                    let saved = self.base.clone();
                    for (j, ty) in u.branches.iter().enumerate() {
                        set(&mut self.base, path, Some(value(self.p, ty, true)));
                        let start = self.out.len();
                        self.walk(ty, path, true);
                        let mut walked = self.out.split_off(start);
                        walked.retain(|(_, valid, v)| {
                            let judged = only_branch(self.p, &u.branches, j, value_at(v, path));
                            (*valid && !u.exactly_one) || judged
                        });
                        self.out.extend(walked);
                        self.base = saved.clone();
                    }
                    let taken: Vec<Option<JsonKind>> = u.branches.iter().flat_map(|t| kinds(self.p, t)).collect();
                    let others = [json!(true), json!(1.5), json!("x"), json!(["x"]), json!({"x": 1})];
                    for other in others.into_iter().filter(|v| !taken.contains(&json_kind(v))) {
                        self.with(format!("{at} {other}, which no branch takes"), false, path, Some(other));
                    }
                }
                // Every variant, walked as the value at `path`.
                TypeKind::Union(u) => {
                    let saved = self.base.clone();
                    for (value, index) in &u.variants {
                        let variant = TypeRef { contract: r.contract, index: *index };
                        set(&mut self.base, path, Some(named(self.p, variant, true)));
                        self.with(format!("{at} variant {value}"), true, path, Some(named(self.p, variant, false)));
                        let mut tag = path.to_vec();
                        tag.push(u.tag.clone());
                        self.with(format!("{at} variant {value}, tag not a string"), false, &tag, Some(json!(12)));
                        self.with(format!("{at} variant {value}, tag missing"), false, &tag, None);
                        self.walk(&Ty::Named(variant), path, true);
                        self.base = saved.clone();
                    }
                }
                TypeKind::Enum(values) => {
                    for v in values {
                        self.with(format!("{at} = {v}"), true, path, Some(json!(v)));
                    }
                    // serde_json would read it as the variant.
                    self.with(format!("{at} as an object"), false, path, Some(json!({ values[0].clone(): null })));
                    self.with(
                        format!("{at} outside the enum"),
                        false,
                        path,
                        Some(json!(values[0].to_lowercase() + "_x")),
                    );
                }
                TypeKind::Object(o) => {
                    let start = self.out.len();
                    self.with(format!("{at} not an object"), false, path, Some(json!([])));
                    // serde would read a struct from its fields in order.
                    let fields = o.fields.iter().map(|f| value(self.p, &f.ty, true)).collect();
                    self.with(format!("{at} an array of its fields"), false, path, Some(Value::Array(fields)));
                    self.unknown_members(o, path);
                    self.pattern_rules(o, path);
                    self.member_counts(o, path);
                    for f in &o.fields {
                        let mut child = path.to_vec();
                        child.push(f.name.clone());
                        if f.required {
                            self.with(format!("{at} missing {}", f.name), false, &child, None);
                        } else {
                            self.with(format!("{at} without {}", f.name), true, &child, None);
                        }
                        self.walk(&f.ty, &child, f.required);
                    }
                    self.dependents(o, path, start);
                }
            },
        }
    }
}

/// Characters random strings are made of: printable ASCII, characters that need escaping,
/// DEL, U+2028, Latin, CJK and astral ones.
fn text_char() -> BoxedStrategy<char> {
    prop_oneof![
        4 => proptest::char::range(' ', '~'),
        1 => Just('"'),
        1 => Just('\\'),
        1 => proptest::char::range('\u{1}', '\u{1f}'),
        1 => Just('\u{7f}'),
        1 => Just('\u{2028}'),
        1 => proptest::char::range('\u{e0}', '\u{ff}'),
        1 => proptest::char::range('\u{4e00}', '\u{4e20}'),
        1 => proptest::char::range('\u{1f600}', '\u{1f64f}'),
    ]
    .boxed()
}

/// Any JSON value, nested at most three levels: what an open object's unknown members hold.
fn any_json() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (proptest::num::f64::NORMAL | proptest::num::f64::ZERO).prop_map(|x| json!(x)),
        proptest::collection::vec(text_char(), 0..8).prop_map(|cs| Value::from(String::from_iter(cs))),
    ];
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            proptest::collection::btree_map(
                proptest::collection::vec(text_char(), 0..4).prop_map(String::from_iter),
                inner,
                0..3
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
    .boxed()
}

fn date() -> impl Strategy<Value = String> {
    (1900u32..2100, 1u32..=12, 1u32..=28).prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}"))
}

/// RFC 3339 `full-time`s without leap seconds.
fn time() -> impl Strategy<Value = String> {
    (
        0u32..24,
        0u32..60,
        0u32..60,
        proptest::option::of(0u32..1000),
        prop_oneof![
            Just("Z".to_string()),
            (0u32..24, 0u32..60, any::<bool>())
                .prop_map(|(h, m, neg)| format!("{}{h:02}:{m:02}", if neg { '-' } else { '+' }))
        ],
    )
        .prop_map(|(h, mi, sec, frac, off)| {
            let frac = frac.map(|f| format!(".{f:03}")).unwrap_or_default();
            format!("{h:02}:{mi:02}:{sec:02}{frac}{off}")
        })
}

/// A strategy for valid values of `ty`.
fn strategy(p: &Program, ty: &Ty) -> BoxedStrategy<Value> {
    match ty {
        Ty::Nullable(t) => prop_oneof![1 => Just(Value::Null), 3 => strategy(p, t)].boxed(),
        Ty::Any => any_json(),
        Ty::Values(values) => {
            let values: Vec<Value> =
                values.iter().map(|t| serde_json::from_str(t).expect("canonical text is JSON")).collect();
            proptest::sample::select(values).boxed()
        }
        Ty::String(s) if s.pattern.is_some() => {
            let samples = pattern_samples(s, s.pattern.as_ref().expect("checked"));
            proptest::sample::select(samples).prop_map(Value::from).boxed()
        }
        Ty::String(s) => match s.format {
            Some(Format::Uuid) => "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
                .prop_map(Value::from)
                .boxed(),
            Some(Format::Date) => date().prop_map(Value::from).boxed(),
            Some(Format::DateTime) => (date(), time()).prop_map(|(d, t)| Value::from(format!("{d}T{t}"))).boxed(),
            Some(Format::Time) => time().prop_map(Value::from).boxed(),
            Some(Format::Ipv4) => {
                any::<[u8; 4]>().prop_map(|[a, b, c, d]| Value::from(format!("{a}.{b}.{c}.{d}"))).boxed()
            }
            Some(f) => proptest::sample::select(format_instances(f)).prop_map(Value::from).boxed(),
            None => {
                let lo = s.min_length.unwrap_or(0) as usize;
                let hi = s.max_length.map_or(lo + 12, |m| m as usize).min(lo + 40);
                proptest::collection::vec(text_char(), lo..=hi)
                    .prop_map(|cs| Value::from(String::from_iter(cs)))
                    .boxed()
            }
        },
        Ty::Number(n) if n.multiple_of.is_some() => {
            let d = n.multiple_of.expect("a multipleOf");
            let (a, b) = multipliers(n.minimum.map(|b| b.value), n.maximum.map(|b| b.value), d);
            let n = n.clone();
            (a..=b)
                .prop_filter_map("a multiple within the bounds", move |k| times(d, k).filter(|x| number_in(&n, *x)))
                .prop_map(|x| json!(x))
                .boxed()
        }
        Ty::Number(n) => {
            let (lo, hi) = (n.minimum, n.maximum);
            let any = prop_oneof![
                proptest::num::f64::NORMAL | proptest::num::f64::SUBNORMAL | proptest::num::f64::ZERO,
                (-1000i64..1000, -8i32..8).prop_map(|(m, e)| m as f64 * 10f64.powi(e)),
            ];
            let within = move |x: &f64| {
                lo.is_none_or(|b| if b.exclusive { *x > b.value } else { *x >= b.value })
                    && hi.is_none_or(|b| if b.exclusive { *x < b.value } else { *x <= b.value })
            };
            match (lo, hi) {
                (Some(a), Some(b)) => prop_oneof![
                    (0.0f64..=1.0).prop_map(move |t| a.value + t * (b.value - a.value)),
                    any.prop_filter("within the bounds", within),
                ]
                .prop_filter("within the bounds", within)
                .prop_map(|x| json!(x))
                .boxed(),
                _ => prop_oneof![
                    any.clone().prop_map(move |x| match lo {
                        Some(b) => b.value.abs().max(1.0) + x.abs(),
                        None => x,
                    }),
                    any,
                ]
                .prop_filter("within the bounds", within)
                .prop_map(|x| json!(x))
                .boxed(),
            }
        }
        Ty::Integer(n) => {
            let lo = n.minimum.unwrap_or(i64::MIN);
            let hi = n.maximum.unwrap_or(i64::MAX);
            let d = n.multiple_of;
            let ints =
                prop_oneof![lo..=hi, (-1000i64..1000).prop_filter("within the bounds", move |x| (lo..=hi).contains(x))];
            match d {
                // Multiples of an integral divisor by construction, else any integer that is one.
                Some(d) => {
                    // The integers that are multiples of d are those of one integer step.
                    let step = integer_step(d).unwrap_or(i64::MAX);
                    let (a, b) = multipliers(Some(lo as f64), Some(hi as f64), step as f64);
                    (a..=b)
                        .prop_filter_map("a multiple within the bounds", move |k| {
                            let x = k.checked_mul(step)?;
                            ((lo..=hi).contains(&x) && runtime::decimal::is_integer_multiple_of(x, d)).then_some(x)
                        })
                        .prop_map(Value::from)
                        .boxed()
                }
                None => ints.prop_map(Value::from).boxed(),
            }
        }
        Ty::Boolean => any::<bool>().prop_map(Value::from).boxed(),
        // Random items would rarely keep `contains`: the array [`value`] makes.
        Ty::Array(a) if a.contains.is_some() => Just(value(p, ty, true)).boxed(),
        Ty::Array(a) if a.tuple.is_some() => {
            let lo = a.min_items.unwrap_or(0) as usize;
            let positions = a.tuple.as_ref().map_or(0, |t| t.prefix.len());
            let hi = a.max_items.map_or(positions + 2, |m| m as usize).min(positions.max(lo) + 2);
            let each: Vec<BoxedStrategy<Value>> = (0..hi).map(|i| strategy(p, a.item(i))).collect();
            let unique = a.unique_items;
            (each, lo..=hi)
                .prop_map(|(items, n)| items.into_iter().take(n).collect::<Vec<Value>>())
                .prop_filter("distinct items under `uniqueItems`", move |v| {
                    let texts: Vec<String> = v.iter().map(canonical).collect();
                    !unique || (1..texts.len()).all(|i| !texts[..i].contains(&texts[i]))
                })
                .prop_map(Value::Array)
                .boxed()
        }
        Ty::Array(a) => {
            let lo = a.min_items.unwrap_or(0) as usize;
            let hi = a.max_items.map_or(lo + 3, |m| m as usize).min(lo + 3);
            let items = proptest::collection::vec(strategy(p, &a.items), lo..=hi);
            if a.unique_items {
                items
                    .prop_map(|mut v| {
                        let mut seen = std::collections::BTreeSet::new();
                        v.retain(|x| seen.insert(canonical(x)));
                        v
                    })
                    .prop_filter("at least `minItems` distinct items", move |v| v.len() >= lo)
                    .prop_map(Value::Array)
                    .boxed()
            } else {
                items.prop_map(Value::Array).boxed()
            }
        }
        Ty::Named(r) => match &p.named(*r).kind {
            TypeKind::Enum(values) => proptest::sample::select(values.clone()).prop_map(Value::from).boxed(),
            TypeKind::Alias(t) => strategy(p, t),
            TypeKind::Choice(branches) => {
                proptest::strategy::Union::new(branches.iter().map(|(_, t)| strategy(p, t))).boxed()
            }
            // Values of a branch whose JSON types no other branch takes: valid under `oneOf` too.
            TypeKind::Untagged(u) => {
                let sure: Vec<&Ty> = u
                    .branches
                    .iter()
                    .enumerate()
                    .filter(|&(j, t)| {
                        !u.exactly_one
                            || kinds(p, t)
                                .iter()
                                .all(|k| u.branches.iter().enumerate().all(|(b, o)| b == j || !kinds(p, o).contains(k)))
                    })
                    .map(|(_, t)| t)
                    .collect();
                match sure.as_slice() {
                    [] => Just(named(p, *r, true)).boxed(),
                    _ => proptest::strategy::Union::new(sure.into_iter().map(|t| strategy(p, t))).boxed(),
                }
            }
            TypeKind::Union(u) => proptest::strategy::Union::new(
                u.variants
                    .iter()
                    .map(|(_, index)| strategy(p, &Ty::Named(TypeRef { contract: r.contract, index: *index }))),
            )
            .boxed(),
            TypeKind::Object(o) => {
                let fields: Vec<BoxedStrategy<Option<(String, Value)>>> = o
                    .fields
                    .iter()
                    .map(|f| {
                        let name = f.name.clone();
                        let value = strategy(p, &f.ty).prop_map(move |v| (name.clone(), v));
                        if f.required { value.prop_map(Some).boxed() } else { proptest::option::of(value).boxed() }
                    })
                    .collect();
                let known: Vec<String> = o.fields.iter().map(|f| f.name.clone()).collect();
                // Undeclared members: a random name (one of the names allowed where names are
                // constrained or rules match some) holds the unmatched type; a sample of a rule's
                // pattern holds its type.
                let values = || unmatched(o).map_or_else(any_json, |t| strategy(p, t));
                let mut members: Vec<BoxedStrategy<(String, Value)>> = match o.extra_names {
                    None if o.pattern_rules.is_empty() => vec![
                        (
                            proptest::collection::vec(text_char(), 0..6)
                                .prop_map(String::from_iter)
                                .prop_filter("an unknown key", move |k| !known.contains(k)),
                            values(),
                        )
                            .boxed(),
                    ],
                    _ => extra_keys(o, 12).into_iter().map(|k| (Just(k), values()).boxed()).collect(),
                };
                for rule in &o.pattern_rules {
                    if let (Some(k), Some(t)) = (rule_key(o, rule), &rule.ty) {
                        members.push((Just(k), strategy(p, t)).boxed());
                    }
                }
                let unknown = match members {
                    _ if o.additional == contractc_ir::Additional::Forbidden => Just(Vec::new()).boxed(),
                    m if m.is_empty() => Just(Vec::new()).boxed(),
                    mut m if m.len() == 1 => proptest::collection::vec(m.remove(0), 0..3).boxed(),
                    m => proptest::collection::vec(proptest::strategy::Union::new(m), 0..3).boxed(),
                };
                let (min, max) =
                    (o.min_properties.unwrap_or(0) as usize, o.max_properties.map_or(usize::MAX, |m| m as usize));
                (fields, unknown)
                    .prop_map(|(kv, unknown)| {
                        let mut m: Map<String, Value> = unknown.into_iter().collect();
                        m.extend(kv.into_iter().flatten());
                        m
                    })
                    .prop_filter("within minProperties and maxProperties", move |m| (min..=max).contains(&m.len()))
                    .prop_filter("keeping dependentRequired", {
                        let o = o.clone();
                        move |m| dependents_hold(&o, m)
                    })
                    .prop_map(Value::Object)
                    .boxed()
            }
        },
    }
}

/// The first string property of the root (no format): where spelled-out escapes go.
fn free_string(p: &Program, contract: usize) -> Option<(String, Option<u64>, Option<u64>)> {
    let TypeKind::Object(o) = &p.contracts[contract].root().kind else { return None };
    o.fields.iter().find_map(|f| match &f.ty {
        Ty::String(s) if s.format.is_none() && s.pattern.is_none() => {
            Some((f.name.clone(), s.min_length, s.max_length))
        }
        _ => None,
    })
}

/// Root properties of a type, for number spellings.
fn root_fields(p: &Program, contract: usize) -> Vec<&contractc_ir::Field> {
    match &p.contracts[contract].root().kind {
        TypeKind::Object(o) => o.fields.iter().collect(),
        TypeKind::Enum(_) | TypeKind::Union(_) | TypeKind::Alias(_) | TypeKind::Choice(_) | TypeKind::Untagged(_) => {
            Vec::new()
        }
    }
}

/// `base` with the value at root property `field` written as `raw` (any JSON text).
fn spelled(base: &Value, field: &str, raw: &str) -> String {
    let mut v = base.clone();
    v.as_object_mut().expect("an object").insert(field.to_string(), json!(424242));
    serde_json::to_string(&v).expect("serializes").replacen("424242", raw, 1)
}

/// A message whose validity and canonical form follow from parsing it (for spellings of valid
/// values): the reference canonical writer applied to what serde_json reads.
fn spelled_sample(name: String, valid: bool, json: String) -> Sample {
    let canonical = valid.then(|| canonical(&serde_json::from_str(&json).expect("a spelling is JSON")));
    Sample { name, valid, canonical, json }
}

/// Unknown members of an open root spelled out: numbers that read as doubles (every number but an
/// int64 literal), numbers no double holds, duplicate keys inside them, nesting at the limit.
fn unknown_spellings(p: &Program, contract: usize, base: &Value, out: &mut Vec<Sample>) {
    let TypeKind::Object(o) = &p.contracts[contract].root().kind else { return };
    let Some(key) = extra_keys(o, 1).pop().filter(|_| o.is_open() && o.unmatched.is_none()) else { return };
    let nested = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    // The root counts as one level (`MAX_DEPTH` = 64 in every language).
    let (deepest, too_deep) = (nested(63), nested(64));
    let brackets = format!("\"{}\"", "[{".repeat(40));
    for raw in [
        "1.0",
        "1E2",
        "-0",
        "-0.0",
        "1e-400",
        "9223372036854775807",
        "-9223372036854775808",
        "9223372036854775808",
        "-9223372036854775809",
        "18446744073709551616",
        "{ \"b\" : 1 , \"a\" : [ 2.50 ] }",
        deepest.as_str(),
        // Keys repeated in different objects, an escaped key, and what the parsers refuse
        // written inside strings (brackets past the nesting limit included).
        r#"[{"k":1},{"k":2,"j":{"k":3}}]"#,
        r#"{"\u0061":1,"b":"\\u0000"}"#,
        r#"{"NaN":"Infinity 1e400 -0"}"#,
        brackets.as_str(),
    ] {
        let name = match raw {
            r if r == deepest => "unknown member spelled at the nesting limit".to_string(),
            r if r == brackets => "unknown member spelled as brackets in a string".to_string(),
            r => format!("unknown member spelled {r}"),
        };
        out.push(spelled_sample(name, true, spelled(base, &key, raw)));
    }
    let long = format!("1{}", "0".repeat(400));
    for (what, raw) in [
        ("1e400", "1e400"),
        ("1E400", "-1E+400"),
        ("a 401-digit integer", long.as_str()),
        ("with a duplicate key", r#"{"a":1,"a":2}"#),
        ("with a duplicate key in an array", r#"[{"k":1,"k":1}]"#),
        ("with a lone surrogate", r#""\ud800""#),
        ("with \\u0000", r#"{"a":"\u0000"}"#),
        ("with \\u0000 in a key", r#"{"a\u0000":1}"#),
        ("with a lone surrogate in a key", r#"{"\ud800":1}"#),
        ("with a lone low surrogate in a key", r#"{"\udc00":1}"#),
        ("with a duplicate key spelled with an escape", r#"{"a":1,"\u0061":2}"#),
        ("with a duplicate key at depth 4", r#"[[{"a":{"k":1,"j":[],"k":2}}]]"#),
        ("with a duplicate key after the same key in a sibling", r#"[{"k":1},{"k":2,"k":3}]"#),
        ("past the nesting limit", too_deep.as_str()),
    ] {
        out.push(Sample {
            name: format!("unknown member {what}"),
            valid: false,
            canonical: None,
            json: spelled(base, &key, raw),
        });
    }
}

fn spellings(p: &Program, contract: usize, base: &Value, out: &mut Vec<Sample>) {
    if let Some((field, min, max)) = free_string(p, contract) {
        // Each escape spells one code point; valid when the length allows it.
        for (what, raw, len) in [
            ("quote", r#""\"""#, 1u64),
            ("backslash", r#""\\""#, 1),
            ("solidus", r#""\/""#, 1),
            ("backspace", r#""\b""#, 1),
            ("form feed", r#""\f""#, 1),
            ("newline", r#""\n""#, 1),
            ("carriage return", r#""\r""#, 1),
            ("tab", r#""\t""#, 1),
            ("\\u00e9", r#""\u00e9""#, 1),
            ("upper-case \\u00C9", r#""\u00C9""#, 1),
            ("\\u001f", r#""\u001f""#, 1),
            ("surrogate pair", r#""\ud83d\ude00""#, 1),
            ("raw astral", "\"😀\"", 1),
            ("raw U+2028", "\"\u{2028}\"", 1),
            // Text that names what the parsers refuse, inside a string: `\\u0000` is a backslash
            // and `u0000`; NaN, 1e400 and brackets in a string are text.
            ("backslash then u0000", r#""\\u0000""#, 6),
            ("NaN as text", r#""NaN""#, 3),
            ("1e400 and brackets as text", r#""1e400[[{""#, 8),
            ("escapes mixed", r#""a\"\\\/\b\f\n\r\t\u0041\ud83d\ude00z""#, 12),
        ] {
            let valid = min.is_none_or(|m| len >= m) && max.is_none_or(|m| len <= m);
            out.push(spelled_sample(format!("/{field} escape {what}"), valid, spelled(base, &field, raw)));
        }
        for (what, raw) in [
            ("bad escape", r#""\x41""#),
            ("lone high surrogate", r#""\ud800""#),
            ("lone low surrogate", r#""\udc00x""#),
            ("reversed surrogates", r#""\ude00\ud83d""#),
            ("\\u0000", r#""a\u0000""#),
            ("raw tab", "\"a\tb\""),
            ("raw newline", "\"a\nb\""),
            ("short \\u escape", r#""\u12""#),
            ("single quotes", "'EUR'"),
        ] {
            out.push(Sample {
                name: format!("/{field} malformed: {what}"),
                valid: false,
                canonical: None,
                json: spelled(base, &field, raw),
            });
        }
    }
    for f in root_fields(p, contract) {
        match f.ty.non_null() {
            Ty::Number(n) => {
                for raw in [
                    "1E2",
                    "1e+2",
                    "-0",
                    "0.0",
                    "-0.0",
                    "2.50",
                    "1.5e-3",
                    "0.1",
                    "123456789012345678901234567890",
                    "4.9e-324",
                    "1.7976931348623157e308",
                    "9007199254740993",
                    // Where ECMAScript's form and pydantic-core's differ: 1e-6 to 1e-5, and
                    // integral doubles from 2**53 to 1e21.
                    "1e-6",
                    "1.5e-6",
                    "1e-7",
                    "1e20",
                    "123456789012345680000",
                ] {
                    let x: f64 = raw.parse().expect("a number");
                    let valid = number_in(n, x) && multiple_ok(n.multiple_of, x);
                    // serde_json reads an integer literal as an integer; the field is a double.
                    let json = spelled(base, &f.name, raw);
                    let mut sample = spelled_sample(format!("/{} spelled {raw}", f.name), valid, json);
                    if valid && !raw.contains(['.', 'e', 'E']) {
                        let v = spelled(base, &f.name, &format!("{x:e}"));
                        sample.canonical = Some(canonical(&serde_json::from_str(&v).expect("JSON")));
                    }
                    out.push(sample);
                }
                for raw in ["1e400", "-1e400", "NaN", "Infinity", "-Infinity", "01", "+1", ".5", "1.", "1e", "0x10"] {
                    out.push(Sample {
                        name: format!("/{} malformed number {raw}", f.name),
                        valid: false,
                        canonical: None,
                        json: spelled(base, &f.name, raw),
                    });
                }
            }
            Ty::Integer(n) => {
                for (raw, x) in [
                    ("-0", 0i128),
                    ("9007199254740992", 1 << 53),
                    ("9007199254740993", (1 << 53) + 1),
                    ("-9007199254740993", -(1 << 53) - 1),
                    ("-9223372036854775808", i64::MIN as i128),
                ] {
                    let valid = n.minimum.is_none_or(|m| x >= m as i128)
                        && n.maximum.is_none_or(|m| x <= m as i128)
                        && n.multiple_of.is_none_or(|d| runtime::decimal::is_integer_multiple_of(x as i64, d));
                    out.push(spelled_sample(format!("/{} spelled {raw}", f.name), valid, spelled(base, &f.name, raw)));
                }
                for raw in ["1e2", "1E0", "-9223372036854775809", "5.0e0", "1e400"] {
                    out.push(Sample {
                        name: format!("/{} integer spelled {raw}", f.name),
                        valid: false,
                        canonical: None,
                        json: spelled(base, &f.name, raw),
                    });
                }
            }
            _ => {}
        }
    }
}

fn random(p: &Program, contract: usize, out: &mut Vec<Sample>) {
    let strategy = strategy(p, &Ty::Named(TypeRef { contract, index: 0 }));
    let mut runner = TestRunner::deterministic();
    for i in 0..RANDOM {
        let v = strategy.new_tree(&mut runner).expect("a strategy that generates").current();
        let json = serde_json::to_string(&v).expect("serializes");
        out.push(Sample { name: format!("random #{i}"), valid: true, canonical: Some(canonical(&v)), json });
    }
}

/// Text that no message of any contract could be, around `text` (a message's JSON).
fn unparsable(text: &str) -> Vec<(&'static str, String)> {
    vec![
        ("BOM", format!("\u{feff}{text}")),
        ("two messages", format!("{text} {text}")),
        ("excessive nesting", format!("{}{}", "[".repeat(10_000), "]".repeat(10_000))),
        ("empty", String::new()),
        ("comment", format!("/* x */{text}")),
    ]
}

/// Whether [`value`] makes valid values of `ty`: not when a `oneOf` it holds has no branch whose
/// sample only that branch takes (`{"oneOf": [true, true]}` has no valid value at all).
fn buildable(p: &Program, ty: &Ty, seen: &mut Vec<TypeRef>) -> bool {
    countable(p, ty)
        && ty.refs().into_iter().all(|r| {
            if seen.contains(&r) {
                return true;
            }
            seen.push(r);
            let kind = &p.named(r).kind;
            let sure = match kind {
                TypeKind::Untagged(u) => sure_branch(p, u, true).is_some() && sure_branch(p, u, false).is_some(),
                _ => true,
            };
            sure && kind.member_types().into_iter().all(|t| countable(p, t) && buildable(p, t, seen))
                && match kind {
                    TypeKind::Union(u) => u
                        .variants
                        .iter()
                        .all(|(_, i)| buildable(p, &Ty::Named(TypeRef { contract: r.contract, index: *i }), seen)),
                    _ => true,
                }
        })
}

/// Whether every array `ty` holds inline with `contains` is one whose verdicts [`contains_holds`]
/// knows: items and contained values scalars or `null` (no `format`: [`plainly_not`] is exact for the
/// rest), no `uniqueItems`, and [`value`]'s array keeps it.
fn countable(p: &Program, ty: &Ty) -> bool {
    fn exact(p: &Program, t: &Ty) -> bool {
        match t {
            Ty::String(s) => s.format.is_none(),
            Ty::Number(_) | Ty::Integer(_) | Ty::Boolean | Ty::Values(_) | Ty::Any => true,
            Ty::Named(r) => matches!(p.named(*r).kind, TypeKind::Enum(_)),
            Ty::Nullable(t) => exact(p, t),
            Ty::Array(_) => false,
        }
    }
    match ty {
        Ty::Nullable(t) => countable(p, t),
        Ty::Array(a) => {
            let own = a.contains.as_ref().is_none_or(|c| {
                let base = value(p, ty, true);
                exact(p, &c.ty)
                    && exact(p, &a.items)
                    && a.tuple.is_none()
                    && !a.unique_items
                    && base.as_array().is_some_and(|items| contains_holds(p, a, items))
            });
            own && countable(p, &a.items)
                && a.tuple.iter().all(|t| t.prefix.iter().chain([&*t.rest]).all(|t| countable(p, t)))
        }
        _ => true,
    }
}

/// Whether `items` keep the array's `contains` (with [`countable`] types).
fn contains_holds(p: &Program, a: &contractc_ir::ArrayTy, items: &[Value]) -> bool {
    a.contains.as_ref().is_none_or(|c| {
        let n = items.iter().filter(|v| !plainly_not(p, &c.ty, v)).count() as u64;
        n >= c.min && c.max.is_none_or(|m| n <= m)
    })
}

fn vectors(p: &Program, contract: usize) -> Vec<Sample> {
    let root_ty = Ty::Named(TypeRef { contract, index: 0 });
    if !buildable(p, &root_ty, &mut Vec::new()) {
        let text = serde_json::to_string(&value(p, &root_ty, true)).expect("serializes");
        return unparsable(&text)
            .into_iter()
            .map(|(name, json)| Sample { name: name.into(), valid: false, canonical: None, json })
            .collect();
    }
    let base = value(p, &root_ty, true);
    let mut g =
        Gen { p, base: base.clone(), out: vec![("every property".into(), true, base.clone())], raw: Vec::new() };
    g.out.push(("required properties only".into(), true, named(p, TypeRef { contract, index: 0 }, false)));
    let object_root = matches!(p.contracts[contract].root().kind, TypeKind::Object(_));
    if let TypeKind::Object(o) = &p.contracts[contract].root().kind {
        let start = g.out.len();
        g.unknown_members(o, &[]);
        g.pattern_rules(o, &[]);
        g.member_counts(o, &[]);
        for f in &o.fields {
            let path = vec![f.name.clone()];
            if f.required {
                g.with(format!("missing {}", f.name), false, &path, None);
            }
            g.walk(&f.ty, &path, f.required);
        }
        g.dependents(o, &[], start);
    } else {
        // A root that is not an object is walked as a value.
        g.walk(&root_ty, &[], true);
    }
    let mut out: Vec<Sample> = g
        .out
        .into_iter()
        .map(|(name, valid, v)| {
            let json = serde_json::to_string(&v).expect("serializes");
            Sample { name, valid, canonical: valid.then(|| canonical(&v)), json }
        })
        .collect();
    // `1.0` where an integer belongs: written by hand, since serde_json writes integers as such.
    for (name, valid, mut v, path) in g.raw {
        set(&mut v, &path, Some(json!(424242)));
        let json = serde_json::to_string(&v).expect("serializes").replace("424242", "1.0");
        out.push(Sample { name, valid, canonical: None, json });
    }
    // Malformed text: trailing comma, NaN, BOM, truncation.
    let text = serde_json::to_string(&base).expect("serializes");
    let first_key = text[1..].split(':').next().unwrap_or_default().to_string();
    // Of a root that is not an object, only what no value of any type could be.
    let malformed = if object_root { Vec::new() } else { unparsable(&text) };
    for (name, bad) in malformed {
        out.push(Sample { name: name.into(), valid: false, canonical: None, json: bad });
    }
    for (name, bad) in if !object_root {
        Vec::new()
    } else {
        vec![
            ("trailing comma", format!("{},}}", &text[..text.len() - 1])),
            ("NaN", if text == "{}" { "{\"zz\":NaN}".into() } else { text.replacen(':', ":NaN,\"zz\":", 1) }),
            ("BOM", format!("\u{feff}{text}")),
            ("truncated", text[..text.len() / 2].to_string()),
            ("two messages", format!("{text}{text}")),
            ("duplicate key", format!("{{{first_key}:1,{}", &text[1..])),
            (
                "excessive nesting",
                format!("{}:{}{}}}", &text[..text.len() - 1], "[".repeat(10_000), "]".repeat(10_000)),
            ),
            ("empty", String::new()),
            ("top-level array", format!("[{text}]")),
            ("top-level null", "null".into()),
            ("comment", format!("/* x */{text}")),
        ]
    } {
        out.push(Sample { name: name.into(), valid: false, canonical: None, json: bad });
    }
    // Whitespace is insignificant (RFC 8259 §2): a pretty-printed message reads the same.
    out.push(spelled_sample(
        "pretty-printed".into(),
        true,
        serde_json::to_string_pretty(&base).expect("serializes").replace('\n', "\r\n\t"),
    ));
    spellings(p, contract, &base, &mut out);
    unknown_spellings(p, contract, &base, &mut out);
    random(p, contract, &mut out);
    out
}

#[test]
fn vectors_are_generated_from_the_ir_and_up_to_date() {
    let update = std::env::var_os("UPDATE_VECTORS").is_some();
    let mut total = 0;
    let mut versions = 0;
    let mut written = std::collections::BTreeSet::new();
    for project in [root(), root().join("tests/conformance")] {
        let config = Config::parse(&std::fs::read_to_string(project.join("contractc.toml")).unwrap()).unwrap();
        let inputs = read_inputs(&project, &config).unwrap_or_else(|e| panic!("{e}"));
        let (program, _) = compile(&inputs, &config).unwrap_or_else(|e| panic!("{e}"));
        for (i, c) in program.contracts.iter().enumerate() {
            let mut rows = vectors(&program, i);
            // Canonical forms have every defaulted member a message lacks (README, `default`).
            let root_ty = Ty::Named(TypeRef { contract: i, index: 0 });
            for s in rows.iter_mut() {
                if let Some(text) = &s.canonical {
                    let mut v: Value = serde_json::from_str(text).expect("canonical text is JSON");
                    with_defaults(&program, &root_ty, &mut v);
                    s.canonical = Some(canonical(&v));
                }
            }
            total += rows.len();
            versions += 1;
            let text: String = rows.iter().map(|s| serde_json::to_string(s).unwrap() + "\n").collect();
            let path = root().join(format!(
                "tests/vectors/{}/{}.jsonl",
                c.id.namespace,
                c.id.file_name().trim_end_matches(".json")
            ));
            if update {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, &text).unwrap();
            }
            assert_eq!(
                std::fs::read_to_string(&path).unwrap_or_default(),
                text,
                "{} is stale: UPDATE_VECTORS=1 cargo test -p contractc-tests --test vectors",
                path.display()
            );
            written.insert(path);
        }
    }
    // A vector file whose contract is gone is stale too.
    for dir in std::fs::read_dir(root().join("tests/vectors")).unwrap() {
        for file in std::fs::read_dir(dir.unwrap().path()).unwrap() {
            let path = file.unwrap().path();
            if written.contains(&path) {
                continue;
            }
            if update {
                std::fs::remove_file(&path).unwrap();
            } else {
                panic!(
                    "{} has no contract: UPDATE_VECTORS=1 cargo test -p contractc-tests --test vectors",
                    path.display()
                );
            }
        }
    }
    assert!(total >= 3000 && versions >= 16, "{total} vectors over {versions} contract versions");
}

/// Each valid sample carries its canonical form, as the reference writer (`tests/common`) makes
/// it; `UPDATE_SAMPLES=1` fills them in.
#[test]
fn samples_carry_their_canonical_form() {
    let update = std::env::var_os("UPDATE_SAMPLES").is_some();
    for (key, rows) in samples() {
        let mut fixed = Vec::new();
        for mut s in rows {
            let want = s.valid.then(|| canonical(&serde_json::from_str(&s.json).unwrap()));
            if !update {
                assert_eq!(s.canonical, want, "{key} {:?}: stale `canonical` (UPDATE_SAMPLES=1 fills it in)", s.name);
            }
            s.canonical = want;
            fixed.push(serde_json::to_string(&s).unwrap());
        }
        if update {
            let (ns, name) = key.split_once('/').unwrap();
            std::fs::write(root().join(format!("tests/samples/{ns}/{name}.jsonl")), fixed.join("\n") + "\n").unwrap();
        }
    }
}
