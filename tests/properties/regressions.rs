//! The runtime bugs the properties found, each as the smallest workflow that showed
//! it, asserting what the design says should happen. All are fixed.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::time::Duration;

use jobs_core::{BoxError, Job, Scheduler, State};

/// Rounds of a stress test of a race: as many as fit in 3 seconds.
fn rounds() -> impl Iterator<Item = usize> {
    let start = std::time::Instant::now();
    (0..).take_while(move |_| start.elapsed() < Duration::from_secs(3))
}

/// Sets its flag when dropped.
struct SetOnDrop(Arc<AtomicBool>);

impl Drop for SetOnDrop {
    fn drop(&mut self) {
        self.0.store(true, SeqCst);
    }
}

/// A future job that sets `polled` when first polled and succeeds after `ms`.
fn job(
    polled: &Arc<AtomicBool>,
    ms: u64,
) -> impl Future<Output = Result<(), std::io::Error>> + Send + 'static {
    let polled = polled.clone();
    async move {
        polled.store(true, SeqCst);
        tokio::time::sleep(Duration::from_millis(ms)).await;
        Ok(())
    }
}

/// Found by `random_workflows_keep_the_invariants`, minimal case:
///
/// ```text
/// top: @0 critical Err at once
///      @1 nested { @0 custom job Ok }
/// ```
///
/// `boom` and the nested scheduler start together; `boom` fails first. The parent
/// records its failure, but cancels its jobs only when its run future is next polled.
/// Before that, the nested scheduler's task gets its first poll, and `run` starts the
/// nested jobs without looking at its cancel signal: the nested job starts, and here
/// even finishes, after its parent's critical failure. With a forever nested scheduler,
/// the same shape lets a critical job fail after a run that then reports success.
#[tokio::test(start_paused = true)]
async fn nested_scheduler_starts_jobs_after_its_parent_failed() {
    let started = Arc::new(AtomicBool::new(false));
    let mut inner = Scheduler::new().with_label("inner");
    let late = inner.add(job(&started, 0)).label("late").id();
    let mut s = Scheduler::new();
    s.add(async { Err::<(), _>(std::io::Error::other("boom")) })
        .label("boom");
    let inner = s.add(inner).noncritical().id();
    let failure = s.run().await.unwrap_err();
    assert_eq!(failure.critical_job().map(|(job, _)| job), Some("boom"));
    assert_eq!(failure.outcome.state(late), Some(State::Idle));
    assert_eq!(failure.outcome.state(inner), Some(State::Cancelled));
    assert!(
        !started.load(SeqCst),
        "a job of the nested scheduler started after its parent's critical failure"
    );
}

/// Found by `dropping_a_run_ends_every_job_at_once`, minimal case:
///
/// ```text
/// top: @0 nested { @0 Ok after 10ms, @1 requires [0] }, dropped at 10ms
/// ```
///
/// Dropping the run future aborts the parent's tasks, among them the nested
/// scheduler's; the nested scheduler aborts its own jobs only when the runtime drops
/// its task, a tick later. Meanwhile its job whose timer fired at 10 ms is polled,
/// finishes, and its successor is started: work done after the run was cancelled.
#[tokio::test(start_paused = true)]
async fn nothing_runs_after_the_run_future_is_dropped() {
    let (first, second) = (Arc::default(), Arc::default());
    let finished = Arc::new(AtomicBool::new(false));
    let mut inner = Scheduler::new();
    let a = inner.add({
        let (job, finished) = (job(&first, 10), finished.clone());
        async move {
            job.await?;
            finished.store(true, SeqCst);
            Ok::<_, std::io::Error>(())
        }
    });
    let a = a.id();
    inner.add(job(&second, 0)).requires(a);
    let mut s = Scheduler::new();
    s.add(inner);
    let dropped = tokio::time::timeout(Duration::from_millis(10), s.run()).await;
    assert!(dropped.is_err(), "the run ended by itself");
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
    assert!(first.load(SeqCst));
    assert!(
        !finished.load(SeqCst),
        "a nested job went on after the run future was dropped"
    );
    assert!(
        !second.load(SeqCst),
        "a nested job started after the run future was dropped"
    );
}

/// Counts the jobs running at each moment, and records whether one still ran when a
/// shutdown hook started.
#[derive(Clone, Default)]
struct Live {
    now: Arc<AtomicUsize>,
    hook_saw_jobs: Arc<AtomicBool>,
}

struct Running(Live);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.now.fetch_sub(1, SeqCst);
    }
}

impl Live {
    fn job(&self, yields: usize, fail: bool) -> impl Future<Output = Result<(), BoxError>> + use<> {
        self.now.fetch_add(1, SeqCst);
        let running = Running(self.clone());
        async move {
            let _running = running;
            for _ in 0..yields {
                tokio::task::yield_now().await;
            }
            if fail {
                return Err("boom".into());
            }
            Ok(())
        }
    }
}

/// A job whose shutdown hook records whether a job still runs when it starts.
struct Watcher(Live);

impl Job for Watcher {
    type Output = ();

    fn run(&mut self) -> impl Future<Output = Result<(), BoxError>> + Send + 'static {
        std::future::ready(Ok(()))
    }

    fn shutdown(&mut self) -> impl Future<Output = Result<(), BoxError>> + Send + 'static {
        let live = self.0.clone();
        async move {
            if live.now.load(SeqCst) > 0 {
                live.hook_saw_jobs.store(true, SeqCst);
            }
            Ok(())
        }
    }

    fn has_shutdown(&self) -> bool {
        true
    }
}

/// Found by `random_workflows_keep_the_invariants_on_multi_thread` (a race, so its
/// shrunk cases vary): a run that ends early (critical failure or timeout) can run its
/// shutdown hooks and take its outcome while some of its jobs still run, leaving them
/// `Running` in the outcome; a job reporting after that indexes the emptied state
/// arrays and panics inside the runtime (`index out of bounds` in `Driver::handle`).
///
/// `over` means "the run should end" until the run closes, and "every task has
/// reported" after. The run future clears it, then closes; a task that saw the failure
/// before the close and sets `over` after the clear wakes the wait for the last
/// reports at once. Each round here has eight jobs ending around a critical failure.
#[test]
fn a_run_that_ends_early_waits_for_every_job_on_multi_thread() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .unwrap();
    for round in rounds() {
        let live = Live::default();
        let mut s = Scheduler::new();
        s.add(Watcher(live.clone()));
        for k in 0..8 {
            s.add(live.job(k % 3, false)).noncritical();
        }
        s.add(live.job(1, true)).label("boom");
        let failure = rt.block_on(s.run()).unwrap_err();
        let counts = failure.outcome.counts();
        assert_eq!(
            (counts.running, counts.scheduled),
            (0, 0),
            "round {round}: {:?}",
            failure.outcome
        );
        assert!(
            !live.hook_saw_jobs.load(SeqCst),
            "round {round}: a hook ran while jobs still ran"
        );
        assert_eq!(
            live.now.load(SeqCst),
            0,
            "round {round}: a job outlived run"
        );
    }
}

/// Found by `random_calm_workflows_keep_the_invariants_on_multi_thread` (a race): a
/// run's jobs that are still in the scheduler (custom job values, futures that never
/// started) can be dropped after `run` has returned, on a worker thread. The last
/// reference to the run's state is then the guard of a task still reporting its end
/// (here one of the forever jobs cancelled when the run ends), not the run future.
#[test]
fn a_run_drops_its_jobs_before_it_returns_on_multi_thread() {
    struct Held(#[allow(dead_code)] SetOnDrop);
    impl Job for Held {
        type Output = ();
        fn run(&mut self) -> impl Future<Output = Result<(), BoxError>> + Send + 'static {
            std::future::ready(Ok(()))
        }
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .unwrap();
    for round in rounds() {
        let dropped = Arc::new(AtomicBool::new(false));
        let mut s = Scheduler::new();
        s.add(Held(SetOnDrop(dropped.clone())));
        for _ in 0..32 {
            s.add(async { std::future::pending::<Result<(), std::io::Error>>().await })
                .forever(true);
        }
        rt.block_on(s.run()).unwrap();
        assert!(
            dropped.load(SeqCst),
            "round {round}: a job was still alive when run returned"
        );
    }
}
