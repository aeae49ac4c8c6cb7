//! Dropping a run ends every job, nested ones too, and leaks nothing: whenever the run
//! future is dropped (before its first poll, mid-run, while shutdown hooks run), and
//! when the runtime itself shuts down.
//!
//! Every job future, custom job object and hook future holds a [`Token`]; the tests
//! compare the tokens made with those dropped.
//!
//! When the drops happen:
//! - in single-task mode (`run_local`) and before the first poll, every job future is
//!   inside the run future: dropping it drops them all, synchronously;
//! - in task mode (`run`), dropping the run future aborts every task of the run and of
//!   its nested runs at once (no job starts or goes on after that), but tokio drops an
//!   aborted task's future only when a worker next gets to it, so the tests wait for
//!   the drops with a bounded loop of `yield_now` (current-thread) or short sleeps
//!   (multi-thread). Jobs that never started are dropped with the run's state, when
//!   the last of its tasks is dropped;
//! - when a runtime shuts down, it drops every task before `drop(runtime)` (or
//!   `shutdown_timeout`) returns: every token is dropped by then.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::time::Duration;

use futures_util::FutureExt;
use jobs_core::{BoxError, Job, JobId, Live, Outcome, Scheduler, State};

use crate::common::{Mode, ms};

/// Counts tokens made and dropped, jobs started, hooks started and finished, and
/// calls of `Job::run`.
#[derive(Clone, Default)]
struct Count(Arc<[AtomicUsize; 6]>);

const MADE: usize = 0;
const DROPPED: usize = 1;
const STARTED: usize = 2;
const HOOKS_STARTED: usize = 3;
const HOOKS_FINISHED: usize = 4;
/// Calls of `Job::run` (made when a custom job starts, before its future is polled).
const RUN_CALLED: usize = 5;

/// Counted as dropped when dropped.
struct Token(Count);

impl Drop for Token {
    fn drop(&mut self) {
        self.0.bump(DROPPED);
    }
}

impl Count {
    fn bump(&self, what: usize) {
        self.0[what].fetch_add(1, SeqCst);
    }

    fn get(&self, what: usize) -> usize {
        self.0[what].load(SeqCst)
    }

    fn token(&self) -> Token {
        self.bump(MADE);
        Token(self.clone())
    }

    fn made(&self) -> usize {
        self.get(MADE)
    }

    fn dropped(&self) -> usize {
        self.get(DROPPED)
    }

    fn started(&self) -> usize {
        self.get(STARTED)
    }

    /// A job that counts as started when first polled and never ends.
    fn endless(&self) -> impl Future<Output = Result<(), std::io::Error>> + Send + 'static {
        let (token, count) = (self.token(), self.clone());
        async move {
            let _token = token;
            count.bump(STARTED);
            std::future::pending().await
        }
    }

    /// Yields until every token made has been dropped, at most `rounds` times, for the
    /// aborted tasks to be dropped by the runtime (task mode only).
    async fn settle(&self, rounds: usize) {
        for _ in 0..rounds {
            if self.dropped() == self.made() {
                return;
            }
            tokio::task::yield_now().await;
        }
    }

    /// As [`settle`](Self::settle), on a multi-thread runtime: sleeps a millisecond at a
    /// time, for at most 10 s (a bound against hangs, not a measure).
    async fn settle_multi_thread(&self) {
        wait_for(|| self.dropped() == self.made()).await;
    }
}

/// Waits until `condition` holds, polling every millisecond, for at most 10 s.
async fn wait_for(condition: impl Fn() -> bool) {
    let wait = async {
        while !condition() {
            tokio::time::sleep(ms(1)).await;
        }
    };
    // A hang guard only: the condition holds long before in every run.
    let _ = tokio::time::timeout(Duration::from_secs(10), wait).await;
}

/// A custom job holding a token; its run and its shutdown hook hold one each. `None`
/// for a run or a hook that never ends.
struct Tracked {
    count: Count,
    _token: Token,
    label: &'static str,
    run_ms: Option<u64>,
    hook_ms: Option<u64>,
}

impl Tracked {
    fn new(count: &Count, label: &'static str, run_ms: Option<u64>, hook_ms: Option<u64>) -> Self {
        Tracked {
            count: count.clone(),
            _token: count.token(),
            label,
            run_ms,
            hook_ms,
        }
    }
}

async fn sleep_or_hang(ms: Option<u64>) {
    match ms {
        Some(ms) => tokio::time::sleep(Duration::from_millis(ms)).await,
        None => std::future::pending().await,
    }
}

impl Job for Tracked {
    type Output = ();

    fn run(&mut self) -> impl Future<Output = Result<(), BoxError>> + Send + 'static {
        self.count.bump(RUN_CALLED);
        let (token, count, run_ms) = (self.count.token(), self.count.clone(), self.run_ms);
        async move {
            let _token = token;
            count.bump(STARTED);
            sleep_or_hang(run_ms).await;
            Ok(())
        }
    }

    fn shutdown(&mut self) -> impl Future<Output = Result<(), BoxError>> + Send + 'static {
        let (token, count, hook_ms) = (self.count.token(), self.count.clone(), self.hook_ms);
        async move {
            let _token = token;
            count.bump(HOOKS_STARTED);
            sleep_or_hang(hook_ms).await;
            count.bump(HOOKS_FINISHED);
            Ok(())
        }
    }

    fn has_shutdown(&self) -> bool {
        true
    }

    fn label(&self) -> Option<String> {
        Some(self.label.to_owned())
    }
}

/// Jobs of [`two_levels`], to look at their states when the run is dropped.
struct Ids {
    running: Vec<JobId>,
    scheduled: Vec<JobId>,
    idle: Vec<JobId>,
}

/// Never ends by itself. Five jobs run (`r1`, `r2`, `a1`, `b1`, custom `t`), and two
/// nested schedulers; four are queued behind windows, one is idle:
///
/// ```text
/// root (window 3): r1, r2, L1, q1 (queued), q2 (queued, custom)
///   L1 (window 2): a1, L2, a2 (queued), a3 (queued)
///     L2: b1, t (custom), b3 (requires b1: idle)
/// ```
///
/// 10 tokens: 8 job futures, 2 custom job objects (`t`'s run makes one more when it
/// starts).
fn two_levels(count: &Count) -> (Scheduler, Ids) {
    let mut l2 = Scheduler::new().with_label("L2");
    let b1 = l2.add(count.endless()).label("b1").id();
    let t = l2.add(Tracked::new(count, "t", None, Some(0))).id();
    let b3 = l2.add(count.endless()).label("b3").requires(b1).id();
    let mut l1 = Scheduler::new().with_label("L1").with_window(2);
    let a1 = l1.add(count.endless()).label("a1").id();
    let l2 = l1.add(l2).id();
    let a2 = l1.add(count.endless()).label("a2").id();
    let a3 = l1.add(count.endless()).label("a3").id();
    let mut root = Scheduler::new().with_window(3);
    let r1 = root.add(count.endless()).label("r1").id();
    let r2 = root.add(count.endless()).label("r2").id();
    let l1 = root.add(l1).id();
    let q1 = root.add(count.endless()).label("q1").id();
    let q2 = root.add(Tracked::new(count, "q2", Some(0), Some(0))).id();
    let ids = Ids {
        running: vec![r1.id(), r2.id(), l1.id(), a1.id(), l2.id(), b1.id(), t.id()],
        scheduled: vec![q1.id(), q2.id(), a2.id(), a3.id()],
        idle: vec![b3.id()],
    };
    (root, ids)
}

/// Checks, on the live view, that the run is where [`two_levels`] says.
fn check_two_levels_states(live: &mut Live, ids: &Ids) {
    let view: &Outcome = live.update();
    for (jobs, state) in [
        (&ids.running, State::Running),
        (&ids.scheduled, State::Scheduled),
        (&ids.idle, State::Idle),
    ] {
        for &job in jobs {
            assert_eq!(view.state(job), Some(state), "{job:?}");
        }
    }
}

/// Runs `s` in `mode` for at most `after`, then drops the run future: it must still
/// be running then.
async fn run_and_drop(s: Scheduler, mode: Mode, after: Duration) {
    let ended = tokio::time::timeout(after, mode.start(s)).await.is_ok();
    assert!(!ended, "{mode:?}: the run ended by itself");
}

#[tokio::test(start_paused = true)]
async fn dropped_before_its_first_poll() {
    for mode in [Mode::Tasks, Mode::Local] {
        let count = Count::default();
        let (s, _) = two_levels(&count);
        assert_eq!(count.made(), 10);
        drop(mode.start(s));
        // The unpolled future owned the scheduler: all dropped at once.
        assert_eq!(count.dropped(), 10, "{mode:?}");
        assert_eq!(count.started(), 0, "{mode:?}");
        assert_eq!(count.get(HOOKS_STARTED), 0, "{mode:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn dropped_mid_run_with_jobs_running_queued_and_nested() {
    for mode in [Mode::Tasks, Mode::Local] {
        let count = Count::default();
        let (mut s, ids) = two_levels(&count);
        let mut live = s.live();
        run_and_drop(s, mode, ms(100)).await;
        check_two_levels_states(&mut live, &ids);
        assert_eq!(count.started(), 5, "{mode:?}");
        // `t`'s run future is the 11th token.
        assert_eq!(count.made(), 11, "{mode:?}");
        match mode {
            // Everything was inside the run future.
            Mode::Local => {}
            Mode::Tasks => count.settle(100).await,
        }
        assert_eq!(count.dropped(), 11, "{mode:?}: a job was leaked");
        // Nothing started after the drop, and no hook ran: there was no end of run.
        tokio::time::sleep(Duration::from_secs(5)).await;
        assert_eq!(count.started(), 5, "{mode:?}");
        assert_eq!(count.get(HOOKS_STARTED), 0, "{mode:?}");
        assert_eq!(count.made(), 11, "{mode:?}");
    }
}

/// `root`: `a` runs 150 ms, then its hook 1000 ms (at 150..1150 ms). `L1`: `b` runs
/// 20 ms, then its hook 100 ms (at 20..120 ms), before `L1` reports.
fn with_hooks(count: &Count) -> Scheduler {
    let mut l1 = Scheduler::new().with_label("L1");
    l1.add(Tracked::new(count, "b", Some(20), Some(100)));
    let mut root = Scheduler::new().with_shutdown_timeout(ms(2000));
    root.add(Tracked::new(count, "a", Some(150), Some(1000)));
    root.add(l1);
    root
}

#[tokio::test(start_paused = true)]
async fn dropped_while_shutdown_hooks_run() {
    // Dropped at 60 ms, while `L1` runs `b`'s hook (and `a` runs), or at 500 ms, while
    // the root runs `a`'s hook (`b`'s is over).
    for mode in [Mode::Tasks, Mode::Local] {
        for (at, hooks_started, hooks_finished) in [(60, 1, 0), (500, 2, 1)] {
            let case = format!("{mode:?} at {at} ms");
            let count = Count::default();
            run_and_drop(with_hooks(&count), mode, ms(at)).await;
            assert_eq!(count.started(), 2, "{case}");
            assert_eq!(count.get(HOOKS_STARTED), hooks_started, "{case}");
            assert_eq!(count.get(HOOKS_FINISHED), hooks_finished, "{case}");
            // Two job objects, two runs, and the hooks that started.
            assert_eq!(count.made(), 4 + hooks_started, "{case}");
            if let Mode::Tasks = mode {
                count.settle(100).await;
            }
            assert_eq!(count.dropped(), count.made(), "{case}: a future was leaked");
            tokio::time::sleep(Duration::from_secs(5)).await;
            assert_eq!(count.get(HOOKS_FINISHED), hooks_finished, "{case}");
            assert_eq!(count.get(HOOKS_STARTED), hooks_started, "{case}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_mid_run_on_multi_thread() {
    // Dropping the run future aborts every task at once, but a task being polled on
    // the other worker finishes its poll first, and aborted tasks are dropped when a
    // worker gets to them: the drops are waited for (bounded), not assumed.
    let count = Count::default();
    let (mut s, ids) = two_levels(&count);
    let mut live = s.live();
    let mut run = Box::pin(s.run());
    let started = wait_for(|| count.started() == 5);
    tokio::select! {
        _ = &mut run => panic!("the run ended by itself"),
        () = started => {}
    }
    assert_eq!(count.started(), 5);
    // The live view follows events sent before the jobs start: all there by now.
    check_two_levels_states(&mut live, &ids);
    drop(run);
    count.settle_multi_thread().await;
    assert_eq!(
        (count.made(), count.dropped()),
        (11, 11),
        "a job was leaked"
    );
    tokio::time::sleep(ms(50)).await;
    assert_eq!(count.started(), 5, "a job started after the drop");
    assert_eq!(count.get(HOOKS_STARTED), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_while_nested_hooks_run_on_multi_thread() {
    // `L1`'s job ends at once and its hook never does (no shutdown timeout): `L1` is
    // in its hooks for good while the root's `endless` job runs.
    let count = Count::default();
    let mut l1 = Scheduler::new()
        .with_label("L1")
        .with_shutdown_timeout(None);
    l1.add(Tracked::new(&count, "b", Some(0), None));
    let mut s = Scheduler::new();
    s.add(Tracked::new(&count, "a", None, Some(0)));
    s.add(l1);
    let mut run = Box::pin(s.run());
    let hooked = wait_for(|| count.get(HOOKS_STARTED) == 1);
    tokio::select! {
        _ = &mut run => panic!("the run ended by itself"),
        () = hooked => {}
    }
    assert_eq!(count.started(), 2);
    assert_eq!(count.made(), 5);
    drop(run);
    count.settle_multi_thread().await;
    assert_eq!(count.dropped(), 5, "a future was leaked");
    assert_eq!(count.get(HOOKS_FINISHED), 0);
    assert_eq!(count.get(HOOKS_STARTED), 1);
}

/// Builds a runtime, runs [`two_levels`] on it until its five jobs have started,
/// then shuts the runtime down; returns the counts and whether the run's task was
/// cancelled.
fn shut_down_mid_run(multi_thread: bool) -> (Count, bool) {
    let rt = if multi_thread {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_time()
            .build()
    } else {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
    }
    .unwrap();
    let count = Count::default();
    let (s, _) = two_levels(&count);
    let handle = rt.spawn(s.run());
    rt.block_on(wait_for(|| count.started() == 5));
    assert_eq!(count.started(), 5);
    assert_eq!(count.made(), 11);
    assert_eq!(count.get(RUN_CALLED), 1);
    if multi_thread {
        rt.shutdown_timeout(Duration::from_secs(10));
    } else {
        drop(rt);
    }
    let joined = handle.now_or_never().expect("the run's task has ended");
    (count, joined.is_err_and(|e| e.is_cancelled()))
}

#[test]
fn a_runtime_shutting_down_drops_every_job() {
    for multi_thread in [false, true] {
        let case = if multi_thread {
            "multi-thread"
        } else {
            "current-thread"
        };
        let (count, cancelled) = shut_down_mid_run(multi_thread);
        assert!(cancelled, "{case}");
        // Every token made was dropped before the runtime was gone: the 11 there were
        // when the shutdown started, no more (`a_runtime_shutting_down_starts_no_job`).
        assert_eq!(count.made(), 11, "{case}");
        assert_eq!(count.dropped(), count.made(), "{case}: a job was leaked");
        // No job was polled, and no hook made, after the shutdown started.
        assert_eq!(count.started(), 5, "{case}");
        assert_eq!(count.get(HOOKS_STARTED), 0, "{case}");
    }
}

/// When the runtime shuts down, it drops the run's tasks in an order of its own. A
/// job's task dropped before the task of the run future reports the job cancelled to
/// a driver that did not cancel it: the driver closes the run then, and starts
/// nothing. Here `r1` or `r2` dropped first must not start `q1` and `q2`, queued
/// behind the root's window (`q2`'s `Job::run` would be called). The drop order
/// varies, hence the rounds.
#[test]
fn a_runtime_shutting_down_starts_no_job() {
    for round in 0..20 {
        for multi_thread in [false, true] {
            let (count, _) = shut_down_mid_run(multi_thread);
            assert_eq!(
                count.get(RUN_CALLED),
                1,
                "round {round}, multi-thread {multi_thread}: a job was started during the shutdown"
            );
        }
    }
}
