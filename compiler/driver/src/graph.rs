//! `contractc graph`: a workflow's DAG (steps, the messages they pass, conditions, `depends_on`
//! order, fallbacks, trigger rules and retry policies), or the project's contracts (versions, the
//! contracts each one's `$ref`s reach, and the workflows whose steps emit them), as Mermaid
//! (`flowchart`), Graphviz DOT, or SVG laid out and drawn in process from the DOT by `layout-rs`
//! (no Graphviz needed). Same program, same bytes.

use std::fmt::Write;

use contractc_ir::{Program, TriggerRule, Workflow};

/// What `contractc graph` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A Mermaid `flowchart` (GitHub and most Markdown viewers draw it).
    Mermaid,
    /// Graphviz DOT.
    Dot,
    /// An SVG picture of the DOT, drawn in process.
    Svg,
}

/// A graph to draw: boxes and the arrows between them, in a fixed order.
#[derive(Debug, Default)]
struct Graph {
    title: String,
    nodes: Vec<Node>,
    edges: Vec<Edge>,
}

#[derive(Debug)]
struct Node {
    /// The lines of its label, the first its name.
    lines: Vec<String>,
    kind: NodeKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum NodeKind {
    Step,
    /// A step that runs only when another fails for good.
    Fallback,
    Contract,
    Workflow,
}

#[derive(Debug)]
struct Edge {
    from: usize,
    to: usize,
    label: Option<String>,
    kind: EdgeKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum EdgeKind {
    /// Messages: a step's output read as an input, or a `$ref`.
    Data,
    /// Order without messages: `depends_on`, or a workflow that uses a contract.
    Order,
    /// To the fallback that runs when the step fails for good.
    Fallback,
}

/// The DAG of `workflow`: a box per step (its output contract, trigger rule, retry policy and
/// timeout under its name), an arrow per input (named, with the condition that filters it), a
/// dashed arrow per `depends_on`, and one to each fallback.
fn workflow_graph(program: &Program, workflow: &Workflow) -> Graph {
    let mut g = Graph { title: format!("{}@{}.{}", workflow.name, workflow.major, workflow.minor), ..Graph::default() };
    for s in &workflow.steps {
        let mut lines = vec![s.name.clone()];
        if let Some(o) = &s.output {
            let stream = if o.stream { " (stream)" } else { "" };
            lines.push(format!("→ {}{stream}", program.contracts[o.contract].id.key()));
        }
        match s.trigger {
            TriggerRule::AllSuccess => {}
            TriggerRule::AllDone => lines.push("trigger: all_done".into()),
            TriggerRule::OneFailed => lines.push("trigger: one_failed".into()),
            TriggerRule::Always => lines.push("trigger: always".into()),
        }
        if let Some(r) = &s.retry {
            lines.push(format!("retry: {} attempts", r.max_attempts));
        }
        if let Some(ms) = s.timeout_ms {
            lines.push(format!("timeout: {}", duration(ms)));
        }
        let kind = if s.fallback_for.is_some() { NodeKind::Fallback } else { NodeKind::Step };
        g.nodes.push(Node { lines, kind });
    }
    for (i, s) in workflow.steps.iter().enumerate() {
        for (k, input) in s.inputs.iter().enumerate() {
            let when = s.when.as_ref().filter(|c| c.input == k).map(|c| format!(" when {}", c.source));
            let label = Some(format!("{}{}", input.name, when.unwrap_or_default()));
            g.edges.push(Edge { from: input.from, to: i, label, kind: EdgeKind::Data });
        }
        for &n in s.needs.iter().filter(|&&n| !s.inputs.iter().any(|input| input.from == n)) {
            // A fallback waits for the step it stands in for; its own arrow shows that.
            if s.fallback_for != Some(n) {
                g.edges.push(Edge { from: n, to: i, label: None, kind: EdgeKind::Order });
            }
        }
        if let Some(f) = s.fallback {
            g.edges.push(Edge { from: i, to: f, label: Some("on failure".into()), kind: EdgeKind::Fallback });
        }
    }
    g
}

/// The project's contracts: a box per contract version, an arrow to each contract its `$ref`s
/// reach, and a box per workflow with a dashed arrow to each contract its steps emit.
fn contracts_graph(program: &Program) -> Graph {
    let mut g = Graph { title: "contracts".into(), ..Graph::default() };
    for c in &program.contracts {
        g.nodes.push(Node { lines: vec![c.id.key()], kind: NodeKind::Contract });
    }
    for (i, c) in program.contracts.iter().enumerate() {
        let mut reached: Vec<usize> = c.types.iter().flat_map(|t| t.kind.refs()).map(|r| r.contract).collect();
        reached.sort_unstable();
        reached.dedup();
        for to in reached.into_iter().filter(|&to| to != i) {
            g.edges.push(Edge { from: i, to, label: None, kind: EdgeKind::Data });
        }
    }
    for w in &program.workflows {
        let node = g.nodes.len();
        g.nodes.push(Node { lines: vec![format!("{}@{}.{}", w.name, w.major, w.minor)], kind: NodeKind::Workflow });
        let mut emitted: Vec<usize> = w.steps.iter().filter_map(|s| s.output.as_ref().map(|o| o.contract)).collect();
        emitted.sort_unstable();
        emitted.dedup();
        for to in emitted {
            g.edges.push(Edge { from: node, to, label: None, kind: EdgeKind::Order });
        }
    }
    g
}

/// `ms` as the workflow spec writes durations (`250ms`, `30s`, `5m`, `1h`).
fn duration(ms: u64) -> String {
    match ms {
        ms if ms % 3_600_000 == 0 => format!("{}h", ms / 3_600_000),
        ms if ms % 60_000 == 0 => format!("{}m", ms / 60_000),
        ms if ms % 1_000 == 0 => format!("{}s", ms / 1_000),
        ms => format!("{ms}ms"),
    }
}

/// Mermaid's `flowchart TD`: a label is a quoted string, where `"` is written `#quot;` (Mermaid's
/// entity codes) and lines are joined by `<br/>`.
fn mermaid(g: &Graph) -> String {
    let text = |s: &str| s.replace('"', "#quot;").replace('<', "#lt;").replace('>', "#gt;");
    let mut out = format!("---\ntitle: {}\n---\nflowchart TD\n", g.title);
    for (i, n) in g.nodes.iter().enumerate() {
        let label = n.lines.iter().map(|l| text(l)).collect::<Vec<_>>().join("<br/>");
        let (open, close) = match n.kind {
            NodeKind::Step | NodeKind::Contract => ("[", "]"),
            NodeKind::Fallback => ("[/", "/]"),
            NodeKind::Workflow => ("([", "])"),
        };
        let _ = writeln!(out, "    n{i}{open}\"{label}\"{close}");
    }
    for e in &g.edges {
        let arrow = match e.kind {
            EdgeKind::Data => "-->",
            EdgeKind::Order => "-.->",
            EdgeKind::Fallback => "==>",
        };
        match &e.label {
            Some(l) => {
                let _ = writeln!(out, "    n{} {arrow}|\"{}\"| n{}", e.from, text(l), e.to);
            }
            None => {
                let _ = writeln!(out, "    n{} {arrow} n{}", e.from, e.to);
            }
        }
    }
    out
}

/// Graphviz DOT (The DOT Language: a quoted ID escapes `"` and `\`; `\n` breaks a label's line).
/// Every label has one font size, the one `layout-rs` gives the points it routes long arrows
/// through, so that its SVG has one text style (it keeps them in a hash map, in no fixed order).
fn dot(g: &Graph) -> String {
    let text = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
    let mut out = format!("digraph \"{}\" {{\n    rankdir=TB;\n    node [shape=box, fontsize=15];\n", text(&g.title));
    for (i, n) in g.nodes.iter().enumerate() {
        let label = n.lines.iter().map(|l| text(l)).collect::<Vec<_>>().join("\\n");
        let look = match n.kind {
            NodeKind::Step | NodeKind::Contract => "",
            NodeKind::Fallback => ", color=\"orange\"",
            NodeKind::Workflow => ", shape=Mrecord",
        };
        let _ = writeln!(out, "    n{i} [label=\"{label}\"{look}];");
    }
    for e in &g.edges {
        let mut attrs: Vec<String> = vec!["fontsize=15".into()];
        if let Some(l) = &e.label {
            attrs.push(format!("label=\"{}\"", text(l)));
        }
        match e.kind {
            EdgeKind::Data => {}
            EdgeKind::Order => attrs.push("style=dashed".into()),
            EdgeKind::Fallback => attrs.push("color=\"orange\"".into()),
        }
        let _ = writeln!(out, "    n{} -> n{} [{}];", e.from, e.to, attrs.join(", "));
    }
    out.push_str("}\n");
    out
}

/// The DOT drawn as SVG by `layout-rs`.
fn svg(g: &Graph) -> String {
    use layout::backends::svg::SVGWriter;
    use layout::gv::{DotParser, GraphBuilder};
    let text = dot(g);
    let ast = DotParser::new(&text).process().expect("the DOT that `dot` writes parses");
    let mut builder = GraphBuilder::new();
    builder.visit_graph(&ast);
    let mut svg = SVGWriter::new();
    builder.get().do_it(false, false, false, &mut svg);
    svg.finalize()
}

/// The graph of `workflow` (`name@MAJOR.MINOR`), or of the contracts when it is `None`, in
/// `format`. `Err`: no such workflow, with the names there are.
pub fn render(program: &Program, workflow: Option<&str>, format: Format) -> Result<String, String> {
    let g = match workflow {
        None => contracts_graph(program),
        Some(wanted) => {
            let name = |w: &Workflow| format!("{}@{}.{}", w.name, w.major, w.minor);
            match program.workflows.iter().find(|w| name(w) == wanted) {
                Some(w) => workflow_graph(program, w),
                None => {
                    let known: Vec<String> = program.workflows.iter().map(name).collect();
                    let known = if known.is_empty() { "none".to_string() } else { known.join(", ") };
                    return Err(format!("no workflow `{wanted}` in this project (its workflows: {known})"));
                }
            }
        }
    };
    Ok(match format {
        Format::Mermaid => mermaid(&g),
        Format::Dot => dot(&g),
        Format::Svg => svg(&g),
    })
}
