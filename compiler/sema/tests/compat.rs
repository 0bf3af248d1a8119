//! Every compatibility rule, each in the direction that breaks and the one that does not.
//! A case is two or more versions of one contract's `properties` and a policy.

use contractc_diagnostics::Severity;
use contractc_ir::OpKind;
use contractc_sema::{Compatibility, Database, Policies, Settings, SourceFile, Workspace, compile};

const OTHER: &str =
    r#"{ "type": "object", "properties": { "id": { "type": "string" } }, "additionalProperties": false }"#;

/// Compiles versions 1.0, 1.1, ... of the closed object `T` whose properties are `versions[i]`
/// (required: the properties named in `required[i]`), and returns the codes of what the policy
/// finds.
fn findings(versions: &[(&str, &str)], policy: &str) -> Vec<String> {
    let closed: Vec<_> = versions.iter().map(|&(props, required)| (props, required, "false")).collect();
    findings_of_objects(&closed, policy)
}

/// As [`findings`], each version with its own `additionalProperties` (`true`, `false`, or ``
/// for none: an open object).
fn findings_of_objects(versions: &[(&str, &str, &str)], policy: &str) -> Vec<String> {
    let db = Database::default();
    let mut files: Vec<(String, String)> =
        vec![("c/events/A@1.0.json".into(), OTHER.into()), ("c/events/B@1.0.json".into(), OTHER.into())];
    for (minor, (props, required, additional)) in versions.iter().enumerate() {
        let additional =
            if additional.is_empty() { String::new() } else { format!(r#", "additionalProperties": {additional}"#) };
        files.push((
            format!("c/events/T@1.{minor}.json"),
            format!(r#"{{ "type": "object", "properties": {{ {props} }}, "required": [{required}]{additional} }}"#),
        ));
    }
    let sources = files.iter().map(|(p, t)| SourceFile::new(&db, p.clone(), t.clone())).collect();
    let policies = Settings {
        compatibility: Policies { default: Compatibility::parse(policy).expect("a policy"), contracts: vec![] },
        mql4: true,
    };
    let ws = Workspace::new(&db, sources, policies);
    let compiled = compile(&db, ws);
    compiled
        .diagnostics
        .iter()
        .map(|d| {
            assert!(d.file.starts_with("c/events/T@"), "{d:?}");
            assert!(d.notes.iter().any(|n| n.starts_with("breaks: ")), "{d:?}");
            format!("{}{}", if d.severity == Severity::Warning { "warning " } else { "" }, d.code.name)
        })
        .collect()
}

fn check(old: (&str, &str), new: (&str, &str), policy: &str) -> Vec<String> {
    findings(&[old, new], policy)
}

const A: &str = r#""a": { "type": "string" }"#;
const AB: &str = r#""a": { "type": "string" }, "b": { "type": "string" }"#;

#[test]
fn property_removed() {
    assert_eq!(check((AB, r#""a""#), (A, r#""a""#), "BACKWARD"), ["property-removed"]);
    assert!(check((AB, r#""a""#), (A, r#""a""#), "FORWARD").is_empty());
}

#[test]
fn property_added_to_a_closed_object() {
    assert_eq!(check((A, r#""a""#), (AB, r#""a""#), "FORWARD"), ["property-added"]);
    assert!(check((A, r#""a""#), (AB, r#""a""#), "BACKWARD").is_empty());
}

#[test]
fn an_object_closed_or_opened() {
    let change = |old, new, policy| findings_of_objects(&[(A, "", old), (A, "", new)], policy);
    assert_eq!(change("", "false", "BACKWARD"), ["additional-properties-removed"]);
    assert!(change("", "false", "FORWARD").is_empty(), "old readers keep reading");
    assert_eq!(change("false", "true", "FORWARD"), ["additional-properties-added"]);
    assert!(change("false", "true", "BACKWARD").is_empty(), "new readers keep reading");
    assert!(change("true", "", "FULL").is_empty(), "absent is `true`");
}

#[test]
fn properties_of_an_open_object() {
    let open = |old, new, policy| findings_of_objects(&[(old, "", ""), (new, "", "")], policy);
    // Old messages may carry `b` as an unknown member, with any value (Confluent's open content).
    assert_eq!(open(A, AB, "BACKWARD"), ["property-added"]);
    assert!(open(A, AB, "FORWARD").is_empty(), "old readers keep `b` as an unknown member");
    assert_eq!(open(AB, A, "FORWARD"), ["property-removed"]);
    assert!(open(AB, A, "BACKWARD").is_empty(), "new readers keep `b` as an unknown member");
}

#[test]
fn null_allowed_or_no_longer() {
    let nullable = r#""x": { "type": ["number", "null"] }"#;
    let number = r#""x": { "type": "number" }"#;
    assert_eq!(check((nullable, ""), (number, ""), "BACKWARD"), ["type-changed"]);
    assert!(check((number, ""), (nullable, ""), "BACKWARD").is_empty(), "new readers take null besides numbers");
    assert_eq!(check((number, ""), (nullable, ""), "FORWARD"), ["type-changed"]);
    let any_of = r#""x": { "anyOf": [{ "type": "number" }, { "type": "null" }] }"#;
    assert!(check((nullable, ""), (any_of, ""), "FULL").is_empty(), "two spellings of one type");
}

#[test]
fn values_of_any_kind_removed_and_added() {
    let three = r#""x": { "enum": [1, 2.5, null] }"#;
    let two = r#""x": { "enum": [1.0, null] }"#;
    assert_eq!(check((three, ""), (two, ""), "BACKWARD"), ["enum-value-removed"]);
    assert!(check((three, ""), (two, ""), "FORWARD").is_empty(), "1.0 is 1");
    assert_eq!(check((two, ""), (three, ""), "FORWARD"), ["enum-value-added"]);
}

#[test]
fn variants_of_a_tagged_union() {
    let variant = |tag: &str, extra: &str| {
        format!(
            r#"{{ "type": "object", "properties": {{ "k": {{ "const": "{tag}" }}{extra} }}, "required": ["k"], "additionalProperties": false }}"#
        )
    };
    let union = |variants: &[String]| format!(r#""e": {{ "oneOf": [{}] }}"#, variants.join(", "));
    let abc = union(&[variant("a", ""), variant("b", ""), variant("c", "")]);
    let ab = union(&[variant("a", ""), variant("b", "")]);
    let ab_wider = union(&[variant("a", r#", "n": { "type": "integer" }"#), variant("b", "")]);
    assert_eq!(check((&abc, ""), (&ab, ""), "BACKWARD"), ["enum-value-removed"], "variant c is gone");
    assert_eq!(check((&ab, ""), (&abc, ""), "FORWARD"), ["enum-value-added"]);
    assert!(check((&ab, ""), (&abc, ""), "BACKWARD").is_empty());
    assert_eq!(check((&ab, ""), (&ab_wider, ""), "FORWARD"), ["property-added"], "variants compare as objects");
}

#[test]
fn member_counts_tightened_and_loosened() {
    let counted = |bounds: &str| format!(r#""m": {{ "type": "object", "additionalProperties": true{bounds} }}"#);
    let (loose, strict) = (counted(r#", "maxProperties": 5"#), counted(r#", "maxProperties": 2, "minProperties": 1"#));
    assert_eq!(check((&loose, ""), (&strict, ""), "BACKWARD"), ["constraint-tightened", "constraint-tightened"]);
    assert!(check((&strict, ""), (&loose, ""), "BACKWARD").is_empty());
    assert_eq!(check((&strict, ""), (&loose, ""), "FORWARD"), ["constraint-loosened", "constraint-loosened"]);
}

#[test]
fn maps_compare_their_values() {
    let map = |values: &str| findings_of_objects(&[(A, "", values)], "FULL");
    assert!(map(r#"{ "type": "integer" }"#).is_empty());
    let change = |old: &str, new: &str, policy| findings_of_objects(&[(A, "", old), (A, "", new)], policy);
    let integers = r#"{ "type": "integer" }"#;
    let numbers = r#"{ "type": "number" }"#;
    assert_eq!(change(numbers, integers, "BACKWARD"), ["type-changed"], "old messages may hold 1.5");
    assert!(change(integers, numbers, "BACKWARD").is_empty(), "widened");
    assert_eq!(change("", integers, "BACKWARD"), ["additional-properties-removed"], "an open object became a map");
    assert!(change(integers, "", "BACKWARD").is_empty(), "a map became open");
}

#[test]
fn required_property_added() {
    assert_eq!(check((A, r#""a""#), (AB, r#""a", "b""#), "BACKWARD"), ["required-property-added"]);
    assert!(check((A, r#""a""#), (AB, r#""a""#), "BACKWARD").is_empty(), "an optional property is fine");
}

#[test]
fn optional_became_required_and_back() {
    assert_eq!(check((AB, r#""a""#), (AB, r#""a", "b""#), "BACKWARD"), ["optional-became-required"]);
    assert!(check((AB, r#""a", "b""#), (AB, r#""a""#), "BACKWARD").is_empty());
    assert_eq!(check((AB, r#""a", "b""#), (AB, r#""a""#), "FORWARD"), ["required-became-optional"]);
    assert!(check((AB, r#""a""#), (AB, r#""a", "b""#), "FORWARD").is_empty());
}

#[test]
fn type_changed_or_narrowed() {
    let num = r#""x": { "type": "number" }"#;
    let int = r#""x": { "type": "integer" }"#;
    let s = r#""x": { "type": "string" }"#;
    assert_eq!(check((num, ""), (int, ""), "BACKWARD"), ["type-changed"], "narrowed");
    assert!(check((int, ""), (num, ""), "BACKWARD").is_empty(), "widened");
    assert_eq!(check((int, ""), (num, ""), "FORWARD"), ["type-changed"]);
    assert_eq!(check((num, ""), (s, ""), "BACKWARD"), ["type-changed"]);
}

#[test]
fn enum_values_removed_and_added() {
    let ab = r#""side": { "type": "string", "enum": ["BUY", "SELL"] }"#;
    let a = r#""side": { "type": "string", "enum": ["BUY"] }"#;
    assert_eq!(check((ab, ""), (a, ""), "BACKWARD"), ["enum-value-removed"]);
    assert!(check((ab, ""), (a, ""), "FORWARD").is_empty());
    assert_eq!(check((a, ""), (ab, ""), "FORWARD"), ["enum-value-added"]);
    assert_eq!(check((a, ""), (ab, ""), "FULL"), ["enum-value-added"], "an error under FORWARD, not also a warning");
    assert_eq!(
        check((a, ""), (ab, ""), "BACKWARD"),
        ["warning new-enum-value"],
        "JSON-compatible, but old exhaustive matches break"
    );
    assert_eq!(check((a, ""), (ab, ""), "NONE"), ["warning new-enum-value"]);
}

#[test]
fn constraints_tightened_and_loosened() {
    let cases = [
        (r#""x": { "type": "number", "maximum": 10 }"#, r#""x": { "type": "number", "maximum": 5 }"#),
        (r#""x": { "type": "number", "minimum": 0 }"#, r#""x": { "type": "number", "exclusiveMinimum": 0 }"#),
        (r#""x": { "type": "integer", "minimum": 1 }"#, r#""x": { "type": "integer", "minimum": 2 }"#),
        (r#""x": { "type": "string", "maxLength": 10 }"#, r#""x": { "type": "string", "maxLength": 9 }"#),
        (r#""x": { "type": "string" }"#, r#""x": { "type": "string", "minLength": 1 }"#),
        (
            r#""x": { "type": "array", "items": { "type": "number" } }"#,
            r#""x": { "type": "array", "items": { "type": "number" }, "maxItems": 3 }"#,
        ),
        (
            r#""x": { "type": "array", "items": { "type": "number" } }"#,
            r#""x": { "type": "array", "items": { "type": "number", "maximum": 1 } }"#,
        ),
    ];
    for (loose, strict) in cases {
        assert_eq!(check((loose, ""), (strict, ""), "BACKWARD"), ["constraint-tightened"], "{strict}");
        assert!(check((strict, ""), (loose, ""), "BACKWARD").is_empty(), "{loose}");
        assert_eq!(check((strict, ""), (loose, ""), "FORWARD"), ["constraint-loosened"], "{loose}");
        assert!(check((loose, ""), (strict, ""), "FORWARD").is_empty(), "{strict}");
    }
}

#[test]
fn format_changed() {
    let plain = r#""t": { "type": "string" }"#;
    let dt = r#""t": { "type": "string", "format": "date-time" }"#;
    let d = r#""t": { "type": "string", "format": "date" }"#;
    assert_eq!(check((plain, ""), (dt, ""), "BACKWARD"), ["format-changed"]);
    assert_eq!(check((dt, ""), (d, ""), "BACKWARD"), ["format-changed"]);
    assert!(check((dt, ""), (plain, ""), "BACKWARD").is_empty());
}

#[test]
fn ref_target_changed() {
    let to_a = r#""r": { "$ref": "A@1.0.json" }"#;
    let to_b = r#""r": { "$ref": "B@1.0.json" }"#;
    assert_eq!(check((to_a, ""), (to_b, ""), "BACKWARD"), ["ref-target-changed"]);
    assert!(check((to_a, ""), (to_a, ""), "FULL").is_empty());
}

#[test]
fn nested_objects_and_local_defs_are_compared_in_depth() {
    let old =
        r#""o": { "type": "object", "properties": { "n": { "type": "number" } }, "additionalProperties": false }"#;
    let new =
        r#""o": { "type": "object", "properties": { "n": { "type": "integer" } }, "additionalProperties": false }"#;
    assert_eq!(check((old, ""), (new, ""), "BACKWARD"), ["type-changed"]);
}

#[test]
fn transitive_policies_compare_with_every_earlier_minor() {
    let versions = [(A, r#""a""#), (AB, r#""a", "b""#), (AB, r#""a", "b""#)];
    assert_eq!(findings(&versions, "BACKWARD"), ["required-property-added"], "1.0 → 1.1 only");
    assert_eq!(
        findings(&versions, "BACKWARD_TRANSITIVE"),
        ["required-property-added", "required-property-added"],
        "1.0 → 1.1 and 1.0 → 1.2"
    );
    assert!(findings(&versions, "NONE").is_empty());
    assert_eq!(
        findings(&versions, "FULL"),
        ["property-added", "required-property-added"],
        "closed: old readers reject b too"
    );
}

#[test]
fn the_trading_contracts_are_backward_transitive_and_their_migration_resolves() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../contracts");
    let db = Database::default();
    let mut sources = Vec::new();
    // The contracts, and the migrations between their majors.
    for dir in ["events", "migrations/events"] {
        for e in std::fs::read_dir(root.join(dir)).unwrap() {
            let p = e.unwrap().path();
            let name = format!("contracts/{dir}/{}", p.file_name().unwrap().to_string_lossy());
            sources.push(SourceFile::new(&db, name, std::fs::read_to_string(&p).unwrap()));
        }
    }
    let ws = Workspace::new(&db, sources, Settings::default());
    let compiled = compile(&db, ws);
    // Only the changes of OrderIntent@2.0 that its migration from 1.2 explains.
    assert!(compiled.diagnostics.iter().all(|d| d.severity == Severity::Note), "{:?}", compiled.diagnostics);

    // The migration as the backends read it: a rename and two moves into a `protection` the
    // first move makes, every op resolved against both schemas; reversible and lossless.
    let program = compiled.program.as_ref().expect("no errors");
    let [migration] = &program.migrations[..] else { panic!("{:?}", program.migrations) };
    let key = |c: usize| program.contracts[c].id.key();
    assert_eq!(
        (key(migration.from), key(migration.to)),
        ("events/OrderIntent@1.2".into(), "events/OrderIntent@2.0".into())
    );
    let path = |p: &[&str]| p.iter().map(|t| t.to_string()).collect::<Vec<_>>();
    let moves: Vec<_> = migration
        .ops
        .iter()
        .map(|op| match &op.kind {
            OpKind::Move { from, to, created } => (from.clone(), to.clone(), created.clone(), op.target.as_deref()),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        moves,
        [
            (path(&["volume_lots"]), path(&["quantity_lots"]), vec![], Some("/properties/quantity_lots")),
            (
                path(&["stop_loss"]),
                path(&["protection", "stop_loss"]),
                vec![path(&["protection"])],
                Some("/properties/protection/properties/stop_loss")
            ),
            (
                path(&["take_profit"]),
                path(&["protection", "take_profit"]),
                vec![],
                Some("/properties/protection/properties/take_profit")
            ),
        ]
    );
    assert_eq!(migration.ops[1].source.as_deref(), Some("/properties/stop_loss"));
    assert!(migration.reversible() && !migration.lossy());
}

/// A lossy `enum_map` and a `remove`: the migration compiles, lossy, and without a downgrade.
#[test]
fn a_lossy_migration_is_marked_so() {
    let db = Database::default();
    let file = |p: &str, t: &str| SourceFile::new(&db, p.to_string(), t.to_string());
    let files = vec![
        file(
            "c/events/T@1.0.json",
            r#"{ "type": "object", "properties": { "side": { "enum": ["BUY", "SELL"] }, "legacy": { "type": "string" } },
                 "required": ["side"], "additionalProperties": false }"#,
        ),
        file(
            "c/events/T@2.0.json",
            r#"{ "type": "object", "properties": { "side": { "enum": ["LONG"] } }, "required": ["side"],
                 "additionalProperties": false }"#,
        ),
        file(
            "c/migrations/events/T@1.0..2.0.json",
            r#"{ "ops": [
                 { "op": "enum_map", "path": "/side", "map": { "BUY": "LONG", "SELL": "LONG" }, "lossy": true },
                 { "op": "remove", "path": "/legacy", "default": "" } ] }"#,
        ),
    ];
    let compiled = compile(&db, Workspace::new(&db, files, Settings::default()));
    let program = compiled.program.as_ref().unwrap_or_else(|| panic!("{:?}", compiled.diagnostics));
    let migration = &program.migrations[0];
    let pairs = vec![("BUY".to_string(), "LONG".to_string()), ("SELL".to_string(), "LONG".to_string())];
    assert!(matches!(&migration.ops[0].kind, OpKind::EnumMap { pairs: p, bijective: false, .. } if *p == pairs));
    assert!(matches!(&migration.ops[1].kind, OpKind::Remove { default, .. } if default == "\"\""));
    assert!(migration.lossy() && !migration.reversible());
    assert!(migration.ops[1].lossy() && migration.ops[1].reversible());
}
