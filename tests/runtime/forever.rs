//! Forever jobs: not waited for, cancelled when the finite jobs are done, and free of
//! the window.

use std::sync::Arc;
use std::time::Duration;

use jobs_core::{Scheduler, State};
use tokio::sync::Barrier;
use tokio::time::Instant;

use crate::common::{End, Gauge, Trace, ms_since};

#[tokio::test(start_paused = true)]
async fn forever_jobs_are_not_waited_for_and_are_cancelled() {
    let trace = Trace::new();
    let mut s = Scheduler::new().with_timeout(Duration::from_secs(10));
    let monitor = s.add(trace.endless("monitor")).forever(true).id();
    let work = s.add(trace.job("work", 100)).id();
    let start = Instant::now();
    let outcome = s.run().await.unwrap();
    assert_eq!(ms_since(start), 100);
    assert_eq!(outcome.value(work), Some(&"work"));
    assert_eq!(outcome.state(monitor), Some(State::Cancelled));
    assert_eq!(trace.at("monitor>"), 0);
    assert_eq!(trace.live.now(), 0, "the forever job outlived the run");
}

#[tokio::test(start_paused = true)]
async fn only_forever_jobs_end_at_once() {
    // asynciojobs never noticed that 0 of 0 finite jobs were done, and hung until
    // the timeout.
    let trace = Trace::new();
    let mut s = Scheduler::new().with_timeout(Duration::from_secs(10));
    let a = s.add(trace.endless("a")).forever(true).id();
    let b = s.add(trace.endless("b")).forever(true).id();
    let start = Instant::now();
    let outcome = s.run().await.unwrap();
    assert_eq!(ms_since(start), 0);
    assert_eq!(outcome.state(a), Some(State::Cancelled));
    assert_eq!(outcome.state(b), Some(State::Cancelled));
    assert_eq!(trace.live.now(), 0);
}

#[tokio::test(start_paused = true)]
async fn nested_scheduler_of_only_forever_jobs_ends_at_once() {
    let trace = Trace::new();
    let mut inner = Scheduler::new().with_timeout(Duration::from_secs(10));
    inner.add(trace.endless("a")).forever(true);
    let mut s = Scheduler::new().with_timeout(Duration::from_secs(20));
    let inner = s.add(inner).id();
    s.add(trace.job("after", 100)).requires(inner);
    let start = Instant::now();
    let outcome = s.run().await.unwrap();
    assert_eq!(ms_since(start), 100);
    assert_eq!(outcome.state(inner), Some(State::Done));
}

#[tokio::test(start_paused = true)]
async fn forever_job_holding_a_window_slot() {
    // asynciojobs: with a window of 1, a forever job could take the only slot for good.
    let trace = Trace::new();
    let mut s = Scheduler::new()
        .with_window(1)
        .with_timeout(Duration::from_secs(10));
    s.add(trace.endless("monitor")).forever(true);
    s.add(trace.job("a", 100));
    s.add(trace.job("b", 100));
    let start = Instant::now();
    s.run().await.unwrap();
    assert_eq!(ms_since(start), 200);
    assert_eq!((trace.at("a>"), trace.at("b>")), (0, 100));
    assert_eq!(trace.live.max(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_forever_job_that_ends_unlocks_its_dependents() {
    // A finite job cannot require a forever one (rejected), but a forever one can.
    let trace = Trace::new();
    let mut s = Scheduler::new();
    let setup = s.add(trace.job("setup", 100)).forever(true).id();
    let watch = s
        .add(trace.endless("watch"))
        .requires(setup)
        .forever(true)
        .id();
    s.add(trace.job("work", 300));
    let start = Instant::now();
    let outcome = s.run().await.unwrap();
    assert_eq!(ms_since(start), 300);
    assert_eq!(outcome.value(setup), Some(&"setup"));
    assert_eq!(trace.at("watch>"), 100);
    assert_eq!(outcome.state(watch), Some(State::Cancelled));
}

#[tokio::test(start_paused = true)]
async fn critical_forever_job_failure_aborts_the_run() {
    let trace = Trace::new();
    let mut s = Scheduler::new();
    s.add(trace.run("watch", 100, End::Err))
        .label("watch")
        .forever(true);
    let work = s.add(trace.job("work", 1000)).id();
    let start = Instant::now();
    let failure = s.run().await.unwrap_err();
    assert_eq!(ms_since(start), 100);
    assert_eq!(failure.critical_job().map(|(job, _)| job), Some("watch"));
    assert_eq!(failure.outcome.state(work), Some(State::Cancelled));
}

#[tokio::test(start_paused = true)]
async fn noncritical_forever_job_failure_is_only_recorded() {
    let trace = Trace::new();
    let mut s = Scheduler::new();
    let watch = s
        .add(trace.run("watch", 100, End::Panic))
        .forever(true)
        .noncritical()
        .id();
    let work = s.add(trace.job("work", 300)).id();
    let start = Instant::now();
    let outcome = s.run().await.unwrap();
    assert_eq!(ms_since(start), 300);
    assert_eq!(outcome.state(watch), Some(State::Failed));
    assert_eq!(outcome.value(work), Some(&"work"));
}

#[tokio::test(start_paused = true)]
async fn forever_nested_scheduler_is_cancelled_with_its_jobs() {
    let trace = Trace::new();
    let mut inner = Scheduler::new();
    let slow = inner.add(trace.job("slow", 1000)).id();
    let mut s = Scheduler::new().with_timeout(Duration::from_secs(10));
    let inner = s.add(inner).forever(true).id();
    s.add(trace.job("work", 100));
    let start = Instant::now();
    let outcome = s.run().await.unwrap();
    assert_eq!(ms_since(start), 100);
    assert_eq!(outcome.state(inner), Some(State::Cancelled));
    assert_eq!(outcome.state(slow), Some(State::Cancelled));
    assert_eq!(trace.live.now(), 0, "an inner job outlived the run");
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert!(!trace.has("<slow"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forever_jobs_take_no_slot_on_multi_thread() {
    // Finite jobs meet in pairs: if the forever jobs held the two slots, no pair
    // could ever meet.
    let (finite, forever) = (Gauge::default(), Gauge::default());
    let barrier = Arc::new(Barrier::new(2));
    let mut s = Scheduler::new().with_window(2);
    for _ in 0..4 {
        let forever = forever.clone();
        s.add(async move {
            let _live = forever.enter();
            std::future::pending::<Result<(), std::io::Error>>().await
        })
        .forever(true);
    }
    for _ in 0..20 {
        let (finite, barrier) = (finite.clone(), barrier.clone());
        s.add(async move {
            let _live = finite.enter();
            barrier.wait().await;
            tokio::task::yield_now().await;
            Ok::<_, std::io::Error>(())
        });
    }
    let outcome = tokio::time::timeout(Duration::from_secs(30), s.run())
        .await
        .expect("the run deadlocked")
        .unwrap();
    assert_eq!(outcome.counts().done, 20);
    assert_eq!(outcome.counts().cancelled, 4);
    assert_eq!(finite.max(), 2);
    assert_eq!((finite.now(), forever.now()), (0, 0));
}

/// A forever job that counts the times it is started.
struct Counted(Arc<std::sync::atomic::AtomicUsize>);

impl jobs_core::Job for Counted {
    type Output = ();
    fn run(
        &mut self,
    ) -> impl std::future::Future<Output = Result<(), jobs_core::BoxError>> + Send + 'static {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        std::future::pending()
    }
}

#[tokio::test]
async fn a_forever_job_made_ready_by_the_last_finite_job_is_never_started() {
    for mode in [crate::common::Mode::Tasks, crate::common::Mode::Local] {
        let runs = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut s = Scheduler::new();
        let last = s.add(async { Ok::<_, std::io::Error>(()) }).id();
        let forever = s
            .add(Counted(runs.clone()))
            .forever(true)
            .requires(last)
            .id();
        let outcome = crate::common::run_in(s, mode).await.unwrap();
        assert_eq!(outcome.state(forever), Some(State::Cancelled), "{mode:?}");
        let runs = runs.load(std::sync::atomic::Ordering::SeqCst);
        assert_eq!(runs, 0, "{mode:?}: `Job::run` called");
    }
}
