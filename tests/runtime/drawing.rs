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

#[tokio::test(start_paused = true)]
async fn listing_during_a_run() {
    let mut inner = Scheduler::new().with_label("inner");
    // Async blocks: a `sleep` made now would count from now, not from the job's start.
    inner
        .add(infallible(async {
            tokio::time::sleep(Duration::from_millis(100)).await
        }))
        .label("deep");
    let mut s = Scheduler::new().with_window(1);
    let a = s
        .add(infallible(async {
            tokio::time::sleep(Duration::from_millis(50)).await
        }))
        .label("a")
        .id();
    s.add(inner).requires(a);
    s.add(infallible(async {})).label("queued");
    let mut live = s.live();
    let run = tokio::spawn(s.run());
    tokio::time::sleep(Duration::from_millis(10)).await;
    assert_eq!(
        live.update().list(),
        "1 ⚠ ☉ ↺   <Job `a`> [not done]\n\
         2 ⚠   ⚐   <Scheduler `inner`> [not done] requires={1} -> entries={3}\n\
         3 ⚠   ⚐   > <Job `deep`> [not done]\n\
         2 --end-- < <Scheduler `inner`> exits={3}\n\
         4 ⚠   ⚑   <Job `queued`> [not done]\n"
    );
    // `queued` was ready first: it took the slot when `a` ended, then `inner`.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        live.update().list(),
        "1 ⚠ ☉ ☓   <Job `a`> [done]\n\
         2 ⚠ ☉ ↺   <Scheduler `inner`> [not done] requires={1} -> entries={3}\n\
         3 ⚠ ☉ ↺   > <Job `deep`> [not done]\n\
         2 --end-- < <Scheduler `inner`> exits={3}\n\
         4 ⚠ ☉ ☓   <Job `queued`> [done]\n"
    );
    run.await.unwrap().unwrap();
    assert_eq!(live.update().counts().done, 3);
}
