use jobs_core::{Scheduler, State, Status, infallible};

use crate::common::{Log, step};

#[tokio::test(start_paused = true)]
async fn independent_jobs_run_together() {
    let log = Log::default();
    let mut s = Scheduler::new();
    let a = s.add(step(log.clone(), "a", 100)).id();
    let b = s.add(step(log.clone(), "b", 200)).id();
    let start = tokio::time::Instant::now();
    let outcome = s.run().await.unwrap();
    assert_eq!(start.elapsed().as_millis(), 200);
    assert_eq!(outcome.value(a), Some(&"a"));
    assert_eq!(outcome.value(b), Some(&"b"));
    assert_eq!(log.entries(), ["a>", "b>", "<a", "<b"]);
}

#[tokio::test(start_paused = true)]
async fn requirement_orders_jobs() {
    let log = Log::default();
    let mut s = Scheduler::new();
    let b1 = s.add(step(log.clone(), "b1", 100)).label("b1").id();
    s.add(step(log.clone(), "b2", 200)).label("b2").requires(b1);
    s.add(step(log.clone(), "b3", 250));
    let start = tokio::time::Instant::now();
    s.run().await.unwrap();
    assert_eq!(start.elapsed().as_millis(), 300);
    assert_eq!(log.entries(), ["b1>", "b3>", "<b1", "b2>", "<b3", "<b2"]);
}

#[tokio::test]
async fn multi_thread_runtime_runs_a_chain() {
    let mut s = Scheduler::new();
    let mut prev = s.add(infallible(async { 0u64 })).id();
    for _ in 0..1000 {
        prev = s
            .add_with(
                (prev,),
                |(n,)| async move { Ok::<_, std::io::Error>(n + 1) },
            )
            .id();
    }
    let outcome = s.run().await.unwrap();
    assert_eq!(outcome.value(prev), Some(&1000));
}

#[tokio::test]
async fn panic_is_a_job_failure() {
    let mut s = Scheduler::new();
    let p = s
        .add(infallible(async { panic!("kaboom") }))
        .noncritical()
        .id();
    let q = s.add(infallible(async { 7 })).requires(p).id();
    let outcome = s.run().await.unwrap();
    match outcome.get(p) {
        Some(Status::Failed(e)) => {
            assert!(e.is_panic());
            assert_eq!(e.to_string(), "panicked: kaboom");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(outcome.value(q), Some(&7));
    assert_eq!(outcome.state(q), Some(State::Done));
}

#[tokio::test]
async fn empty_scheduler_succeeds() {
    let outcome = Scheduler::new().run().await.unwrap();
    assert!(outcome.is_empty());
    assert_eq!(outcome.why(), "FINE");
}
