//! The timeout: one deadline per scheduler from the start of its run; on expiry the
//! pending jobs are cancelled and the finished ones keep their results.

use jobs_core::{JobErrorKind, Reason, Scheduler, State};
use tokio::time::Instant;

use crate::common::{End, Trace, ms, ms_since};

#[tokio::test(start_paused = true)]
async fn a_timeout_keeps_finished_jobs_results() {
    // asynciojobs' test_timeout2: jobs of 1 s, 2 s and 10 s with a timeout of 3 s.
    let trace = Trace::new();
    let mut s = Scheduler::new().with_timeout(ms(3000));
    let one = s.add(trace.job("one", 1000)).id();
    let two = s.add(trace.job("two", 2000)).id();
    let ten = s.add(trace.job("ten", 10_000)).id();
    let bad = s.add(trace.run("bad", 500, End::Err)).noncritical().id();
    let start = Instant::now();
    let failure = s.run().await.unwrap_err();
    assert_eq!(ms_since(start), 3000);
    assert!(failure.is_timeout());
    assert!(matches!(failure.reason, Reason::Timeout(d) if d == ms(3000)));
    let outcome = &failure.outcome;
    assert_eq!(outcome.elapsed(), ms(3000));
    assert_eq!(outcome.value(one), Some(&"one"));
    assert_eq!(outcome.value(two), Some(&"two"));
    assert_eq!(outcome.state(ten), Some(State::Cancelled));
    assert_eq!(
        outcome.report(bad).unwrap().error().unwrap().to_string(),
        "bad failed"
    );
    assert_eq!(outcome.why(), "TIMED OUT after 3s");
    assert_eq!(trace.live.now(), 0, "a cancelled job is still running");
    assert!(!trace.has("<ten"));
}

#[tokio::test(start_paused = true)]
async fn a_timeout_cancels_running_and_scheduled_jobs_and_leaves_idle_ones() {
    let trace = Trace::new();
    let mut s = Scheduler::new().with_window(1).with_timeout(ms(500));
    let running = s.add(trace.job("running", 1000)).id();
    let scheduled = s.add(trace.job("scheduled", 100)).id();
    let idle = s.add(trace.job("idle", 100)).requires(running).id();
    let failure = s.run().await.unwrap_err();
    assert!(failure.is_timeout());
    let outcome = &failure.outcome;
    assert_eq!(outcome.state(running), Some(State::Cancelled));
    assert_eq!(outcome.state(scheduled), Some(State::Cancelled));
    assert_eq!(outcome.state(idle), Some(State::Idle));
    assert_eq!(trace.names(), ["running>"]);
    assert_eq!(trace.live.now(), 0);
}

#[tokio::test(start_paused = true)]
async fn the_deadline_starts_with_the_run_not_with_the_build() {
    let trace = Trace::new();
    let mut s = Scheduler::new().with_timeout(ms(500));
    let job = s.add(trace.job("job", 400)).id();
    tokio::time::sleep(ms(1000)).await;
    let outcome = s.run().await.unwrap();
    assert_eq!(outcome.value(job), Some(&"job"));
    assert_eq!(outcome.elapsed(), ms(400));
}

#[tokio::test(start_paused = true)]
async fn nested_scheduler_own_timeout() {
    // `inner` starts at 100 ms, after `a`; its deadline is its own: 200 ms from its
    // start, whatever the parent's. Non-critical, its timeout lets `b` run.
    let trace = Trace::new();
    let mut inner = Scheduler::new().with_label("inner").with_timeout(ms(200));
    let slow = inner.add(trace.job("slow", 1000)).id();
    let mut s = Scheduler::new().with_timeout(ms(10_000));
    let a = s.add(trace.job("a", 100)).id();
    let inner = s.add(inner).requires(a).noncritical().id();
    s.add(trace.job("b", 100)).requires(inner);
    let start = Instant::now();
    let outcome = s.run().await.unwrap();
    assert_eq!(ms_since(start), 400);
    assert_eq!(trace.at("b>"), 300);
    assert_eq!(outcome.state(inner), Some(State::Failed));
    let error = outcome.report(inner).unwrap().error().unwrap();
    assert!(
        matches!(error.kind(), JobErrorKind::Nested(Reason::Timeout(d)) if *d == ms(200)),
        "{error:?}"
    );
    assert_eq!(outcome.state(slow), Some(State::Cancelled));
    assert_eq!(
        outcome.report(inner).unwrap().nested().unwrap().elapsed(),
        ms(200)
    );
}

#[tokio::test(start_paused = true)]
async fn critical_nested_timeout_fails_the_parent_at_once() {
    let trace = Trace::new();
    let mut inner = Scheduler::new().with_label("inner").with_timeout(ms(200));
    inner.add(trace.job("slow", 1000));
    let mut s = Scheduler::new().with_timeout(ms(10_000));
    s.add(inner);
    let side = s.add(trace.job("side", 5000)).id();
    let start = Instant::now();
    let failure = s.run().await.unwrap_err();
    assert_eq!(ms_since(start), 200);
    let (job, error) = failure.critical_job().expect("a critical failure");
    assert_eq!(job, "inner");
    assert!(matches!(
        error.kind(),
        JobErrorKind::Nested(Reason::Timeout(_))
    ));
    assert_eq!(failure.outcome.state(side), Some(State::Cancelled));
    assert_eq!(trace.live.now(), 0);
}

#[tokio::test(start_paused = true)]
async fn the_parent_timeout_cancels_a_nested_scheduler_with_a_longer_one() {
    let trace = Trace::new();
    let mut inner = Scheduler::new()
        .with_label("inner")
        .with_timeout(ms(10_000));
    let slow = inner.add(trace.job("slow", 5000)).id();
    let mut s = Scheduler::new().with_timeout(ms(300));
    let inner = s.add(inner).id();
    let start = Instant::now();
    let failure = s.run().await.unwrap_err();
    assert_eq!(ms_since(start), 300);
    assert!(matches!(failure.reason, Reason::Timeout(d) if d == ms(300)));
    assert_eq!(failure.outcome.state(inner), Some(State::Cancelled));
    assert_eq!(failure.outcome.state(slow), Some(State::Cancelled));
    assert_eq!(trace.live.now(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_run_that_ends_in_time_is_not_affected_by_its_timeout() {
    let trace = Trace::new();
    let mut s = Scheduler::new().with_timeout(ms(300));
    let a = s.add(trace.job("a", 100)).id();
    s.add(trace.job("b", 150)).requires(a);
    let start = Instant::now();
    let outcome = s.run().await.unwrap();
    assert_eq!(ms_since(start), 250);
    assert!(outcome.is_success());
}
