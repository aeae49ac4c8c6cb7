//! The DOT text a workflow gets at compile time is the runtime's drawing of it.

use jobs_core::workflow;

#[test]
fn the_compile_time_dot_is_the_runtime_one() {
    let flow = workflow! {
        label = "release";
        job fetch { 1 }
        job parse(fetch) { fetch + 1 }
        noncritical job notify requires(parse) {}
        forever job monitor = std::future::pending::<()>();
        sequence warmup requires(fetch) {
            job a { 'a' }
            job b { 'b' }
        }
        scheduler deploy requires(warmup, parse) {
            label = "deployment";
            job push {}
            job roll requires(push) {}
            scheduler {
                job deep {}
            }
        }
        noncritical scheduler empty {}
    };
    assert_eq!(flow.dot(), flow.scheduler().dot());
    assert!(flow.dot().contains("subgraph cluster_"));
    assert!(flow.dot().contains("label=\"release\""));
    assert!(flow.dot().contains(": deployment\""));
}

#[test]
fn the_dot_is_static_text() {
    let flow = workflow! {
        job only { 1 }
    };
    let text: &'static str = flow.dot();
    drop(flow);
    assert_eq!(
        text,
        "digraph workflow{\ncompound=true;\ngraph [];\n\
         1 [style=\"rounded\",label=\"1: only\",shape=\"box\",color=\"red\",penwidth=\"2\"]\n}\n"
    );
}
