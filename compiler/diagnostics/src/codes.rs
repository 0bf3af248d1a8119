//! The registry of diagnostic codes. A code keeps its meaning forever; retired codes are not reused.

/// A stable diagnostic code (`E0005`) and its kebab-case name (`unresolved-ref`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Code {
    pub id: &'static str,
    pub name: &'static str,
}

const fn code(id: &'static str, name: &'static str) -> Code {
    Code { id, name }
}

/// The file is not well-formed JSON (RFC 8259).
pub const JSON_SYNTAX: Code = code("E0001", "json-syntax");
/// The file name is not `Name@MAJOR.MINOR.json`.
pub const INVALID_FILE_NAME: Code = code("E0002", "invalid-file-name");
/// A schema keyword outside the supported subset (DESIGN.md, "Contracts").
pub const UNSUPPORTED_KEYWORD: Code = code("E0003", "unsupported-keyword");
/// A supported keyword with a value of the wrong shape (JSON Schema 2020-12 Validation §6).
pub const INVALID_KEYWORD_VALUE: Code = code("E0004", "invalid-keyword-value");
/// A `$ref` that names no contract or `$defs` entry (JSON Schema 2020-12 Core §8.2.3.1).
pub const UNRESOLVED_REF: Code = code("E0005", "unresolved-ref");
/// `$ref`s that form a cycle, which not every backend can express.
pub const REF_CYCLE: Code = code("E0006", "ref-cycle");
/// `$id` disagrees with the file name.
pub const ID_MISMATCH: Code = code("E0007", "id-mismatch");
/// The workflow spec does not have the shape of a workflow.
pub const INVALID_WORKFLOW: Code = code("E0101", "invalid-workflow");
/// A step names a step that does not exist.
pub const UNKNOWN_STEP: Code = code("E0102", "unknown-step");
/// Steps depend on each other in a cycle.
pub const WORKFLOW_CYCLE: Code = code("E0103", "workflow-cycle");
/// A step's output names a contract that does not exist.
pub const UNKNOWN_CONTRACT: Code = code("E0104", "unknown-contract");
/// Two steps share a name.
pub const DUPLICATE_STEP: Code = code("E0105", "duplicate-step");
/// A `fallback` that cannot stand in for its step (missing, itself, another output, taken).
pub const INVALID_FALLBACK: Code = code("E0106", "invalid-fallback");
/// A retry policy, timeout or deadline with values that cannot work.
pub const INVALID_RETRY: Code = code("E0107", "invalid-retry");
/// A step names a resource the workflow does not declare.
pub const UNKNOWN_RESOURCE: Code = code("E0108", "unknown-resource");
/// A `when` condition does not parse (CEL subset).
pub const CONDITION_SYNTAX: Code = code("E0110", "condition-syntax");
/// A condition names a field or input that does not exist.
pub const CONDITION_UNKNOWN_FIELD: Code = code("E0111", "condition-unknown-field");
/// A condition compares values of different types, or is not boolean.
pub const CONDITION_TYPE_MISMATCH: Code = code("E0112", "condition-type-mismatch");
/// A condition compares an enum field with a literal outside the enum.
pub const CONDITION_UNKNOWN_ENUM_VALUE: Code = code("E0113", "condition-unknown-enum-value");

/// A property of old messages that new readers (closed objects) reject (buf: FIELD_NO_DELETE).
pub const PROPERTY_REMOVED: Code = code("E0201", "property-removed");
/// A property new writers send that old readers (closed objects) reject.
pub const PROPERTY_ADDED: Code = code("E0202", "property-added");
/// A required property old messages do not have (Confluent: added required property, no default).
pub const REQUIRED_PROPERTY_ADDED: Code = code("E0203", "required-property-added");
/// An optional property became required: old messages may lack it.
pub const OPTIONAL_BECAME_REQUIRED: Code = code("E0204", "optional-became-required");
/// A required property became optional: new messages may lack what old readers require.
pub const REQUIRED_BECAME_OPTIONAL: Code = code("E0205", "required-became-optional");
/// A type changed or was narrowed (e.g. number → integer, string → enum).
pub const TYPE_CHANGED: Code = code("E0206", "type-changed");
/// An enum value old messages may carry is gone.
pub const ENUM_VALUE_REMOVED: Code = code("E0207", "enum-value-removed");
/// An enum value new writers may send is unknown to old readers.
pub const ENUM_VALUE_ADDED: Code = code("E0208", "enum-value-added");
/// A bound, length or item count got stricter: some old messages no longer validate.
pub const CONSTRAINT_TIGHTENED: Code = code("E0209", "constraint-tightened");
/// A bound, length or item count got looser: some new messages fail old readers.
pub const CONSTRAINT_LOOSENED: Code = code("E0210", "constraint-loosened");
/// A string `format` was added or changed.
pub const FORMAT_CHANGED: Code = code("E0211", "format-changed");
/// A `$ref` now points at another contract.
pub const REF_TARGET_CHANGED: Code = code("E0212", "ref-target-changed");
/// A new enum value is JSON-compatible for new readers but breaks exhaustive matches in old code.
pub const NEW_ENUM_VALUE: Code = code("W0201", "new-enum-value");

/// Every code, in id order.
pub const ALL: &[Code] = &[
    JSON_SYNTAX,
    INVALID_FILE_NAME,
    UNSUPPORTED_KEYWORD,
    INVALID_KEYWORD_VALUE,
    UNRESOLVED_REF,
    REF_CYCLE,
    ID_MISMATCH,
    INVALID_WORKFLOW,
    UNKNOWN_STEP,
    WORKFLOW_CYCLE,
    UNKNOWN_CONTRACT,
    DUPLICATE_STEP,
    INVALID_FALLBACK,
    INVALID_RETRY,
    UNKNOWN_RESOURCE,
    CONDITION_SYNTAX,
    CONDITION_UNKNOWN_FIELD,
    CONDITION_TYPE_MISMATCH,
    CONDITION_UNKNOWN_ENUM_VALUE,
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
    NEW_ENUM_VALUE,
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
