use jobs_core::{Reason, Scheduler, State, Status, infallible};

use crate::common::{Log, boom, step};

#[tokio::test(start_paused = true)]
async fn critical_failure_aborts_and_keeps_results() {
    // Example F: begin, then boom (critical), then end: end never starts.
    let log = Log::default();
    let mut s = Scheduler::new();
    let mut seq = s.sequence();
    let begin = seq.add(step(log.clone(), "begin", 200)).label("begin").id();
    let boom = seq.add(boom(200)).label("boom").id();
    let end = seq.add(step(log.clone(), "end", 300)).label("end").id();
    let side = s.add(step(log.clone(), "side", 1000)).label("side").id();
    let failure = s.run().await.unwrap_err();
    let (job, error) = failure.critical_job().expect("a critical failure");
    assert_eq!(job, "boom");
    assert_eq!(error.to_string(), "boom after 200ms");
    let outcome = &failure.outcome;
    assert_eq!(outcome.value(begin), Some(&"begin"));
    assert_eq!(outcome.state(boom), Some(State::Failed));
    assert_eq!(outcome.state(end), Some(State::Idle));
    assert_eq!(outcome.state(side), Some(State::Cancelled));
    assert!(!log.entries().contains(&"end>".to_owned()));
    assert!(!log.entries().contains(&"<side".to_owned()));
    assert!(
        outcome
            .why()
            .starts_with("a CRITICAL job has failed: `boom`")
    );
}

#[tokio::test(start_paused = true)]
async fn noncritical_failure_lets_dependents_run() {
    // Example E: the failed job counts as done for jobs that only require it.
    let log = Log::default();
    let mut s = Scheduler::new();
    let mut seq = s.sequence();
    seq.add(step(log.clone(), "begin", 200));
    let boom = seq.add(boom(200)).label("boom").noncritical().id();
    let end = seq.add(step(log.clone(), "end", 300)).id();
    let start = tokio::time::Instant::now();
    let outcome = s.run().await.unwrap();
    assert_eq!(start.elapsed().as_millis(), 700);
    assert_eq!(outcome.state(boom), Some(State::Failed));
    assert_eq!(outcome.value(end), Some(&"end"));
    assert_eq!(outcome.counts().failed, 1);
    assert_eq!(outcome.counts().done, 2);
}

#[tokio::test]
async fn consumers_of_a_failed_output_are_skipped_in_cascade() {
    let mut s = Scheduler::new();
    let bad = s.add(boom(0)).label("bad").noncritical().id();
    let orderly = s.add(infallible(async { 1 })).requires(bad).id();
    let consumer = s
        .add_with((bad,), |((),)| async { Ok::<_, std::io::Error>(2) })
        .label("consumer")
        .noncritical()
        .id();
    let second = s
        .add_with(
            (consumer,),
            |(n,)| async move { Ok::<_, std::io::Error>(n + 1) },
        )
        .noncritical()
        .id();
    let unrelated = s.add(infallible(async { 4 })).id();
    let outcome = s.run().await.unwrap();
    assert_eq!(outcome.value(orderly), Some(&1));
    assert!(matches!(outcome.get(consumer), Some(Status::Skipped)));
    assert!(matches!(outcome.get(second), Some(Status::Skipped)));
    let skipped = outcome.report(second).unwrap().error().unwrap().to_string();
    assert_eq!(skipped, "skipped: its input `consumer` produced no value");
    assert_eq!(outcome.value(unrelated), Some(&4));
    assert_eq!(outcome.counts().skipped, 2);
}

#[tokio::test]
async fn a_critical_consumer_skipped_fails_the_run() {
    let mut s = Scheduler::new();
    let bad = s.add(boom(0)).label("bad").noncritical().id();
    let consumer = s
        .add_with((bad,), |((),)| async { Ok::<_, std::io::Error>(2) })
        .label("consumer")
        .id();
    let failure = s.run().await.unwrap_err();
    let (job, error) = failure.critical_job().unwrap();
    assert_eq!(job, "consumer");
    assert_eq!(
        error.to_string(),
        "skipped: its input `bad` produced no value"
    );
    assert_eq!(failure.outcome.state(consumer), Some(State::Skipped));
}

#[tokio::test(start_paused = true)]
async fn critical_failure_cancels_scheduled_jobs_too() {
    let mut s = Scheduler::new().with_window(1);
    s.add(boom(10)).label("boom");
    let queued = s.add(infallible(async { 1 })).id();
    let failure = s.run().await.unwrap_err();
    assert!(matches!(failure.reason, Reason::Critical { .. }));
    assert_eq!(failure.outcome.state(queued), Some(State::Cancelled));
}

#[tokio::test]
async fn failure_converts_with_question_mark() {
    async fn run() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let mut s = Scheduler::new();
        s.add(boom(0)).label("boom");
        s.run().await?;
        Ok(())
    }
    let error = run().await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "critical job `boom` failed: boom after 0ms"
    );
    let source = error.source().unwrap().to_string();
    assert_eq!(source, "boom after 0ms");
}
