//! The registry of diagnostic codes. A code keeps its meaning forever; retired codes are not reused.

/// A stable diagnostic code (`E0005`), its kebab-case name (`unresolved-ref`) and a one-line
/// summary (what `docs/diagnostics.md` says of it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Code {
    pub id: &'static str,
    pub name: &'static str,
    pub summary: &'static str,
}

impl Code {
    /// The severity its id's letter gives: `E` an error, `W` a warning, `N` a note.
    pub fn severity(&self) -> crate::Severity {
        match self.id.as_bytes().first() {
            Some(b'W') => crate::Severity::Warning,
            Some(b'N') => crate::Severity::Note,
            _ => crate::Severity::Error,
        }
    }
}

/// The file is not well-formed JSON (RFC 8259).
pub const JSON_SYNTAX: Code =
    Code { id: "E0001", name: "json-syntax", summary: "The file is not well-formed JSON (RFC 8259)." };
/// The file name is not `Name@MAJOR.MINOR.json`.
pub const INVALID_FILE_NAME: Code =
    Code { id: "E0002", name: "invalid-file-name", summary: "The file name is not `Name@MAJOR.MINOR.json`." };
/// A schema keyword outside the supported subset (DESIGN.md, "Contracts").
pub const UNSUPPORTED_KEYWORD: Code = Code {
    id: "E0003",
    name: "unsupported-keyword",
    summary: "A schema keyword outside the supported subset (README, \"Contracts\").",
};
/// A supported keyword with a value of the wrong shape (JSON Schema 2020-12 Validation §6).
pub const INVALID_KEYWORD_VALUE: Code = Code {
    id: "E0004",
    name: "invalid-keyword-value",
    summary: "A supported keyword with a value of the wrong shape (JSON Schema 2020-12 Validation §6).",
};
/// A `$ref` that names no schema of the project (JSON Schema 2020-12 Core §8.2.3.1).
pub const UNRESOLVED_REF: Code = Code {
    id: "E0005",
    name: "unresolved-ref",
    summary: "A `$ref` that names no schema of the project (JSON Schema 2020-12 Core §8.2.3.1).",
};
/// `$ref`s that form a cycle, which not every backend can express.
pub const REF_CYCLE: Code =
    Code { id: "E0006", name: "ref-cycle", summary: "`$ref`s that form a cycle, which not every backend can express." };
/// `$id` disagrees with the file name.
pub const ID_MISMATCH: Code = Code { id: "E0007", name: "id-mismatch", summary: "`$id` disagrees with the file name." };
/// Two schema resources with one `$id`, or two schemas of a resource with one anchor: a `$ref`
/// to it could mean either.
pub const DUPLICATE_ID: Code = Code {
    id: "E0012",
    name: "duplicate-id",
    summary: "Two schema resources with the same `$id` (Core §8.2.1), or two schemas of one with the same anchor (§8.2.2).",
};
/// Branches of an `allOf` (or a `$ref` and its siblings) that no instance satisfies together.
pub const CONTRADICTION: Code = Code {
    id: "E0013",
    name: "contradiction",
    summary: "Schemas composed with `allOf` (or `$ref` beside keywords) that no message satisfies together.",
};
// E0009 is retired (never reused): an `examples` entry its schema refuses is W0020, a warning.
/// A `default` that does not validate against its own schema.
pub const INVALID_DEFAULT: Code = Code {
    id: "E0015",
    name: "invalid-default",
    summary: "A `default` that does not validate against its own schema.",
};
/// Two names become the same identifier in a target language, where no suffix may tell them
/// apart: two contracts' MQL4 prefix, two type names MQL4 cuts to one, tagged-union variants.
pub const NAME_COLLISION: Code = Code {
    id: "E0008",
    name: "name-collision",
    summary: "Two contracts, types or union variants become the same identifier in a target language.",
};
/// A `pattern` that is not an ECMA-262 regular expression, or that uses a construct the target
/// languages would not match alike (look-around, backreferences, `\p{..}`).
pub const UNSUPPORTED_PATTERN: Code = Code {
    id: "E0014",
    name: "unsupported-pattern",
    summary: "A `pattern` that is not ECMA-262, or uses a construct Rust, Python and the MQL4 DFA would not match alike.",
};
// E0010 `unrepresentable-name` is retired (never reused): MQL4 now builds any name from its
// character codes, and contract files refuse U+0000, the one character no MQL4 string holds.
// E0011 `target-limit` is retired (never reused): what MQL4's one-dimensional arrays cannot hold
// (an array or a value that may be null, as an item or a map's value) it holds as JSON text.
/// The workflow spec does not have the shape of a workflow.
pub const INVALID_WORKFLOW: Code =
    Code { id: "E0101", name: "invalid-workflow", summary: "The workflow spec does not have the shape of a workflow." };
/// A step names a step that does not exist.
pub const UNKNOWN_STEP: Code =
    Code { id: "E0102", name: "unknown-step", summary: "A step names a step that does not exist." };
/// Steps depend on each other in a cycle.
pub const WORKFLOW_CYCLE: Code =
    Code { id: "E0103", name: "workflow-cycle", summary: "Steps depend on each other in a cycle." };
/// A step's output names a contract that does not exist.
pub const UNKNOWN_CONTRACT: Code =
    Code { id: "E0104", name: "unknown-contract", summary: "A step's output names a contract that does not exist." };
/// Two steps share a name.
pub const DUPLICATE_STEP: Code = Code { id: "E0105", name: "duplicate-step", summary: "Two steps share a name." };
/// A `fallback` that cannot stand in for its step (missing, itself, another output, taken).
pub const INVALID_FALLBACK: Code = Code {
    id: "E0106",
    name: "invalid-fallback",
    summary: "A `fallback` that cannot stand in for its step (missing, itself, another output, taken).",
};
/// A retry policy, timeout or deadline with values that cannot work.
pub const INVALID_RETRY: Code = Code {
    id: "E0107",
    name: "invalid-retry",
    summary: "A retry policy, timeout or deadline with values that cannot work.",
};
/// A step names a resource the workflow does not declare.
pub const UNKNOWN_RESOURCE: Code =
    Code { id: "E0108", name: "unknown-resource", summary: "A step names a resource the workflow does not declare." };
/// An input declares a contract other than the one its producer emits.
pub const INPUT_CONTRACT_MISMATCH: Code = Code {
    id: "E0109",
    name: "input-contract-mismatch",
    summary: "An input declares a contract other than the one its producer emits.",
};
/// A step that can never run, whatever happens upstream.
pub const UNREACHABLE_STEP: Code =
    Code { id: "E0114", name: "unreachable-step", summary: "A step that can never run, whatever happens upstream." };
/// An input declares another major of its producer's contract, and no migrations lead there.
pub const MISSING_MIGRATION_PATH: Code = Code {
    id: "E0115",
    name: "missing-migration-path",
    summary: "An input declares another major of its producer's contract, and no migrations lead there.",
};
/// A `when` condition does not parse (CEL subset).
pub const CONDITION_SYNTAX: Code =
    Code { id: "E0110", name: "condition-syntax", summary: "A `when` condition does not parse (CEL subset)." };
/// A condition names a field or input that does not exist.
pub const CONDITION_UNKNOWN_FIELD: Code = Code {
    id: "E0111",
    name: "condition-unknown-field",
    summary: "A condition names a field or input that does not exist.",
};
/// A condition compares values of different types, or is not boolean.
pub const CONDITION_TYPE_MISMATCH: Code = Code {
    id: "E0112",
    name: "condition-type-mismatch",
    summary: "A condition compares values of different types, or is not boolean.",
};
/// A condition compares an enum field with a literal outside the enum.
pub const CONDITION_UNKNOWN_ENUM_VALUE: Code = Code {
    id: "E0113",
    name: "condition-unknown-enum-value",
    summary: "A condition compares an enum field with a literal outside the enum.",
};

/// A property was removed: new readers of a closed object reject it in old messages, or old
/// readers require it (buf: FIELD_NO_DELETE).
pub const PROPERTY_REMOVED: Code = Code {
    id: "E0201",
    name: "property-removed",
    summary: "A property was removed: closed new readers reject it in old messages, or old readers require it (buf: FIELD_NO_DELETE).",
};
/// A property was added: old readers of a closed object reject it, or, in an open object, old
/// messages may carry it with any value (Confluent: PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL).
pub const PROPERTY_ADDED: Code = Code {
    id: "E0202",
    name: "property-added",
    summary: "A property was added: closed old readers reject it, or old messages of an open object may carry it with any value.",
};
/// A required property old messages do not have (Confluent: added required property, no default).
pub const REQUIRED_PROPERTY_ADDED: Code = Code {
    id: "E0203",
    name: "required-property-added",
    summary: "A required property old messages do not have (Confluent: added required property, no default).",
};
/// An optional property became required: old messages may lack it.
pub const OPTIONAL_BECAME_REQUIRED: Code = Code {
    id: "E0204",
    name: "optional-became-required",
    summary: "An optional property became required: old messages may lack it.",
};
/// A required property became optional: new messages may lack what old readers require.
pub const REQUIRED_BECAME_OPTIONAL: Code = Code {
    id: "E0205",
    name: "required-became-optional",
    summary: "A required property became optional: new messages may lack what old readers require.",
};
/// A type changed or was narrowed (e.g. number → integer, string → enum).
pub const TYPE_CHANGED: Code = Code {
    id: "E0206",
    name: "type-changed",
    summary: "A type changed or was narrowed (e.g. number → integer, string → enum).",
};
/// An enum value old messages may carry is gone.
pub const ENUM_VALUE_REMOVED: Code =
    Code { id: "E0207", name: "enum-value-removed", summary: "An enum value old messages may carry is gone." };
/// An enum value new writers may send is unknown to old readers.
pub const ENUM_VALUE_ADDED: Code = Code {
    id: "E0208",
    name: "enum-value-added",
    summary: "An enum value new writers may send is unknown to old readers.",
};
/// A bound, length or item count got stricter: some old messages no longer validate.
pub const CONSTRAINT_TIGHTENED: Code = Code {
    id: "E0209",
    name: "constraint-tightened",
    summary: "A bound, length or item count got stricter: some old messages no longer validate.",
};
/// A bound, length or item count got looser: some new messages fail old readers.
pub const CONSTRAINT_LOOSENED: Code = Code {
    id: "E0210",
    name: "constraint-loosened",
    summary: "A bound, length or item count got looser: some new messages fail old readers.",
};
/// A string `format` was added or changed.
pub const FORMAT_CHANGED: Code =
    Code { id: "E0211", name: "format-changed", summary: "A string `format` was added or changed." };
/// A `$ref` now points at another contract.
pub const REF_TARGET_CHANGED: Code =
    Code { id: "E0212", name: "ref-target-changed", summary: "A `$ref` now points at another contract." };
/// An open object was closed (`additionalProperties: false`): new readers reject the unknown
/// members old messages may carry (Confluent: ADDITIONAL_PROPERTIES_REMOVED).
pub const ADDITIONAL_PROPERTIES_REMOVED: Code = Code {
    id: "E0213",
    name: "additional-properties-removed",
    summary: "An open object was closed: new readers reject the unknown members old messages may carry.",
};
/// A closed object was opened: old readers (closed) reject the unknown members new messages may
/// carry (Confluent: ADDITIONAL_PROPERTIES_ADDED).
pub const ADDITIONAL_PROPERTIES_ADDED: Code = Code {
    id: "E0214",
    name: "additional-properties-added",
    summary: "A closed object was opened: old readers reject the unknown members new messages may carry.",
};
/// A new major of a contract without a migration from the latest minor of the major before it.
pub const MISSING_MIGRATION: Code = Code {
    id: "E0301",
    name: "missing-migration",
    summary: "A new major of a contract without a migration from the latest minor of the major before it.",
};
/// A migration names a version that is not the one it must carry messages from or to.
pub const MIGRATION_UNKNOWN_VERSION: Code = Code {
    id: "E0302",
    name: "migration-unknown-version",
    summary: "A migration whose versions are not a contract's latest minor of one major and the first minor of the next.",
};
/// A migration op names a property the message does not have at that point.
pub const MIGRATION_MISSING_PROPERTY: Code = Code {
    id: "E0303",
    name: "migration-missing-property",
    summary: "A migration op names a property the message does not have at that point of the migration.",
};
/// An `add` or `remove` default that its property's schema refuses.
pub const MIGRATION_DEFAULT_INVALID: Code = Code {
    id: "E0304",
    name: "migration-default-invalid",
    summary: "An `add` default the new version's schema refuses, or a `remove` default the old version's refuses.",
};
/// An `enum_map` that is not a bijection between the two enums and is not marked `lossy`.
pub const MIGRATION_ENUM_NOT_BIJECTIVE: Code = Code {
    id: "E0305",
    name: "migration-enum-not-bijective",
    summary: "An `enum_map` that is not a bijection between the two versions' enums and is not marked `lossy`.",
};
/// A `convert` that narrows: some old values would not be valid after it.
pub const MIGRATION_NARROWING_CONVERT: Code = Code {
    id: "E0306",
    name: "migration-narrowing-convert",
    summary: "A `convert` that is no widening (integer → number, a formatted string → a plain string).",
};
/// After every op, some valid old message would not be valid under the new version.
pub const MIGRATION_RESULT_INVALID: Code = Code {
    id: "E0307",
    name: "migration-result-invalid",
    summary: "After every op, some valid message of the old version is not a valid message of the new one.",
};
/// The migration file is not named or shaped like a migration.
pub const INVALID_MIGRATION: Code = Code {
    id: "E0308",
    name: "invalid-migration",
    summary: "The migration file is not named or shaped like a migration, or an op cannot apply.",
};
/// A compatibility finding between two majors that their migration carries messages across.
pub const EXPLAINED_BY_MIGRATION: Code = Code {
    id: "N0301",
    name: "explained-by-migration",
    summary: "A change between two majors that their migration carries messages across: nothing to do.",
};
/// A keyword that is neither JSON Schema's nor the subset's: an annotation (Core §6.5).
pub const UNKNOWN_KEYWORD: Code = Code {
    id: "W0016",
    name: "unknown-keyword",
    summary: "A keyword that is not JSON Schema's, kept as an annotation (it changes nothing any language checks).",
};
/// A `format` the subset does not assert: an annotation (Validation §7.2.1, the default).
pub const UNASSERTED_FORMAT: Code =
    Code { id: "W0017", name: "unasserted-format", summary: "A `format` no language asserts, kept as an annotation." };
/// A schema with assertions and no `type`: every JSON type is valid, each constrained only by
/// the keywords that apply to it (Validation §6), so it becomes a union of every type.
pub const UNTYPED_SCHEMA: Code = Code {
    id: "W0018",
    name: "untyped-schema",
    summary: "A schema without `type` whose keywords constrain only some types: a union of every type.",
};
/// A property one branch of a composition declares and a closed branch forbids (Core §10.3.2.3:
/// `additionalProperties` sees only its own schema's `properties`): it can never be present.
pub const FORBIDDEN_PROPERTY: Code = Code {
    id: "W0019",
    name: "forbidden-property",
    summary: "A property one branch of a composition declares and a closed branch forbids: a message with it is refused.",
};
/// An `examples` entry that does not validate against its own schema. Examples are annotations
/// that no generated code uses (Validation §9.5 only recommends that they validate): a warning,
/// where an invalid `default`, which every language applies, is an error (E0015).
pub const INVALID_EXAMPLE: Code = Code {
    id: "W0020",
    name: "invalid-example",
    summary: "An `examples` entry that does not validate against its own schema (examples document valid messages).",
};
/// A new enum value is JSON-compatible for new readers but breaks exhaustive matches in old code.
pub const NEW_ENUM_VALUE: Code = Code {
    id: "W0201",
    name: "new-enum-value",
    summary: "A new enum value is JSON-compatible for new readers but breaks exhaustive matches in old code.",
};

/// Every code, in id order (errors, warnings, notes).
pub const ALL: &[Code] = &[
    JSON_SYNTAX,
    INVALID_FILE_NAME,
    UNSUPPORTED_KEYWORD,
    INVALID_KEYWORD_VALUE,
    UNRESOLVED_REF,
    REF_CYCLE,
    ID_MISMATCH,
    NAME_COLLISION,
    DUPLICATE_ID,
    CONTRADICTION,
    UNSUPPORTED_PATTERN,
    INVALID_DEFAULT,
    INVALID_WORKFLOW,
    UNKNOWN_STEP,
    WORKFLOW_CYCLE,
    UNKNOWN_CONTRACT,
    DUPLICATE_STEP,
    INVALID_FALLBACK,
    INVALID_RETRY,
    UNKNOWN_RESOURCE,
    INPUT_CONTRACT_MISMATCH,
    CONDITION_SYNTAX,
    CONDITION_UNKNOWN_FIELD,
    CONDITION_TYPE_MISMATCH,
    CONDITION_UNKNOWN_ENUM_VALUE,
    UNREACHABLE_STEP,
    MISSING_MIGRATION_PATH,
    PROPERTY_REMOVED,
    PROPERTY_ADDED,
    REQUIRED_PROPERTY_ADDED,
    OPTIONAL_BECAME_REQUIRED,
    REQUIRED_BECAME_OPTIONAL,
    TYPE_CHANGED,
    ENUM_VALUE_REMOVED,
    ENUM_VALUE_ADDED,
    CONSTRAINT_TIGHTENED,
    CONSTRAINT_LOOSENED,
    FORMAT_CHANGED,
    REF_TARGET_CHANGED,
    ADDITIONAL_PROPERTIES_REMOVED,
    ADDITIONAL_PROPERTIES_ADDED,
    MISSING_MIGRATION,
    MIGRATION_UNKNOWN_VERSION,
    MIGRATION_MISSING_PROPERTY,
    MIGRATION_DEFAULT_INVALID,
    MIGRATION_ENUM_NOT_BIJECTIVE,
    MIGRATION_NARROWING_CONVERT,
    MIGRATION_RESULT_INVALID,
    INVALID_MIGRATION,
    UNKNOWN_KEYWORD,
    UNASSERTED_FORMAT,
    UNTYPED_SCHEMA,
    FORBIDDEN_PROPERTY,
    INVALID_EXAMPLE,
    NEW_ENUM_VALUE,
    EXPLAINED_BY_MIGRATION,
];

#[cfg(test)]
mod tests {
    #[test]
    fn ids_and_names_are_unique_and_well_formed() {
        let mut ids: Vec<_> = super::ALL.iter().map(|c| c.id).collect();
        let mut names: Vec<_> = super::ALL.iter().map(|c| c.name).collect();
        ids.sort();
        ids.dedup();
        names.sort();
        names.dedup();
        assert_eq!(ids.len(), super::ALL.len());
        assert_eq!(names.len(), super::ALL.len());
        for c in super::ALL {
            assert!(c.name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'), "{}", c.name);
        }
    }
}
