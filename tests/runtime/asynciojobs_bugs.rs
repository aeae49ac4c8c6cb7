//! Regression tests named after the known bugs of the Python library asynciojobs
//! (0.21.3) that could occur in this design, and where each one's test lives.
//!
//! Tested elsewhere:
//! - a window slot leaks when a non-critical job raises, and the jobs behind it stay
//!   scheduled until the timeout: `window.rs::window_slot_leak_noncritical_failure`,
//!   `window_slot_leak_noncritical_panic`, `window_slot_leak_on_cancel`;
//! - a forever job holds a window slot for good: `forever.rs::forever_job_holding_a_window_slot`;
//! - a scheduler of only forever jobs hangs until its timeout:
//!   `forever.rs::only_forever_jobs_end_at_once`,
//!   `forever.rs::nested_scheduler_of_only_forever_jobs_ends_at_once`;
//! - a finite job requiring a forever job hangs until the timeout:
//!   `validation.rs::a_finite_job_requiring_a_forever_job_is_rejected`;
//! - a cancelled nested scheduler leaves its tasks running (orphans):
//!   `nesting.rs::orphaned_nested_tasks_after_a_timeout`,
//!   `nesting.rs::orphaned_nested_tasks_after_a_critical_abort`,
//!   `forever.rs::forever_nested_scheduler_is_cancelled_with_its_jobs`;
//! - jobs ready together are admitted in hash order (the `[ordered]` extra installs
//!   nothing usable): `window.rs::queued_jobs_take_free_slots_in_the_order_they_became_ready`,
//!   `window.rs::jobs_ready_together_after_a_skip_start_in_declaration_order`;
//! - `requires(self)` is silently ignored: here a cycle, `validation.rs::self_requirement_is_a_cycle`;
//! - `remove(job)` leaves dangling requirements: `surgery.rs::bypass_and_remove_keeps_the_order`,
//!   `surgery.rs::keep_only_drops_links_without_rewiring`,
//!   `surgery.rs::requiring_a_removed_job_is_an_invalid_graph`;
//! - a requirement on a job of another scheduler fails the run with a scan error
//!   unless sanitized: `validation.rs::requirement_across_schedulers_is_rejected`;
//! - cleaning up cancelled tasks could hang (bounded to 3 s since 0.21.0): a future
//!   cannot refuse to be dropped; a job that blocks its thread is
//!   `faults.rs::a_blocking_job_does_not_stop_the_others_on_multi_thread` and
//!   `faults.rs::a_blocking_job_holds_up_everything_on_current_thread`.
//!
//! Tested here:
//! - a job raising `CancelledError` by itself crashes the scheduler (`Set of
//!   Tasks/Futures is empty`) when it has dependents (§2.1):
//!   [`cancelled_error_raised_by_a_job_does_not_crash_the_scheduler`];
//! - an empty nested scheduler makes `dot_format()` raise `no entry found` (§1.8):
//!   [`empty_nested_scheduler_draws`];
//! - a scheduler cannot be rerun: the second run skips successors and crashes, and
//!   shuts nothing down (§2.8): [`a_scheduler_cannot_be_run_twice`];
//! - `close_all_jobs()` raises `AttributeError` on any job that is not a plain `Job`
//!   (§1.3): [`shutdown_hooks_run_for_every_kind_of_job`], and the un-awaited
//!   coroutines of idle jobs it was meant to close: [`idle_jobs_are_closed_when_the_run_returns`]
//!   and [`idle_jobs_are_closed_when_the_run_returns_on_multi_thread`];
//! - `debrief()` never prints the non-critical exceptions (the branch sits under a
//!   `not verbose` test): [`debrief_shows_noncritical_errors`];
//! - shutdown reaches nested jobs only through a recursion guarded by a sticky flag,
//!   and that of a nested scheduler that never ran not at all unless the parent's
//!   broadcast recurses (§2.7): [`nested_scheduler_shutdown_is_recursive`];
//! - the topological numbering is a fixed-point scan whose cost grows with the number
//!   of jobs created after the jobs they require (`chain_rev`, 13 times slower, §4):
//!   [`chain_declared_in_reverse_runs_in_order`] (its correctness; no timing).
//!
//! Cannot occur in this design:
//! - rerunning a scheduler: `Scheduler::run` consumes it, so a second run does not
//!   compile (the `compile_fail` example of `Scheduler::run`, and
//!   `tests/ui/fail/run-twice.rs` for `workflow!`); building it again is the way;
//! - lists passed to `Scheduler(...)` or `Sequence(...)` silently dropped: `add` takes
//!   one job, and a `Vec` is not one (a compile error, "is not a job");
//! - `requires(seq, remove=True)` adds instead of removing: there is no way to
//!   remove a requirement (graph surgery removes jobs, not requirements), so no
//!   `requires_removal_removes` test;
//! - `run()` cannot be called from inside a running event loop: `run` is a future
//!   (and outside a runtime it is an error: `validation.rs::run_outside_a_runtime_is_an_error`);
//! - `why()` on a scheduler that never ran: an `Outcome` exists only after a run.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jobs_core::{BoxError, Job, JobId, Scheduler, ShutdownStatus, State, infallible};
use tokio::time::Instant;

use crate::common::{End, Hook, Hooked, Mode, Trace, ms, ms_since, run_in};

/// A job whose error is a cancellation: it awaits a task that was aborted and returns
/// the `JoinError`.
async fn fails_with_a_cancellation() -> Result<u32, tokio::task::JoinError> {
    let task = tokio::spawn(std::future::pending::<u32>());
    task.abort();
    task.await
}

#[tokio::test(start_paused = true)]
async fn cancelled_error_raised_by_a_job_does_not_crash_the_scheduler() {
    // asynciojobs §2.1: a job whose coroutine raises `CancelledError` by itself was
    // neither done nor failed; with dependents, the scheduler crashed. Here it is a
    // failure of that job like any other: its dependents run, its consumers are
    // skipped, the window slot is given back, the run goes on.
    for mode in [Mode::Tasks, Mode::Local] {
        let trace = Trace::new();
        let mut s = Scheduler::new().with_window(1);
        let cancelled = s.add(fails_with_a_cancellation()).label("cancelled");
        let cancelled = cancelled.noncritical().id();
        let after = s.add(trace.job("after", 10)).requires(cancelled).id();
        let consumer = s
            .add_with((cancelled,), |(n,)| async move {
                Ok::<_, std::io::Error>(n + 1)
            })
            .label("consumer")
            .noncritical()
            .id();
        let unrelated = s.add(trace.job("unrelated", 10)).id();
        let outcome = run_in(s, mode).await.unwrap();
        assert_eq!(outcome.state(cancelled), Some(State::Failed), "{mode:?}");
        let error = outcome.report(cancelled).unwrap().error().unwrap();
        assert!(!error.is_panic(), "{mode:?}");
        let join = error.downcast_ref::<tokio::task::JoinError>();
        assert!(
            join.is_some_and(|e| e.is_cancelled()),
            "{mode:?}: {error:?}"
        );
        assert_eq!(outcome.value(after), Some(&"after"), "{mode:?}");
        assert_eq!(outcome.state(consumer), Some(State::Skipped), "{mode:?}");
        assert_eq!(outcome.value(unrelated), Some(&"unrelated"), "{mode:?}");
        let counts = outcome.counts();
        assert_eq!(
            (counts.done, counts.failed, counts.skipped, counts.cancelled),
            (2, 1, 1, 0),
            "{mode:?}"
        );
    }
}

/// Checks that every edge of a DOT text joins nodes it declares.
fn check_dot_edges(dot: &str) {
    let declared: Vec<&str> = dot
        .lines()
        .filter(|l| !l.contains("->") && l.contains(" ["))
        .map(|l| l.split(' ').next().unwrap())
        .collect();
    for edge in dot.lines().filter(|l| l.contains(" -> ")) {
        let mut ends = edge.split(" -> ");
        let from = ends.next().unwrap();
        let to = ends.next().unwrap().split([' ', ';']).next().unwrap();
        for end in [from, to] {
            assert!(declared.contains(&end), "`{end}` of `{edge}` not in\n{dot}");
        }
    }
}

#[tokio::test]
async fn empty_nested_scheduler_draws() {
    // asynciojobs §1.8: an empty nested scheduler made `dot_format()` raise "no entry
    // found" (edges into and out of a cluster attach to its middle entry and exit job),
    // though it ran fine. Here `empty` is required and requires, and `outer` holds
    // nothing but an empty scheduler: they draw before and after the run.
    let mut s = Scheduler::new();
    let a = s.add(infallible(async { 1 })).label("a").id();
    let empty = s.add(Scheduler::new().with_label("empty")).requires(a);
    let empty = empty.id();
    let b = s
        .add(infallible(async { 2 }))
        .label("b")
        .requires(empty)
        .id();
    let mut outer = Scheduler::new().with_label("outer");
    let inner = outer.add(Scheduler::new()).id();
    let outer = s.add(outer).requires(empty).id();
    let listing = "1 ⚠   ⚐   <Job `a`> [not done]\n\
                   2 ⚠   ⚐   <Scheduler `empty`> [not done] requires={1} -> entries={}\n\
                   2 --end-- < <Scheduler `empty`> exits={}\n\
                   3 ⚠   ⚐   <Job `b`> [not done] requires={2}\n\
                   4 ⚠   ⚐   <Scheduler `outer`> [not done] requires={2} -> entries={5}\n\
                   5 ⚠   ⚐   > <Scheduler `scheduler-1`> [not done] -> entries={}\n\
                   5 --end-- << <Scheduler `scheduler-1`> exits={}\n\
                   4 --end-- < <Scheduler `outer`> exits={5}\n";
    assert_eq!(s.list(), listing);
    let dot = s.dot();
    for line in [
        "anchor_2 [shape=\"point\",style=\"invis\"]",
        "1 -> anchor_2 [lhead=cluster_2];",
        "anchor_2 -> 3 [ltail=cluster_2];",
        "anchor_5 [shape=\"point\",style=\"invis\"]",
        "anchor_2 -> anchor_5 [ltail=cluster_2,lhead=cluster_4];",
    ] {
        assert!(dot.lines().any(|l| l == line), "`{line}` not in\n{dot}");
    }
    check_dot_edges(&dot);
    let mermaid = s.mermaid();
    for line in ["  j1 --> s2", "  s2 --> j3", "  s2 --> s4"] {
        assert!(
            mermaid.lines().any(|l| l == line),
            "`{line}` not in\n{mermaid}"
        );
    }
    assert!(mermaid.contains("subgraph s5[\"5: scheduler-1\"]\n    end\n"));

    let outcome = s.run().await.unwrap();
    assert_eq!(outcome.value(b), Some(&2));
    for nested in [empty, outer, inner] {
        assert_eq!(outcome.state(nested), Some(State::Done));
    }
    let after = listing.replace("⚐", "☓").replace("[not done]", "[done]");
    let after = after.replace("⚠   ☓", "⚠ ☉ ☓");
    assert_eq!(outcome.list(), after);
    let dot = outcome.dot();
    assert!(dot.contains("1 -> anchor_2 [lhead=cluster_2];"), "{dot}");
    check_dot_edges(&dot);
    assert!(outcome.mermaid().contains("class s5 critical,done"));
    assert!(outcome.debrief().contains("----- 4 done = 4 job(s)"));
}

/// A custom job with a shutdown hook that counts its runs and hook calls.
struct Counted {
    runs: Arc<AtomicUsize>,
    hooks: Arc<AtomicUsize>,
}

impl Job for Counted {
    type Output = usize;

    fn run(&mut self) -> impl Future<Output = Result<usize, BoxError>> + Send + 'static {
        let run = self.runs.fetch_add(1, SeqCst) + 1;
        async move { Ok(run) }
    }

    fn shutdown(&mut self) -> impl Future<Output = Result<(), BoxError>> + Send + 'static {
        self.hooks.fetch_add(1, SeqCst);
        std::future::ready(Ok(()))
    }

    fn has_shutdown(&self) -> bool {
        true
    }
}

#[tokio::test(start_paused = true)]
async fn a_scheduler_cannot_be_run_twice() {
    // asynciojobs §2.8: a second run skipped successors and crashed, and its
    // shutdown broadcast never ran again. Here `run` consumes the scheduler: running
    // it twice does not compile (see the `compile_fail` example of
    // `Scheduler::run`). A workflow runs again by building it again, and the second
    // run is whole: every job runs, every hook runs, once per run.
    let (runs, hooks) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let trace = Trace::new();
    let build = || {
        let mut s = Scheduler::new().with_window(2);
        let mut seq = s.sequence();
        seq.add(trace.job("first", 10)).label("first");
        let counted = seq.add(Counted {
            runs: runs.clone(),
            hooks: hooks.clone(),
        });
        let counted = counted.id();
        let last = seq.add(trace.job("last", 10)).label("last").id();
        let mut inner = Scheduler::new();
        let deep = inner
            .add(Hooked::new(&trace, "deep", 10, Hook::Takes(0)))
            .id();
        let inner = s.add(inner).requires(last).id();
        (s, counted, last, deep, inner)
    };
    for round in 1..=2 {
        let (s, counted, last, deep, inner) = build();
        let start = Instant::now();
        let outcome = s.run().await.unwrap();
        assert_eq!(ms_since(start), 30, "round {round}");
        assert_eq!(outcome.value(counted), Some(&round), "round {round}");
        assert_eq!(outcome.value(last), Some(&"last"), "round {round}");
        assert_eq!(outcome.value(deep), Some(&"deep"), "round {round}");
        assert_eq!(outcome.state(inner), Some(State::Done), "round {round}");
        assert_eq!(outcome.counts().done, 4, "round {round}");
        assert_eq!(runs.load(SeqCst), round, "round {round}");
        assert_eq!(hooks.load(SeqCst), round, "round {round}");
        assert_eq!(trace.count("deep:down>"), round, "round {round}");
    }
}

#[tokio::test(start_paused = true)]
async fn shutdown_hooks_run_for_every_kind_of_job() {
    // asynciojobs §1.3: `close_all_jobs()` raised `AttributeError` on any job but a
    // plain `Job`. Here the end of a run shuts down every kind of job alike: custom
    // jobs with hooks, among plain futures, infallible ones, jobs with inputs,
    // sequences, forever jobs, failed ones and nested schedulers (two levels); the
    // jobs without a hook report none.
    for mode in [Mode::Tasks, Mode::Local] {
        let trace = Trace::new();
        let mut s = Scheduler::new();
        let plain = s.add(trace.job("plain", 10)).id();
        let inf = s.add(infallible(async { 3 })).id();
        let with = s
            .add_with((inf,), |(n,)| async move { Ok::<_, std::io::Error>(n * 2) })
            .id();
        let mut seq = s.sequence();
        let h_seq = seq
            .add(Hooked::new(&trace, "h_seq", 10, Hook::Takes(0)))
            .id();
        seq.add(trace.job("seq_plain", 10));
        let h_forever = s
            .add(Hooked::new(&trace, "h_forever", 0, Hook::Takes(0)).ending(End::Never))
            .forever(true)
            .id();
        let h_failed = Hooked::new(&trace, "h_failed", 10, Hook::Takes(0)).ending(End::Err);
        let h_failed = s.add(h_failed).noncritical().id();
        let mut level2 = Scheduler::new();
        let h_deep = level2
            .add(Hooked::new(&trace, "h_deep", 10, Hook::Takes(0)))
            .id();
        let mut level1 = Scheduler::new();
        level1.add(trace.job("nested_plain", 10));
        let h_nested = level1
            .add(Hooked::new(&trace, "h_nested", 10, Hook::Takes(0)))
            .id();
        let level2 = level1.add(level2).id();
        let level1 = s.add(level1).id();
        let local = match mode {
            Mode::Local => Some(
                s.add_local(|| async {
                    let rc = std::rc::Rc::new(5);
                    tokio::task::yield_now().await;
                    Ok::<_, std::io::Error>(*rc)
                })
                .id(),
            ),
            Mode::Tasks => None,
        };
        let outcome = run_in(s, mode).await.unwrap();
        let hooked: [(JobId, &str); 5] = [
            (h_seq.id(), "h_seq"),
            (h_forever.id(), "h_forever"),
            (h_failed.id(), "h_failed"),
            (h_nested.id(), "h_nested"),
            (h_deep.id(), "h_deep"),
        ];
        for (job, name) in hooked {
            assert_eq!(trace.count(&format!("{name}:down>")), 1, "{mode:?}: {name}");
            let status = outcome.report(job).unwrap().shutdown();
            assert!(
                matches!(status, Some(ShutdownStatus::Ok)),
                "{mode:?}: {name}: {status:?}"
            );
        }
        let mut plain_jobs = vec![plain.id(), inf.id(), with.id(), level1.id(), level2.id()];
        plain_jobs.extend(local.map(|l| l.id()));
        for job in plain_jobs {
            let report = outcome.report(job).unwrap();
            assert!(report.shutdown().is_none(), "{mode:?}: {job:?}");
            assert_eq!(report.state(), State::Done, "{mode:?}: {job:?}");
        }
        assert_eq!(outcome.value(with), Some(&6), "{mode:?}");
        assert_eq!(outcome.state(h_forever), Some(State::Cancelled), "{mode:?}");
        assert_eq!(outcome.state(h_failed), Some(State::Failed), "{mode:?}");
        if let Some(local) = local {
            assert_eq!(outcome.value(local), Some(&5));
        }
    }
}

/// Counts the values made and dropped.
#[derive(Clone, Default)]
struct Tokens(Arc<(AtomicUsize, AtomicUsize)>);

struct Token(Tokens);

impl Drop for Token {
    fn drop(&mut self) {
        self.0.0.1.fetch_add(1, SeqCst);
    }
}

impl Tokens {
    fn job(&self, ms: u64) -> impl Future<Output = Result<(), std::io::Error>> + Send + 'static {
        self.0.0.fetch_add(1, SeqCst);
        let token = Token(self.clone());
        async move {
            let _token = token;
            tokio::time::sleep(Duration::from_millis(ms)).await;
            Ok(())
        }
    }

    fn counts(&self) -> (usize, usize) {
        (self.0.0.load(SeqCst), self.0.1.load(SeqCst))
    }
}

/// `boom` fails at 10 ms: `slow` is cancelled, `queued` (behind the window) and
/// `idle` never start, nor does `never`, a nested scheduler of two levels. 6 tokens.
fn ends_early(tokens: &Tokens) -> Scheduler {
    let mut level2 = Scheduler::new();
    level2.add(tokens.job(10));
    let mut never = Scheduler::new();
    never.add(tokens.job(10));
    never.add(level2);
    let mut s = Scheduler::new().with_window(2);
    let boom = s
        .add(async {
            tokio::time::sleep(ms(10)).await;
            Err::<(), _>(std::io::Error::other("boom"))
        })
        .label("boom")
        .id();
    s.add(tokens.job(1000)).label("slow");
    s.add(tokens.job(10)).label("queued");
    s.add(tokens.job(10)).label("idle").requires(boom);
    s.add(never).requires(boom);
    s.add(tokens.job(10)).label("also queued");
    s
}

#[tokio::test(start_paused = true)]
async fn idle_jobs_are_closed_when_the_run_returns() {
    // asynciojobs 0.20 added `close_idle_jobs()` and `close_all_jobs()` to close the
    // coroutines that never ran (Python warns about them). Here nothing is left to
    // close: when `run` returns, the futures of the jobs that never started, nested
    // ones included, have been dropped, as have those of the cancelled ones.
    for mode in [Mode::Tasks, Mode::Local] {
        let tokens = Tokens::default();
        let s = ends_early(&tokens);
        assert_eq!(tokens.counts(), (6, 0));
        let failure = run_in(s, mode).await.unwrap_err();
        assert_eq!(failure.critical_job().map(|(job, _)| job), Some("boom"));
        assert_eq!(tokens.counts(), (6, 6), "{mode:?}");
        let counts = failure.outcome.counts();
        assert_eq!(
            (counts.failed, counts.cancelled, counts.idle),
            (1, 3, 2),
            "{mode:?}: {:?}",
            failure.outcome
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_jobs_are_closed_when_the_run_returns_on_multi_thread() {
    let tokens = Tokens::default();
    let failure = run_in(ends_early(&tokens), Mode::Tasks).await.unwrap_err();
    assert_eq!(failure.critical_job().map(|(job, _)| job), Some("boom"));
    assert_eq!(tokens.counts(), (6, 6));
}

#[tokio::test(start_paused = true)]
async fn debrief_shows_noncritical_errors() {
    // asynciojobs: `debrief()` printed the stacks of critical exceptions only; the
    // branch for the non-critical ones could never run. Here the debrief (and the
    // summary) name every failure, non-critical ones and those inside nested
    // schedulers included, with the error and its causes.
    let trace = Trace::new();
    let mut s = Scheduler::new();
    s.add(trace.job("fine", 10)).label("fine");
    s.add(trace.run("boom", 10, End::Err))
        .label("boom")
        .noncritical();
    s.add(trace.run("pan", 10, End::Panic))
        .label("pan")
        .noncritical();
    let mut inner = Scheduler::new().with_label("inner");
    inner.add(trace.run("deep", 10, End::Err)).label("deep");
    s.add(inner).noncritical();
    let outcome = s.run().await.unwrap();
    let debrief = outcome.debrief();
    assert!(debrief.starts_with("----- why: FINE\n"), "{debrief}");
    for line in [
        "2   ★ ☓   <Job `boom`> !! exception => boom failed!!",
        "3   ★ ☓   <Job `pan`> !! exception => panicked: pan panicked!!",
        "5 ⚠ ★ ☓   > <Job `deep`> !! CRIT. EXC. => deep failed!!",
    ] {
        assert!(
            debrief.lines().any(|l| l == line),
            "`{line}` not in\n{debrief}"
        );
    }
    let summary = "----- 1 done + 3 failed = 4 job(s)\n\
                   ----- 4 failure(s)\n\
                   non-critical `boom`: boom failed\n\
                   non-critical `pan`: panicked: pan panicked\n\
                   critical `inner/deep`: deep failed\n\
                   non-critical `inner`: nested scheduler failed: critical job `deep` failed: deep failed\n";
    assert_eq!(outcome.summary(), summary);
    assert!(debrief.ends_with(summary), "{debrief}");
}

#[tokio::test(start_paused = true)]
async fn nested_scheduler_shutdown_is_recursive() {
    // asynciojobs §2.7: a nested scheduler's jobs get their `co_shutdown` when their
    // enclosing scheduler ends, through a recursion guarded by a sticky flag. Here,
    // three levels: each job's hook runs once, when its own scheduler ends, and its
    // status lands in that scheduler's outcome; the jobs of a nested scheduler that
    // never ran (two levels deep) are shut down with its parent's.
    //
    // root (timeout 500 ms): top 50 ms; L1; slow 1 s; N1 requires slow (never runs)
    //   L1: mid 200 ms; L2
    //     L2: deep 100 ms
    //   N1: never1; N2
    //     N2: never2
    // Every hook takes 10 ms.
    let trace = Trace::new();
    let hooked = |name| Hooked::new(&trace, name, 0, Hook::Takes(10));
    let mut l2 = Scheduler::new().with_label("L2");
    let deep = l2
        .add(Hooked {
            ms: 100,
            ..hooked("deep")
        })
        .id();
    let mut l1 = Scheduler::new().with_label("L1");
    let mid = l1
        .add(Hooked {
            ms: 200,
            ..hooked("mid")
        })
        .id();
    let l2 = l1.add(l2).id();
    let mut n2 = Scheduler::new().with_label("N2");
    let never2 = n2.add(hooked("never2")).id();
    let mut n1 = Scheduler::new().with_label("N1");
    let never1 = n1.add(hooked("never1")).id();
    n1.add(n2);
    let mut s = Scheduler::new().with_timeout(ms(500));
    let top = s
        .add(Hooked {
            ms: 50,
            ..hooked("top")
        })
        .id();
    let l1 = s.add(l1).id();
    let slow = s.add(trace.job("slow", 1000)).label("slow").id();
    let n1 = s.add(n1).requires(slow).id();
    let start = Instant::now();
    let failure = s.run().await.unwrap_err();
    assert!(failure.is_timeout());
    assert_eq!(ms_since(start), 510);
    let outcome = &failure.outcome;
    use State::*;
    let states = [deep, mid, top, never1, never2].map(|j| outcome.state(j).unwrap());
    assert_eq!(states, [Done, Done, Done, Idle, Idle]);
    let states = [l2.id(), l1.id(), slow.id(), n1.id()].map(|j| outcome.state(j).unwrap());
    assert_eq!(states, [Done, Done, Cancelled, Idle]);
    for (name, at) in [
        ("deep", 100),
        ("mid", 200),
        ("top", 500),
        ("never1", 500),
        ("never2", 500),
    ] {
        assert_eq!(trace.count(&format!("{name}:down>")), 1, "{name}");
        assert_eq!(trace.at(&format!("{name}:down>")), at, "{name}");
    }
    // L2's hooks delay L2's end, hence L1's: `mid` ends at 200 ms anyway.
    assert_eq!(trace.at("<deep:down"), 110);
    for job in [deep, mid, top, never1, never2] {
        let status = outcome.report(job).unwrap().shutdown();
        assert!(
            matches!(status, Some(ShutdownStatus::Ok)),
            "{job:?}: {status:?}"
        );
    }
    // Each status is in the outcome of the job's own scheduler.
    let l1_outcome = outcome.report(l1).unwrap().nested().unwrap();
    let l2_outcome = l1_outcome.report(l2).unwrap().nested().unwrap();
    assert!(l2_outcome.report(deep).unwrap().shutdown().is_some());
    let n1_outcome = outcome.report(n1).unwrap().nested().unwrap();
    assert!(n1_outcome.report(never2).unwrap().shutdown().is_some());
}

#[tokio::test]
async fn chain_declared_in_reverse_runs_in_order() {
    // asynciojobs §4: numbering the jobs is a fixed-point scan whose passes grow with
    // the jobs created after the jobs they require: a 10,000-job chain whose last-made
    // job runs first took 13 times longer. Here such a chain (each job requires the one
    // declared after it) runs in its order, in both modes.
    const N: usize = 10_000;
    for mode in [Mode::Tasks, Mode::Local] {
        let order = Arc::new(Mutex::new(Vec::with_capacity(N)));
        let mut s = Scheduler::new();
        s.reserve(N, N - 1);
        let ids: Vec<_> = (0..N)
            .map(|i| {
                let order = order.clone();
                s.add(infallible(async move {
                    order.lock().unwrap().push(i);
                    i
                }))
                .id()
            })
            .collect();
        for pair in ids.windows(2) {
            s.job_mut(pair[0]).unwrap().requires(pair[1]);
        }
        let outcome = run_in(s, mode).await.unwrap();
        assert_eq!(outcome.counts().done, N, "{mode:?}");
        let order = order.lock().unwrap();
        assert!(order.iter().copied().eq((0..N).rev()), "{mode:?}");
        assert_eq!(outcome.value(ids[0]), Some(&0), "{mode:?}");
    }
}
