//! The meaning of a decoded [`Plan`], checked before the runtime trusts it: after [`verify`]
//! every index the runtime follows is in range and every name it turns into a path stays inside
//! the run directory.
//!
//! Checks (the first failure is reported):
//! - The workflow name (the default run directory is `.runs/<workflow>`), each step name (its
//!   folder in the run directory) and each input name (`<step>/input-<name>.jsonl`) is one path
//!   segment: not empty, not `.` or `..`, without `/`, `\` or a control character (NUL among
//!   them), and short enough for a file name ([`NAME_MAX`] bytes, with what the runtime adds).
//! - Step names are unique and none is a file the run directory keeps ([`RESERVED`]).
//! - Every step has a program to run.
//! - Steps are listed in dependency order: each step a step needs, reads an input from or
//!   stands in for (`fallback_for`) is listed before it, so the steps form a DAG.
//! - Each input reads a step that the step needs; no two inputs of a step share their
//!   environment variable `CTC_INPUT_<NAME>` (nor contain `=`).
//! - A condition reads one of its step's inputs; an output names a validator; resources exist.
//! - An input with a conversion reads a step that has an output, names at least one migration,
//!   each in range, and a validator; every migration op has a non-empty path.
//! - `fallback` and `fallback_for` name each other: a step's fallback stands in for it, and a
//!   step stands in only for a step whose fallback it is.
//! - Every validator has a root node, every node a keyword refers to exists, and no node applies
//!   itself to the same value through `allOf`/`anyOf`/`oneOf` (validating would never end).

use std::collections::HashMap;

use super::{Keyword, Migration, MigrationOp, Node, Plan, PlanError, Step, Validator};

/// The longest file name, in bytes (Linux `NAME_MAX`).
const NAME_MAX: usize = 255;

/// Files the runtime keeps in the run directory (`run.rs`: the journal; `main.rs`: the run
/// report): no step's folder may take their name.
const RESERVED: [&str; 2] = ["journal", "report.json"];

/// What the runtime adds around an input's name to name its filtered copy.
const INPUT_FILE: (&str, &str) = ("input-", ".jsonl");

/// `Ok` when `plan` means something the runtime can run; otherwise [`PlanError::Invalid`] with
/// `plan: ` and what is wrong where, e.g. `plan: step "b" needs step 7, but the plan has 3 steps`.
pub(super) fn verify(plan: &Plan) -> Result<(), PlanError> {
    check(plan).map_err(|e| PlanError::Invalid(format!("plan: {e}")))
}

fn check(plan: &Plan) -> Result<(), String> {
    segment("workflow name", &plan.workflow, "", 0)?;
    let mut names: HashMap<&str, usize> = HashMap::new();
    for (i, step) in plan.steps.iter().enumerate() {
        check_step(plan, i, step)?;
        if let Some(first) = names.insert(&step.name, i) {
            return Err(format!("steps {first} and {i} are both named {:?}", step.name));
        }
    }
    plan.migrations.iter().try_for_each(check_migration)?;
    plan.validators.iter().try_for_each(check_validator)
}

/// Every op of a migration names a member: no path is empty.
fn check_migration(m: &Migration) -> Result<(), String> {
    for (i, op) in m.ops.iter().enumerate() {
        let paths: &[&Vec<String>] = match op {
            MigrationOp::Move { from, to } => &[from, to],
            MigrationOp::Add { path, .. } | MigrationOp::Remove { path } | MigrationOp::EnumMap { path, .. } => &[path],
        };
        if paths.iter().any(|p| p.is_empty()) {
            return Err(format!("op {} of migration {:?} has an empty path: it names no member", i + 1, m.name));
        }
    }
    Ok(())
}

fn check_step(plan: &Plan, i: usize, step: &Step) -> Result<(), String> {
    let name = &step.name;
    segment("step name", name, "", 0)?;
    if RESERVED.contains(&name.as_str()) {
        return Err(format!("step name {name:?} is reserved: the run directory keeps its own {name:?}"));
    }
    if step.run.is_empty() {
        return Err(format!("step {name:?} has an empty `run`: no program to start"));
    }
    for &d in &step.needs {
        earlier(plan, i, d, &format!("step {name:?} needs"))?;
    }
    let mut variables: HashMap<String, &str> = HashMap::new();
    for input in &step.inputs {
        let (prefix, suffix) = INPUT_FILE;
        segment("input name", &input.name, &format!(" of step {name:?}"), prefix.len() + suffix.len())?;
        let this = format!("input {:?} of step {name:?}", input.name);
        if input.name.contains('=') {
            return Err(format!("{this} cannot name an environment variable: it contains `=`"));
        }
        let variable = format!("CTC_INPUT_{}", input.name.to_ascii_uppercase());
        if let Some(other) = variables.insert(variable.clone(), &input.name) {
            return Err(format!("inputs {other:?} and {:?} of step {name:?} are both ${variable}", input.name));
        }
        let from = earlier(plan, i, input.from, &format!("{this} reads"))?;
        if !step.needs.contains(&input.from) {
            let producer = &plan.steps[from].name;
            return Err(format!("{this} reads step {from} ({producer:?}), which step {name:?} does not need"));
        }
        if let Some(c) = &input.conversion {
            if plan.steps[from].output.is_none() {
                let producer = &plan.steps[from].name;
                return Err(format!("{this} converts the messages of step {from} ({producer:?}), which has no output"));
            }
            if c.migrations.is_empty() {
                return Err(format!("{this} converts its messages through no migration"));
            }
            for &m in &c.migrations {
                index(m, plan.migrations.len(), "migration", "plan", &format!("{this} is carried by"))?;
            }
            index(c.validator, plan.validators.len(), "validator", "plan", &format!("{this} is checked by"))?;
        }
    }
    if let Some(c) = &step.when {
        index(c.input, step.inputs.len(), "input", "step", &format!("the condition of step {name:?} reads"))?;
    }
    if let Some(o) = &step.output {
        let what = format!("the output of step {name:?} is checked by");
        index(o.validator, plan.validators.len(), "validator", "plan", &what)?;
    }
    if let Some(f) = step.fallback {
        let f = index(f, plan.steps.len(), "step", "plan", &format!("step {name:?} falls back to"))?;
        if plan.steps[f].fallback_for != Some(i as u32) {
            let fallback = &plan.steps[f].name;
            return Err(format!("step {name:?} falls back to step {f} ({fallback:?}), which does not stand in for it"));
        }
    }
    if let Some(p) = step.fallback_for {
        let p = earlier(plan, i, p, &format!("step {name:?} stands in for"))?;
        if plan.steps[p].fallback != Some(i as u32) {
            let primary = &plan.steps[p].name;
            return Err(format!("step {name:?} stands in for step {p} ({primary:?}), which does not fall back to it"));
        }
    }
    for &r in &step.resources {
        index(r, plan.resources.len(), "resource", "plan", &format!("step {name:?} uses"))?;
    }
    Ok(())
}

fn check_validator(v: &Validator) -> Result<(), String> {
    let at = format!("validator {:?}", v.contract);
    if v.nodes.is_empty() {
        return Err(format!("{at} has no nodes (node 0 is its root)"));
    }
    // One walk over every reference: in range, and the in-place ones kept for the cycle check.
    let mut in_place: Vec<Vec<usize>> = vec![Vec::new(); v.nodes.len()];
    for (i, node) in v.nodes.iter().enumerate() {
        let keywords = match node {
            Node::Bool(_) => continue,
            Node::Keywords(keywords) => keywords,
        };
        for r in keywords.iter().filter_map(refs) {
            let what = format!("{at}: node {i}'s `{}` refers to", r.keyword);
            for &n in &r.nodes {
                let n = index(n, v.nodes.len(), "node", "validator", &what)?;
                if r.in_place {
                    in_place[i].push(n);
                }
            }
        }
    }
    match find_cycle(&in_place) {
        Some(cycle) => {
            let path: Vec<String> = cycle.iter().map(usize::to_string).collect();
            Err(format!(
                "{at}: nodes {} apply each other to the same value (`allOf`, `anyOf`, `oneOf`) in a cycle: validating would never end",
                path.join(" → ")
            ))
        }
        None => Ok(()),
    }
}

/// The nodes one keyword refers to.
struct Refs {
    /// The keyword's name in JSON Schema.
    keyword: &'static str,
    nodes: Vec<u32>,
    /// The nodes apply to the instance itself, not to its members, items or member names.
    in_place: bool,
}

/// The nodes `k` refers to; `None` for an assertion.
fn refs(k: &Keyword) -> Option<Refs> {
    let (keyword, nodes, in_place) = match k {
        Keyword::Type(_)
        | Keyword::Enum(_)
        | Keyword::Maximum(_)
        | Keyword::ExclusiveMaximum(_)
        | Keyword::Minimum(_)
        | Keyword::ExclusiveMinimum(_)
        | Keyword::MaxLength(_)
        | Keyword::MinLength(_)
        | Keyword::MaxItems(_)
        | Keyword::MinItems(_)
        | Keyword::UniqueItems
        | Keyword::Required(_)
        | Keyword::DependentRequired(_)
        | Keyword::MaxContains(_)
        | Keyword::MinContains(_)
        | Keyword::MaxProperties(_)
        | Keyword::MinProperties(_)
        | Keyword::Pattern(_)
        | Keyword::Format(_)
        | Keyword::MultipleOf(_)
        | Keyword::Default(_) => return None,
        Keyword::Properties(p) => ("properties", p.iter().map(|(_, n)| *n).collect(), false),
        Keyword::PatternProperties(p) => ("patternProperties", p.iter().map(|(_, n)| *n).collect(), false),
        Keyword::AdditionalProperties(n) => ("additionalProperties", vec![*n], false),
        Keyword::PropertyNames(n) => ("propertyNames", vec![*n], false),
        Keyword::PrefixItems(n) => ("prefixItems", n.clone(), false),
        Keyword::Items(n) => ("items", vec![*n], false),
        Keyword::Contains(n) => ("contains", vec![*n], false),
        Keyword::AllOf(n) => ("allOf", n.clone(), true),
        Keyword::AnyOf(n) => ("anyOf", n.clone(), true),
        Keyword::OneOf(n) => ("oneOf", n.clone(), true),
    };
    Some(Refs { keyword, nodes, in_place })
}

/// `i` as an index below `len`; otherwise `{what} {noun} {i}, but the {owner} has {len} {noun}s`.
fn index(i: u32, len: usize, noun: &str, owner: &str, what: &str) -> Result<usize, String> {
    let i = i as usize;
    if i < len {
        return Ok(i);
    }
    let s = if len == 1 { "" } else { "s" };
    Err(format!("{what} {noun} {i}, but the {owner} has {len} {noun}{s}"))
}

/// Step `d`, which step `i` depends on: in range and listed before `i`.
fn earlier(plan: &Plan, i: usize, d: u32, what: &str) -> Result<usize, String> {
    let d = index(d, plan.steps.len(), "step", "plan", what)?;
    if d >= i {
        let (dependency, step) = (&plan.steps[d].name, &plan.steps[i].name);
        return Err(format!(
            "{what} step {d} ({dependency:?}), which is not listed before step {step:?} (a plan lists every step after the steps it depends on)"
        ));
    }
    Ok(d)
}

/// `name` as one path segment, with `extra` bytes the runtime adds around it; otherwise
/// `{what} "{name}"{whose} is not a single path segment: {why}`.
fn segment(what: &str, name: &str, whose: &str, extra: usize) -> Result<(), String> {
    let why = if name.is_empty() {
        "it is empty".to_string()
    } else if name == "." || name == ".." {
        "it names a folder, not a file".to_string()
    } else if let Some(c) = name.chars().find(|&c| c == '/' || c == '\\' || c.is_control()) {
        match c {
            '/' | '\\' => format!("it contains `{c}`"),
            _ => format!("it contains the control character U+{:04X}", c as u32),
        }
    } else if name.len() + extra > NAME_MAX {
        format!("it is {} bytes long, more than {}", name.len(), NAME_MAX - extra)
    } else {
        return Ok(());
    };
    Err(format!("{what} {name:?}{whose} is not a single path segment: {why}"))
}

/// A cycle of the graph `edges` (node → nodes), as a path from a node back to itself. Iterative:
/// a long chain of nodes does not exhaust the stack.
fn find_cycle(edges: &[Vec<usize>]) -> Option<Vec<usize>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    let mut mark = vec![Mark::New; edges.len()];
    // The open path: each node with the index of its next edge to follow.
    let mut path: Vec<(usize, usize)> = Vec::new();
    for root in 0..edges.len() {
        if mark[root] != Mark::New {
            continue;
        }
        mark[root] = Mark::Open;
        path.push((root, 0));
        while let Some(&(node, next)) = path.last() {
            let Some(&to) = edges[node].get(next) else {
                mark[node] = Mark::Done;
                path.pop();
                continue;
            };
            if let Some(top) = path.last_mut() {
                top.1 += 1;
            }
            match mark[to] {
                Mark::New => {
                    mark[to] = Mark::Open;
                    path.push((to, 0));
                }
                Mark::Open => {
                    let start = path.iter().position(|&(n, _)| n == to).unwrap_or(0);
                    let mut cycle: Vec<usize> = path[start..].iter().map(|&(n, _)| n).collect();
                    cycle.push(to);
                    return Some(cycle);
                }
                Mark::Done => {}
            }
        }
    }
    None
}
