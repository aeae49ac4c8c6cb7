//! The window: at most `window` finite jobs run at once, slots are released on every
//! exit path, and ready jobs take free slots in order.

use std::sync::Arc;
use std::time::Duration;

use jobs_core::{Scheduler, State};
use tokio::sync::Barrier;
use tokio::time::Instant;

use crate::common::{End, Gauge, Hook, Hooked, Trace, ms_since};

const NAMES: [&str; 15] = [
    "j0", "j1", "j2", "j3", "j4", "j5", "j6", "j7", "j8", "j9", "j10", "j11", "j12", "j13", "j14",
];

#[tokio::test(start_paused = true)]
async fn window_limits_the_jobs_running_at_once() {
    // asynciojobs' timing test: 15 jobs of 100 ms with a window of 3 take 500 ms.
    let trace = Trace::new();
    let mut s = Scheduler::new().with_window(3);
    for name in NAMES {
        s.add(trace.job(name, 100));
    }
    let start = Instant::now();
    let outcome = s.run().await.unwrap();
    assert_eq!(ms_since(start), 500);
    assert_eq!(outcome.counts().done, 15);
    assert_eq!(trace.live.max(), 3);
    for (i, name) in NAMES.iter().enumerate() {
        assert_eq!(
            trace.at(&format!("{name}>")),
            (i as u64 / 3) * 100,
            "{name}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn queued_jobs_take_free_slots_in_the_order_they_became_ready() {
    // `q` is ready at once and waits; `x` and `y` become ready together when `r` ends.
    let trace = Trace::new();
    let mut s = Scheduler::new().with_window(1);
    let r = s.add(trace.job("r", 100)).id();
    s.add(trace.job("x", 100)).requires(r);
    s.add(trace.job("y", 100)).requires(r);
    s.add(trace.job("q", 100));
    s.run().await.unwrap();
    let starts: Vec<u64> = ["r>", "q>", "x>", "y>"].map(|e| trace.at(e)).into();
    assert_eq!(starts, [0, 100, 200, 300]);
}

#[tokio::test(start_paused = true)]
async fn jobs_ready_together_after_a_skip_start_in_declaration_order() {
    // `x` fails: `y` (its consumer) is skipped, and `z` (after `y`) and `w` (after `x`)
    // become ready in the same instant. `z` is declared first, so it takes the slot first.
    let trace = Trace::new();
    let mut s = Scheduler::new().with_window(1);
    let x = s.add(trace.run("x", 100, End::Err)).noncritical().id();
    let y = s
        .add_with((x,), |_| async { Ok::<_, std::io::Error>(()) })
        .noncritical()
        .id();
    s.add(trace.job("z", 100)).requires(y);
    s.add(trace.job("w", 100)).requires(x);
    let outcome = s.run().await.unwrap();
    assert_eq!(outcome.state(y), Some(State::Skipped));
    assert_eq!((trace.at("z>"), trace.at("w>")), (100, 200));
}

/// Window 2: two non-critical jobs that fail (`end`) at 100 ms, then two good ones.
async fn failing_jobs_then_good_ones(end: End) {
    let trace = Trace::new();
    let mut s = Scheduler::new()
        .with_window(2)
        .with_timeout(Duration::from_secs(10));
    let f1 = s.add(trace.run("f1", 100, end)).noncritical().id();
    let f2 = s.add(trace.run("f2", 100, end)).noncritical().id();
    let ok1 = s.add(trace.job("ok1", 100)).id();
    let ok2 = s.add(trace.job("ok2", 100)).id();
    let start = Instant::now();
    let outcome = s.run().await.unwrap();
    assert_eq!(ms_since(start), 200);
    assert_eq!(outcome.state(f1), Some(State::Failed));
    assert_eq!(outcome.state(f2), Some(State::Failed));
    assert_eq!(outcome.value(ok1), Some(&"ok1"));
    assert_eq!(outcome.value(ok2), Some(&"ok2"));
    assert_eq!((trace.at("ok1>"), trace.at("ok2>")), (100, 100));
}

#[tokio::test(start_paused = true)]
async fn window_slot_leak_noncritical_failure() {
    // asynciojobs kept the slot of a failed non-critical job: the good jobs stayed
    // scheduled until the timeout.
    failing_jobs_then_good_ones(End::Err).await;
}

#[tokio::test(start_paused = true)]
async fn window_slot_leak_noncritical_panic() {
    failing_jobs_then_good_ones(End::Panic).await;
}

#[tokio::test(start_paused = true)]
async fn window_slot_leak_on_cancel() {
    // A job is cancelled while its run goes on only inside a nested scheduler: `inner`
    // holds the parent's only slot, aborts at 50 ms and cancels `long`; the parent's
    // queued jobs must still get the slot.
    let trace = Trace::new();
    let mut inner = Scheduler::new().with_label("inner");
    inner.add(trace.run("boom", 50, End::Err));
    let long = inner.add(trace.job("long", 1000)).id();
    let mut s = Scheduler::new()
        .with_window(1)
        .with_timeout(Duration::from_secs(10));
    let inner = s.add(inner).noncritical().id();
    s.add(trace.job("a", 100));
    s.add(trace.job("b", 100));
    let start = Instant::now();
    let outcome = s.run().await.unwrap();
    assert_eq!(ms_since(start), 250);
    assert_eq!(outcome.state(inner), Some(State::Failed));
    assert_eq!(outcome.state(long), Some(State::Cancelled));
    assert_eq!((trace.at("a>"), trace.at("b>")), (50, 150));
}

#[tokio::test(start_paused = true)]
async fn a_critical_skip_starts_no_queued_job() {
    // `x` fails (non-critical) and `y`, a critical consumer of it, is skipped: the run
    // aborts, and `q`, waiting for the slot, must not be started.
    let trace = Trace::new();
    let mut s = Scheduler::new().with_window(1);
    let x = s.add(trace.run("x", 100, End::Err)).noncritical().id();
    s.add_with((x,), |_| async { Ok::<_, std::io::Error>(()) })
        .label("y");
    let q = s.add(Hooked::new(&trace, "q", 100, Hook::Takes(0))).id();
    let failure = s.run().await.unwrap_err();
    assert_eq!(failure.critical_job().map(|(job, _)| job), Some("y"));
    assert_eq!(failure.outcome.state(q), Some(State::Cancelled));
    assert!(!trace.has("q:run"), "{:?}", trace.names());
}

#[tokio::test(start_paused = true)]
async fn nested_scheduler_takes_one_slot_and_has_its_own_window() {
    // The parent's window is 1: `inner` (window 2, four jobs of 100 ms: 200 ms) runs,
    // then `after`.
    let trace = Trace::new();
    let mut inner = Scheduler::new().with_window(2);
    for name in ["i0", "i1", "i2", "i3"] {
        inner.add(trace.job(name, 100));
    }
    let mut s = Scheduler::new().with_window(1);
    s.add(inner);
    s.add(trace.job("after", 100));
    let start = Instant::now();
    s.run().await.unwrap();
    assert_eq!(ms_since(start), 300);
    assert_eq!(trace.live.max(), 2);
    assert_eq!((trace.at("i2>"), trace.at("after>")), (100, 200));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn window_is_never_exceeded_on_multi_thread() {
    // Jobs meet in threes: a window of 3 is reached, and a fourth job would show.
    let gauge = Gauge::default();
    let barrier = Arc::new(Barrier::new(3));
    let mut s = Scheduler::new().with_window(3);
    for _ in 0..30 {
        let (gauge, barrier) = (gauge.clone(), barrier.clone());
        s.add(async move {
            let _live = gauge.enter();
            barrier.wait().await;
            for _ in 0..10 {
                tokio::task::yield_now().await;
            }
            Ok::<_, std::io::Error>(())
        });
    }
    let outcome = tokio::time::timeout(Duration::from_secs(30), s.run())
        .await
        .expect("the run deadlocked")
        .unwrap();
    assert_eq!(outcome.counts().done, 30);
    assert_eq!(gauge.max(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn window_survives_errors_and_panics_on_multi_thread() {
    let gauge = Gauge::default();
    let mut s = Scheduler::new().with_window(2);
    for i in 0..40 {
        let gauge = gauge.clone();
        s.add(async move {
            let _live = gauge.enter();
            tokio::task::yield_now().await;
            match i % 4 {
                1 => Err(std::io::Error::other("failed")),
                2 => panic!("job {i} panicked"),
                _ => Ok(()),
            }
        })
        .noncritical();
    }
    let outcome = tokio::time::timeout(Duration::from_secs(30), s.run())
        .await
        .expect("the run deadlocked")
        .unwrap();
    assert_eq!((outcome.counts().done, outcome.counts().failed), (20, 20));
    assert!(gauge.max() <= 2, "{} jobs ran at once", gauge.max());
    assert_eq!(gauge.now(), 0);
}
