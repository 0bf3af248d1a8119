//! `contractc export argo`, golden (insta): the EURUSD pipeline and a workflow with every spec
//! feature (the checker's `valid-workflow` case), as the YAML it writes. Argo's own schema and
//! the DAG checks run on the same exports in tests/python/test_argo.py.

use contractc_driver::argo::{Target, export, files};
use contractc_tests::{case_program, project_program};

fn target() -> Target {
    Target {
        image: "registry.test/trading:1".into(),
        plans: "/ctc/plans".into(),
        namespace: Some("trading".into()),
        service_account: Some("workflows".into()),
    }
}

#[test]
fn workflows_export_as_their_snapshots() {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    for (program, workflow) in [(project_program(), "eurusd_pipeline"), (case_program("valid-workflow"), "w")] {
        let w = program.workflows.iter().find(|w| w.name == workflow).expect("the workflow");
        let exported = export(w, &target());
        let written = files(std::slice::from_ref(&exported));
        for f in written.iter().filter(|f| f.path.ends_with(".yaml")) {
            let text = String::from_utf8(f.contents.to_vec()).unwrap();
            settings.bind(|| insta::assert_snapshot!(format!("argo__{}", f.path), text));
        }
        settings.bind(|| insta::assert_snapshot!(format!("argo__{workflow}.notes"), exported.notes.join("\n")));
    }
}
