//! `contractc.toml`: where the inputs are, where output goes, which backends run.
//!
//! ```toml
//! contracts = "contracts"     # contracts/<namespace>/<Name>@<MAJOR>.<MINOR>.json and workflows/
//! templates = "templates"     # optional: *.j2 files here override the built-in templates
//! output = "generated"        # everything generated goes here, nowhere else
//! backends = ["rust", "python", "mql4", "plan"]
//!
//! [rust]
//! crate = "trading-contracts"
//!
//! [python]
//! package = "trading_contracts"
//!
//! [argo]                                # `contractc export argo` (all optional)
//! image = "registry.example/trading:1.4" # holds `runtime`, the plans and the steps' programs
//! plans = "/ctc/plans"                  # where the plans are in the image
//! namespace = "trading"
//! service_account = "workflows"
//! out = "argo"                          # the folder the export writes
//!
//! [compatibility]                       # between the minors of a contract (buf / Confluent names)
//! default = "BACKWARD_TRANSITIVE"       # BACKWARD, FORWARD, FULL, their _TRANSITIVE forms, NONE
//! "events/OrderIntent" = "FULL"         # per contract: namespace/Name
//! ```

use std::collections::BTreeMap;

use serde::Deserialize;

use contractc_emit::Options;
use contractc_sema::{Compatibility, Policies};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Rust,
    Python,
    Mql4,
    Plan,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default = "default_contracts")]
    pub contracts: String,
    /// The templates folder that overrides the built-in templates file by file
    /// (`templates::read`); unset, `templates/` when it exists.
    #[serde(default)]
    pub templates: Option<String>,
    #[serde(default = "default_output")]
    pub output: String,
    #[serde(default = "default_backends")]
    pub backends: Vec<Backend>,
    #[serde(default)]
    pub rust: RustConfig,
    #[serde(default)]
    pub python: PythonConfig,
    #[serde(default)]
    pub argo: ArgoConfig,
    /// `default` and `namespace/Name` → a compatibility policy.
    #[serde(default)]
    pub compatibility: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RustConfig {
    #[serde(rename = "crate", default = "default_crate")]
    pub crate_name: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PythonConfig {
    #[serde(default = "default_package")]
    pub package: String,
}

/// `[argo]`: the defaults of `contractc export argo` (its options override them).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArgoConfig {
    #[serde(default = "default_image")]
    pub image: String,
    #[serde(default = "default_plans")]
    pub plans: String,
    #[serde(default)]
    pub namespace: Option<String>,
    #[serde(default)]
    pub service_account: Option<String>,
    #[serde(default = "default_argo_out")]
    pub out: String,
}

impl Default for ArgoConfig {
    fn default() -> Self {
        ArgoConfig {
            image: default_image(),
            plans: default_plans(),
            namespace: None,
            service_account: None,
            out: default_argo_out(),
        }
    }
}

fn default_image() -> String {
    "contractc-runtime:latest".into()
}
fn default_plans() -> String {
    "/ctc/plans".into()
}
fn default_argo_out() -> String {
    "argo".into()
}

fn default_contracts() -> String {
    "contracts".into()
}
fn default_output() -> String {
    "generated".into()
}
fn default_backends() -> Vec<Backend> {
    vec![Backend::Rust, Backend::Python, Backend::Mql4, Backend::Plan]
}
fn default_crate() -> String {
    Options::default().rust_crate
}
fn default_package() -> String {
    Options::default().python_package
}

impl Default for RustConfig {
    fn default() -> Self {
        RustConfig { crate_name: default_crate() }
    }
}

impl Default for PythonConfig {
    fn default() -> Self {
        PythonConfig { package: default_package() }
    }
}

impl Config {
    /// Parses `contractc.toml`; the error says which key is wrong.
    pub fn parse(text: &str) -> Result<Config, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    /// The compatibility policies; an unknown policy name is an error naming it.
    pub fn policies(&self) -> Result<Policies, String> {
        let mut p = Policies::default();
        for (subject, name) in &self.compatibility {
            let c = Compatibility::parse(name).ok_or_else(|| {
                format!("[compatibility] {subject} = \"{name}\": use BACKWARD, FORWARD, FULL, their _TRANSITIVE forms, or NONE")
            })?;
            if subject == "default" {
                p.default = c;
            } else {
                p.contracts.push((subject.clone(), c));
            }
        }
        Ok(p)
    }

    /// The templates folder: the one `templates` names, else `templates/` (which may not exist).
    pub fn templates_dir(&self) -> &str {
        self.templates.as_deref().unwrap_or(crate::templates::DEFAULT_DIR)
    }

    pub fn options(&self) -> Options {
        Options { rust_crate: self.rust.crate_name.clone(), python_package: self.python.package.clone() }
    }
}
