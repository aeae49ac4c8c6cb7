use jobs_core::{Scheduler, infallible};

use crate::common::{Log, step};

#[tokio::test(start_paused = true)]
async fn sequence_chains_and_runs_beside_other_jobs() {
    // Example B': (bp1 then bp2) in parallel with a third job.
    let log = Log::default();
    let mut s = Scheduler::new();
    let mut seq = s.sequence();
    seq.add(step(log.clone(), "bp1", 100));
    seq.add(step(log.clone(), "bp2", 200));
    s.add(step(log.clone(), "j3", 250));
    let start = tokio::time::Instant::now();
    s.run().await.unwrap();
    assert_eq!(start.elapsed().as_millis(), 300);
    assert_eq!(
        log.entries(),
        ["bp1>", "j3>", "<bp1", "bp2>", "<j3", "<bp2"]
    );
}

#[tokio::test(start_paused = true)]
async fn requiring_a_sequence_requires_its_last_job() {
    let log = Log::default();
    let mut s = Scheduler::new();
    let mut seq = s.sequence();
    seq.add(step(log.clone(), "a", 10));
    seq.add(step(log.clone(), "b", 10));
    let chain = seq.finish();
    s.add(step(log.clone(), "after", 10)).requires(chain);
    s.run().await.unwrap();
    assert_eq!(log.entries(), ["a>", "<a", "b>", "<b", "after>", "<after"]);
}

#[tokio::test(start_paused = true)]
async fn sequence_requirements_apply_to_its_first_job() {
    let log = Log::default();
    let mut s = Scheduler::new();
    let first = s.add(step(log.clone(), "first", 50)).id();
    let mut seq = s.sequence();
    seq.requires(first);
    seq.add(step(log.clone(), "x", 10));
    seq.add(step(log.clone(), "y", 10));
    s.run().await.unwrap();
    assert_eq!(log.entries(), ["first>", "<first", "x>", "<x", "y>", "<y"]);
}

#[tokio::test]
async fn empty_sequence_requires_nothing() {
    let mut s = Scheduler::new();
    let empty = s.sequence().finish();
    assert!(empty.first().is_none() && empty.last().is_none());
    let j = s.add(infallible(async { 5 })).requires(empty).id();
    assert_eq!(s.run().await.unwrap().value(j), Some(&5));
}
