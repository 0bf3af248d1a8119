//! `contractc graph`: the EURUSD pipeline's DAG and a workflow with every spec feature (the
//! checker's `valid-workflow` case) as Mermaid, DOT and SVG, golden (insta); the SVG read as XML
//! has a box for every step, and the same program draws the same bytes.

use contractc_driver::graph::{Format, render};
use contractc_ir::Program;
use contractc_tests::{case_program, project_program, root};

fn eurusd() -> Program {
    project_program()
}

/// The `valid-workflow` case: a condition, a retry policy, a timeout, a fallback, `depends_on`
/// and a trigger rule.
fn every_feature() -> Program {
    case_program("valid-workflow")
}

/// The first line of each box's label in the SVG (the step's name), from its parsed tree.
fn box_names(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).expect("the SVG is XML");
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|t| t.children().find(|c| c.has_tag_name("tspan")).and_then(|s| s.text()).map(str::to_string))
        .collect()
}

/// `text` as the snapshot `tests/snapshots/graph__<name>.snap`.
fn snapshot(name: &str, text: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!(format!("graph__{name}"), text));
}

#[test]
fn workflows_draw_as_their_snapshots_and_every_step_has_a_box() {
    for (program, workflow) in [(eurusd(), "eurusd_pipeline@1.0"), (every_feature(), "w@1.0")] {
        for (format, ext) in [(Format::Mermaid, "mmd"), (Format::Dot, "dot"), (Format::Svg, "svg")] {
            let picture = render(&program, Some(workflow), format).unwrap();
            assert_eq!(render(&program, Some(workflow), format).unwrap(), picture, "same program, same bytes");
            snapshot(&format!("{workflow}.{ext}"), &picture);
            if format == Format::Svg {
                let names = box_names(&picture);
                let w = program.workflows.iter().find(|w| format!("{}@{}.{}", w.name, w.major, w.minor) == workflow);
                for step in &w.unwrap().steps {
                    assert!(names.contains(&step.name), "no box for step {} in {names:?}", step.name);
                }
            }
        }
    }
}

#[test]
fn the_contracts_graph_has_every_contract_and_its_refs() {
    let program = eurusd();
    let dot = render(&program, None, Format::Dot).unwrap();
    snapshot("contracts.dot", &dot);
    let names = box_names(&render(&program, None, Format::Svg).unwrap());
    for c in &program.contracts {
        assert!(names.contains(&c.id.key()), "no box for {} in {names:?}", c.id.key());
    }
    for w in &program.workflows {
        assert!(names.contains(&format!("{}@{}.{}", w.name, w.major, w.minor)), "no box for workflow {}", w.name);
    }
}

/// The README's picture of the EURUSD DAG is the one `contractc graph` draws today.
#[test]
fn the_readmes_picture_is_current() {
    let path = root().join("docs/eurusd_pipeline@1.0.svg");
    let drawn = render(&eurusd(), Some("eurusd_pipeline@1.0"), Format::Svg).unwrap();
    assert!(
        std::fs::read_to_string(&path).is_ok_and(|committed| committed == drawn),
        "{} is stale: run `cargo run -p contractc -- graph --workflow eurusd_pipeline@1.0 --format svg --out {}`",
        path.display(),
        "docs/eurusd_pipeline@1.0.svg"
    );
}

#[test]
fn an_unknown_workflow_names_the_known_ones() {
    let err = render(&eurusd(), Some("nope@1.0"), Format::Mermaid).unwrap_err();
    assert!(err.contains("eurusd_end_of_day@1.0, eurusd_pipeline@1.0"), "{err}");
}
