//! Golden-file tests of listings, DOT and Mermaid output. Regenerate with
//! `UPDATE_GOLDEN=1 cargo test --test runtime drawing`, then review the diff.

use std::path::PathBuf;
use std::time::Duration;

use jobs_core::{Scheduler, infallible};

fn golden(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with UPDATE_GOLDEN=1)", path.display()));
    assert_eq!(actual, expected, "{name} differs from its golden file");
}

fn noop() -> jobs_core::Infallible<std::future::Ready<()>> {
    infallible(std::future::ready(()))
}

/// The nesting example: a sequence of main-start, a critical nested diamond, main-end;
/// plus a forever monitor and a non-critical report.
fn nested() -> Scheduler {
    let mut sub = Scheduler::new().with_label("critical nested");
    let j1 = sub.add(noop()).label("subj1").id();
    let j2 = sub.add(noop()).label("subj2").requires(j1).id();
    let j3 = sub.add(noop()).label("subj3").requires(j1).id();
    sub.add(noop()).label("subj4").requires(j2).requires(j3);
    let mut main = Scheduler::new();
    let mut seq = main.sequence();
    seq.add(noop()).label("main-start");
    seq.add(sub);
    let end = seq.add(noop()).label("main-end").id();
    main.add(infallible(std::future::pending::<()>()))
        .label("monitor")
        .forever(true)
        .noncritical();
    main.add(noop()).label("report").noncritical().requires(end);
    main.add(Scheduler::new().with_label("empty")).noncritical();
    main
}

#[test]
fn listing_before_a_run() {
    let s = nested();
    golden("nested.list.txt", &s.list());
    golden(
        "nested.list.ascii.txt",
        &s.listing().ascii(true).to_string(),
    );
}

#[test]
fn dot_and_mermaid_before_a_run() {
    let s = nested();
    golden("nested.dot", &s.dot());
    golden("nested.mmd", &s.mermaid());
}

#[tokio::test(start_paused = true)]
async fn listing_and_dot_after_a_failed_run() {
    let mut s = Scheduler::new().with_window(1);
    let begin = s
        .add(infallible(async { 200 }))
        .label("begin")
        .show_value()
        .id();
    let boom = s
        .add(async {
            tokio::time::sleep(Duration::from_millis(10)).await;
            Err::<(), _>(std::io::Error::other("boom after 10ms"))
        })
        .label("boom")
        .noncritical()
        .requires(begin)
        .id();
    s.add_with((boom,), |((),)| async { Ok::<_, std::io::Error>(()) })
        .label("consumer")
        .noncritical();
    let critical = s
        .add(async { Err::<(), _>(std::io::Error::other("fatal")) })
        .label("fatal")
        .requires(boom)
        .id();
    s.add(infallible(async {}))
        .label("never")
        .requires(critical);
    s.add(infallible(async {})).label("queued");
    let failure = s.run().await.unwrap_err();
    golden("failed.list.txt", &failure.outcome.list());
    golden("failed.debrief.txt", &failure.outcome.debrief());
    golden("failed.dot", &failure.outcome.dot());
}
