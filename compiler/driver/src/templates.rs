//! The templates the backends render: built into the compiler (the repository's `templates/`
//! folder, compiled in), each overridden by the file of the same name in the project's
//! templates folder when there is one. A project needs no templates folder at all; `contractc
//! templates export DIR` writes the built-in ones out to start editing from.

use std::path::{Path, PathBuf};

use contractc_emit::Templates;

use crate::{Config, Failure, read_tree};

/// Every built-in template: its name (its path inside a templates folder) and its text.
pub const BUILT_IN: &[(&str, &str)] = &[
    ("mql4/contract.mqh.j2", include_str!("../../../templates/mql4/contract.mqh.j2")),
    ("mql4/ctc_json.mqh.j2", include_str!("../../../templates/mql4/ctc_json.mqh.j2")),
    ("mql4/migration.mqh.j2", include_str!("../../../templates/mql4/migration.mqh.j2")),
    ("python/migration.py.j2", include_str!("../../../templates/python/migration.py.j2")),
    ("python/module.py.j2", include_str!("../../../templates/python/module.py.j2")),
    ("python/namespace_init.py.j2", include_str!("../../../templates/python/namespace_init.py.j2")),
    ("python/package_init.py.j2", include_str!("../../../templates/python/package_init.py.j2")),
    ("python/pyproject.toml.j2", include_str!("../../../templates/python/pyproject.toml.j2")),
    ("python/support.py.j2", include_str!("../../../templates/python/support.py.j2")),
];

/// The folder `templates` names when the configuration does not.
pub const DEFAULT_DIR: &str = "templates";

/// The version of the built-in template set: the first 12 hex digits of the SHA-256 of every
/// template's name and text, in order (`contractc --version` prints it).
pub fn version() -> String {
    let all: String = BUILT_IN.iter().map(|(name, text)| format!("{name}\n{}\n{text}", text.len())).collect();
    contractc_emit::sha256_hex(all.as_bytes())[..12].to_string()
}

/// The built-in templates.
pub fn built_in() -> Templates {
    Templates { files: BUILT_IN.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect() }
}

/// The templates of the project at `root`: the built-in ones, each replaced by the file of the
/// same name (`*.j2`) in the templates folder `config` names, and any other `*.j2` file there
/// added. Without a `templates` setting, a missing `templates/` folder means the built-in ones
/// alone; a folder the configuration names must exist.
pub fn read(root: &Path, config: &Config) -> Result<Templates, Failure> {
    let mut templates = built_in();
    let dir = config.templates_dir();
    if config.templates.is_none() && !root.join(dir).is_dir() {
        return Ok(templates);
    }
    if !root.join(dir).is_dir() {
        return Err(Failure::Config(format!(
            "`templates = \"{dir}\"` names no folder; remove the setting to use the built-in templates, or run `contractc templates export {dir}` to start from a copy of them"
        )));
    }
    for (_, name, text) in read_tree(root, dir, "j2")? {
        templates.files.insert(name, text);
    }
    Ok(templates)
}

/// Writes the built-in templates into folder `dir` (created if missing), for editing; refuses
/// to overwrite any file. The paths written, in order.
pub fn export(dir: &Path) -> Result<Vec<PathBuf>, Failure> {
    crate::write_new_files(dir, BUILT_IN)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The built-in templates are the repository's `templates/` folder, every file of it.
    #[test]
    fn the_built_in_templates_are_the_templates_folder() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let on_disk: Vec<(String, String)> =
            read_tree(&root, DEFAULT_DIR, "j2").unwrap().into_iter().map(|(_, name, text)| (name, text)).collect();
        let built_in: Vec<(String, String)> = built_in().files.into_iter().collect();
        assert_eq!(built_in, on_disk, "list every file of templates/ in BUILT_IN");
    }

    #[test]
    fn a_folder_overrides_file_by_file_and_a_named_missing_folder_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let none = Config::parse("").unwrap();
        assert_eq!(read(dir.path(), &none).unwrap(), built_in(), "no folder: the built-in ones");
        let named = Config::parse("templates = \"mine\"").unwrap();
        assert!(matches!(read(dir.path(), &named), Err(Failure::Config(m)) if m.contains("templates export mine")));

        let written = export(&dir.path().join("mine")).unwrap();
        assert_eq!(written.len(), BUILT_IN.len());
        assert!(export(&dir.path().join("mine")).is_err(), "never overwrites");
        std::fs::write(dir.path().join("mine/python/module.py.j2"), "{# mine #}").unwrap();
        let mine = read(dir.path(), &named).unwrap();
        assert_eq!(mine.files["python/module.py.j2"], "{# mine #}");
        assert_eq!(mine.files.len(), BUILT_IN.len());
        assert_eq!(mine.files["mql4/contract.mqh.j2"], built_in().files["mql4/contract.mqh.j2"]);
    }
}
