//! Faults never hang a run nor lose its outcome: errors and panics in jobs, in
//! shutdown hooks and inside nested schedulers, hooks that never return, timeouts that
//! expire while hooks run, jobs that block their thread, and jobs whose error is
//! itself a cancellation.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::time::Duration;

use jobs_core::{Events, JobErrorKind, JobId, Outcome, Reason, Scheduler, State};
use tokio::time::Instant;

use crate::common::{End, Hook, Hooked, Mode, Trace, hook_status, ms, ms_since, run, run_in};

/// Every job, nested ones included, depth first in declaration order: `label state`,
/// with `> ` per level of nesting.
fn states(outcome: &Outcome) -> Vec<String> {
    fn walk(outcome: &Outcome, depth: usize, out: &mut Vec<String>) {
        for job in outcome.jobs() {
            out.push(format!(
                "{}{} {}",
                "> ".repeat(depth),
                job.label(),
                job.state()
            ));
            if let Some(nested) = job.nested() {
                walk(nested, depth + 1, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(outcome, 0, &mut out);
    out
}

/// How many times each job reached a final state (done, failed, cancelled, skipped)
/// in the event stream, which ends with the run.
async fn final_events(mut events: Events) -> BTreeMap<JobId, usize> {
    let mut finals = BTreeMap::new();
    while let Some(event) = events.next().await {
        if !matches!(event.state, State::Scheduled | State::Running | State::Idle) {
            *finals.entry(event.job).or_default() += 1;
        }
    }
    finals
}

#[tokio::test(start_paused = true)]
async fn errors_and_panics_everywhere_are_each_reported_once() {
    // One workflow with a fault of every kind, run twice: without and with a critical
    // job (`fatal`) that panics at 120 ms, while `after` runs and `inner` runs its hooks.
    //
    // root (shutdown_timeout 200 ms)
    //   ok          100 ms
    //   err         noncritical, fails at 100 ms
    //   panic       noncritical, panics at 100 ms
    //   after       requires err and panic: 100..200 ms
    //   starved     noncritical, consumes panic's output: skipped
    //   h_fails, h_panics, h_early: 100 ms, their hooks fail, panic, panic early
    //   h_job_panics: noncritical custom job that panics at 100 ms; its hook is fine
    //   inner       noncritical nested, shutdown_timeout 100 ms
    //     i_boom    critical, panics at 50 ms: `inner` fails
    //     i_long    1 s, cancelled at 50 ms; its hook panics
    //     i_hang    10 ms; its hook never returns, cut at 150 ms
    //     i_idle    requires i_long: never starts
    //   inner2      critical nested
    //     j_err     noncritical, fails at 30 ms
    //     j_ok      60 ms; its hook fails
    //   [fatal]     critical, panics at 120 ms
    for fatal in [false, true] {
        let trace = Trace::new();
        let mut s = Scheduler::new().with_shutdown_timeout(ms(200));
        let ok = s.add(trace.job("ok", 100)).label("ok").id();
        let err = s.add(trace.run("err", 100, End::Err)).label("err");
        let err = err.noncritical().id();
        let panic = s.add(trace.run("panic", 100, End::Panic)).label("panic");
        let panic = panic.noncritical().id();
        let after = s.add(trace.job("after", 100)).label("after");
        let after = after.requires(err).requires(panic).id();
        let starved = s
            .add_with((panic,), |_| async { Ok::<_, std::io::Error>(()) })
            .label("starved")
            .noncritical()
            .id();
        let h_fails = s.add(Hooked::new(&trace, "h_fails", 100, Hook::Fails)).id();
        let h_panics = s.add(Hooked::new(&trace, "h_panics", 100, Hook::Panics));
        let h_panics = h_panics.id();
        let h_early = s.add(Hooked::new(&trace, "h_early", 100, Hook::PanicsEarly));
        let h_early = h_early.id();
        let h_job_panics = Hooked::new(&trace, "h_job_panics", 100, Hook::Takes(0));
        let h_job_panics = s.add(h_job_panics.ending(End::Panic)).noncritical().id();

        let mut inner = Scheduler::new()
            .with_label("inner")
            .with_shutdown_timeout(ms(100));
        let i_boom = inner.add(trace.run("i_boom", 50, End::Panic));
        let i_boom = i_boom.label("i_boom").id();
        let i_long = inner
            .add(Hooked::new(&trace, "i_long", 1000, Hook::Panics))
            .id();
        let i_hang = inner
            .add(Hooked::new(&trace, "i_hang", 10, Hook::Hangs))
            .id();
        let i_idle = inner.add(trace.job("i_idle", 10)).label("i_idle");
        let i_idle = i_idle.requires(i_long).id();
        let inner = s.add(inner).noncritical().id();

        let mut inner2 = Scheduler::new().with_label("inner2");
        let j_err = inner2.add(trace.run("j_err", 30, End::Err)).label("j_err");
        let j_err = j_err.noncritical().id();
        let j_ok = inner2
            .add(Hooked::new(&trace, "j_ok", 60, Hook::Fails))
            .id();
        let inner2 = s.add(inner2).id();
        let fatal = fatal.then(|| {
            let job = s.add(trace.run("fatal", 120, End::Panic)).label("fatal");
            job.id()
        });

        let events = s.events();
        let start = Instant::now();
        let result = run(s).await;
        let end = ms_since(start);
        let finals = final_events(events).await;

        let case = format!("fatal={}", fatal.is_some());
        let outcome = match (&result, fatal) {
            (Ok(outcome), None) => outcome,
            (Err(failure), Some(_)) => {
                let (job, error) = failure.critical_job().expect("a critical failure");
                assert_eq!(job, "fatal");
                assert!(error.is_panic(), "{error:?}");
                assert_eq!(error.to_string(), "panicked: fatal panicked");
                &failure.outcome
            }
            (Ok(_), Some(_)) => panic!("{case}: the run succeeded"),
            (Err(failure), None) => panic!("{case}: the run failed: {failure}"),
        };
        // Without `fatal`, the root's last job (`after`) ends at 200 ms; with it, the
        // root fails at 120 ms and waits for `inner`'s hooks (cut at 150 ms). The
        // root's own hooks all end at once.
        assert_eq!(end, if fatal.is_some() { 150 } else { 200 }, "{case}");
        let after_state = if fatal.is_some() { "cancelled" } else { "done" };
        let mut expected = vec![
            "ok done".to_owned(),
            "err failed".into(),
            "panic failed".into(),
            format!("after {after_state}"),
            "starved skipped".into(),
            "h_fails done".into(),
            "h_panics done".into(),
            "h_early done".into(),
            "h_job_panics failed".into(),
            "inner failed".into(),
            "> i_boom failed".into(),
            "> i_long cancelled".into(),
            "> i_hang done".into(),
            "> i_idle idle".into(),
            "inner2 done".into(),
            "> j_err failed".into(),
            "> j_ok done".into(),
        ];
        if fatal.is_some() {
            expected.push("fatal failed".into());
        }
        assert_eq!(states(outcome), expected, "{case}");

        // Each job that left idle reached a final state exactly once; idle ones none.
        let mut every: Vec<JobId> = vec![
            ok.id(),
            err.id(),
            panic.id(),
            after.id(),
            starved.id(),
            h_fails.id(),
            h_panics.id(),
            h_early.id(),
            h_job_panics.id(),
            inner.id(),
            i_boom.id(),
            i_long.id(),
            i_hang.id(),
            inner2.id(),
            j_err.id(),
            j_ok.id(),
        ];
        every.extend(fatal.map(|f| f.id()));
        for job in &every {
            assert_eq!(finals.get(job), Some(&1), "{case}: {job:?}");
        }
        assert_eq!(finals.len(), every.len(), "{case}: {finals:?}");
        assert_eq!(finals.get(&i_idle.id()), None, "{case}");

        // Errors and panics are told apart, and keep their payloads.
        let error = |job: JobId| outcome.report(job).unwrap().error().unwrap().clone();
        let e = error(err.id());
        assert!(!e.is_panic());
        assert_eq!(
            e.downcast_ref::<std::io::Error>().map(|e| e.to_string()),
            Some("err failed".to_owned())
        );
        let e = error(panic.id());
        assert!(e.is_panic());
        assert!(matches!(e.kind(), JobErrorKind::Panic(m) if m == "panic panicked"));
        assert!(e.downcast_ref::<std::io::Error>().is_none());
        assert!(error(h_job_panics.id()).is_panic());
        assert!(matches!(
            error(starved.id()).kind(),
            JobErrorKind::Skipped { input } if input == "panic"
        ));
        assert!(!error(j_err.id()).is_panic());
        let e = error(i_boom.id());
        assert!(e.is_panic());
        match error(inner.id()).kind() {
            JobErrorKind::Nested(Reason::Critical { job, error }) => {
                assert_eq!(job, "i_boom");
                assert!(error.is_panic());
                assert_eq!(error.to_string(), "panicked: i_boom panicked");
            }
            other => panic!("{case}: unexpected {other:?}"),
        }
        assert_eq!(outcome.value(ok), Some(&"ok"));
        let inner2_outcome = outcome.value(inner2).expect("inner2 is done");
        assert_eq!(inner2_outcome.value(j_ok), Some(&"j_ok"));
        assert_eq!(inner2_outcome.counts().failed, 1);

        // Hook statuses, and each hook started at most once.
        let hooks = [
            (h_fails.id(), "error: h_fails shutdown failed"),
            (h_panics.id(), "panic: panicked: h_panics shutdown panicked"),
            (
                h_early.id(),
                "panic: panicked: h_early shutdown panicked early",
            ),
            (h_job_panics.id(), "ok"),
            (i_long.id(), "panic: panicked: i_long shutdown panicked"),
            (i_hang.id(), "timed out"),
            (j_ok.id(), "error: j_ok shutdown failed"),
        ];
        for (job, status) in hooks {
            assert_eq!(hook_status(outcome, job), status, "{case}: {job:?}");
        }
        for job in [ok.id(), err.id(), inner.id(), inner2.id(), i_boom.id()] {
            assert_eq!(hook_status(outcome, job), "none", "{case}: {job:?}");
        }
        for name in [
            "h_fails",
            "h_panics",
            "h_job_panics",
            "i_long",
            "i_hang",
            "j_ok",
        ] {
            assert_eq!(trace.count(&format!("{name}:down>")), 1, "{case}: {name}");
        }
        // `h_early` panicked before making its hook's future.
        assert!(!trace.has("h_early:down>"), "{case}");
        assert_eq!(trace.at("i_hang:down dropped"), 150, "{case}");
        assert!(!trace.has("<i_hang:down"), "{case}");
        assert_eq!(trace.live.now(), 0, "{case}: a job outlived the run");
        // The outcome keeps the nested schedulers' own results.
        let inner_outcome = outcome.report(inner).unwrap().nested().unwrap();
        assert_eq!(inner_outcome.elapsed(), ms(50), "{case}");
        assert!(
            matches!(inner_outcome.reason(), Some(Reason::Critical { job, .. }) if job == "i_boom"),
            "{case}: {:?}",
            inner_outcome.reason()
        );
        let debrief = outcome.debrief();
        for line in [
            "non-critical `err`: err failed",
            "non-critical `panic`: panicked: panic panicked",
            "critical `inner/i_boom`: panicked: i_boom panicked",
            "non-critical `inner2/j_err`: j_err failed",
        ] {
            assert!(debrief.contains(line), "{case}: `{line}` not in\n{debrief}");
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_hanging_hook_in_a_nested_scheduler_is_cut_at_its_shutdown_timeout() {
    // `inner`'s job ends at 100 ms, its hook hangs until `inner`'s own shutdown
    // timeout (300 ms) cuts it at 400 ms; `inner` then reports, and `after` runs
    // 400..500 ms. The root's shutdown timeout (default 1 s) plays no part.
    let trace = Trace::new();
    let mut inner = Scheduler::new()
        .with_label("inner")
        .with_shutdown_timeout(ms(300));
    let stuck = inner
        .add(Hooked::new(&trace, "stuck", 100, Hook::Hangs))
        .id();
    let fine = inner
        .add(Hooked::new(&trace, "fine", 100, Hook::Takes(50)))
        .id();
    let mut s = Scheduler::new();
    let inner = s.add(inner).id();
    let after = s.add(trace.job("after", 100)).requires(inner).id();
    let start = Instant::now();
    let outcome = run(s).await.unwrap();
    assert_eq!(ms_since(start), 500);
    assert_eq!(outcome.elapsed(), ms(500));
    assert_eq!(trace.at("stuck:down>"), 100);
    assert_eq!(trace.at("stuck:down dropped"), 400);
    assert_eq!(trace.at("<fine:down"), 150);
    assert_eq!(trace.at("after>"), 400);
    assert_eq!(hook_status(&outcome, stuck), "timed out");
    assert_eq!(hook_status(&outcome, fine), "ok");
    assert_eq!(outcome.state(inner), Some(State::Done));
    assert_eq!(outcome.value(after), Some(&"after"));
    // The nested run took 100 ms; its hooks do not count in its elapsed time.
    assert_eq!(outcome.value(inner).unwrap().elapsed(), ms(100));
    assert_eq!(trace.count("stuck:down>"), 1);
    assert_eq!(trace.count("fine:down>"), 1);
}

#[tokio::test(start_paused = true)]
async fn the_parent_timeout_expires_while_a_nested_scheduler_runs_its_hooks() {
    // `inner`'s jobs end at 100 ms; its hooks run 100..600 ms (one hangs, cut by its
    // shutdown timeout of 500 ms; one takes 300 ms). The root times out at 200 ms,
    // while they run: the hooks are not cut by the root's timeout (they are bounded by
    // `inner`'s shutdown timeout), `inner` reports at 600 ms, then the root's own hook
    // runs (50 ms). Every hook runs once.
    let trace = Trace::new();
    let mut inner = Scheduler::new()
        .with_label("inner")
        .with_shutdown_timeout(ms(500));
    let stuck = inner
        .add(Hooked::new(&trace, "stuck", 100, Hook::Hangs))
        .id();
    let slow = inner
        .add(Hooked::new(&trace, "slow", 100, Hook::Takes(300)))
        .id();
    let mut s = Scheduler::new().with_timeout(ms(200));
    let inner = s.add(inner).id();
    let root_job = s
        .add(Hooked::new(&trace, "root_job", 50, Hook::Takes(50)))
        .id();
    let start = Instant::now();
    let failure = run(s).await.unwrap_err();
    assert!(failure.is_timeout(), "{failure}");
    assert_eq!(ms_since(start), 650);
    let outcome = &failure.outcome;
    assert_eq!(outcome.elapsed(), ms(200));
    // `inner` had ended when the root cancelled it, while its hooks ran: it keeps
    // its result, and the results of its jobs.
    assert_eq!(outcome.state(inner), Some(State::Done));
    assert_eq!(outcome.value(stuck), Some(&"stuck"));
    assert_eq!(outcome.state(stuck), Some(State::Done));
    assert_eq!(outcome.state(slow), Some(State::Done));
    assert_eq!(outcome.state(root_job), Some(State::Done));
    let inner_outcome = outcome.report(inner).unwrap().nested().unwrap();
    assert!(inner_outcome.is_success(), "{}", inner_outcome.why());
    assert_eq!(inner_outcome.elapsed(), ms(100));
    assert_eq!(hook_status(outcome, stuck), "timed out");
    assert_eq!(hook_status(outcome, slow), "ok");
    assert_eq!(hook_status(outcome, root_job), "ok");
    assert_eq!(trace.at("stuck:down dropped"), 600);
    assert_eq!(trace.at("<slow:down"), 400);
    assert_eq!(trace.at("root_job:down>"), 600);
    for name in ["stuck", "slow", "root_job"] {
        assert_eq!(trace.count(&format!("{name}:down>")), 1, "{name}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_timeout_while_nested_jobs_run_then_hooks_at_both_levels() {
    // The root times out at 100 ms while `inner`'s job runs (1 s): `inner` is
    // cancelled, its hooks run 100..400 ms (one cut by its 300 ms shutdown timeout),
    // then the root's hook runs 400..450 ms.
    let trace = Trace::new();
    let mut inner = Scheduler::new()
        .with_label("inner")
        .with_shutdown_timeout(ms(300));
    let long = inner
        .add(Hooked::new(&trace, "long", 1000, Hook::Takes(200)))
        .id();
    let stuck = inner
        .add(Hooked::new(&trace, "stuck", 10, Hook::Hangs))
        .id();
    let mut s = Scheduler::new().with_timeout(ms(100));
    let inner = s.add(inner).id();
    let root_job = s
        .add(Hooked::new(&trace, "root_job", 2000, Hook::Takes(50)))
        .id();
    let start = Instant::now();
    let failure = run(s).await.unwrap_err();
    assert!(failure.is_timeout());
    assert_eq!(ms_since(start), 450);
    let outcome = &failure.outcome;
    let states =
        [inner.id(), long.id(), stuck.id(), root_job.id()].map(|j| outcome.state(j).unwrap());
    use State::*;
    assert_eq!(states, [Cancelled, Cancelled, Done, Cancelled]);
    assert_eq!(hook_status(outcome, long), "ok");
    assert_eq!(hook_status(outcome, stuck), "timed out");
    assert_eq!(hook_status(outcome, root_job), "ok");
    assert_eq!(trace.at("long:down>"), 100);
    assert_eq!(trace.at("<long:down"), 300);
    assert_eq!(trace.at("stuck:down dropped"), 400);
    assert_eq!(trace.at("root_job:down>"), 400);
    for name in ["long", "stuck", "root_job"] {
        assert_eq!(trace.count(&format!("{name}:down>")), 1, "{name}");
    }
    // No hook ran while a job still did.
    assert!(!trace.names().iter().any(|n| n.ends_with("while jobs run")));
    assert_eq!(trace.live.now(), 0);
}

#[tokio::test(start_paused = true)]
async fn the_run_timeout_does_not_cut_the_hooks() {
    // The job ends at 100 ms, within the 500 ms timeout: the run succeeds although its
    // hook ends at 1100 ms, past the timeout (the hooks are bounded by the shutdown
    // timeout only, here 2 s).
    let trace = Trace::new();
    let mut s = Scheduler::new()
        .with_timeout(ms(500))
        .with_shutdown_timeout(ms(2000));
    let job = s
        .add(Hooked::new(&trace, "job", 100, Hook::Takes(1000)))
        .id();
    let start = Instant::now();
    let outcome = run(s).await.unwrap();
    assert_eq!(ms_since(start), 1100);
    assert_eq!(outcome.elapsed(), ms(100));
    assert_eq!(outcome.value(job), Some(&"job"));
    assert_eq!(hook_status(&outcome, job), "ok");
    assert_eq!(trace.count("job:down>"), 1);
}

// Jobs that block their thread (`std::thread::sleep`, heavy computation, blocking I/O)
// are not preempted: tokio cannot interrupt a poll. What the run does about it
// depends on the runtime:
//
// - on a multi-thread runtime, the blocked worker is lost while the job blocks; the
//   other worker goes on running the other jobs (and the scheduler's own task), so the
//   run goes on and completes once the blocking job returns;
// - on a current-thread runtime (and in single-task mode, `run_local`, on any runtime)
//   the one thread is blocked: no other job, no timer and not the run's timeout can
//   act until the blocking job yields. The timeout is then seen late: the blocking job
//   has finished (and keeps its value); the jobs that were still pending are
//   cancelled.
//
// These two tests use real time, with a short block (200 ms) and no upper bound on
// how long anything takes.

const BLOCK: Duration = Duration::from_millis(200);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocking_job_does_not_stop_the_others_on_multi_thread() {
    let blocking = Arc::new(AtomicBool::new(false));
    let finished_while_blocked = Arc::new(AtomicUsize::new(0));
    let mut s = Scheduler::new();
    // Each witness waits (on timers, which the free worker drives) until the blocking
    // job has started, does a little work, then notes whether it still blocks.
    let witnesses: Vec<_> = (0..8)
        .map(|i| {
            let (blocking, finished) = (blocking.clone(), finished_while_blocked.clone());
            s.add(async move {
                while !blocking.load(SeqCst) {
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
                for _ in 0..10 {
                    tokio::task::yield_now().await;
                }
                tokio::time::sleep(Duration::from_millis(1)).await;
                if blocking.load(SeqCst) {
                    finished.fetch_add(1, SeqCst);
                }
                Ok::<_, std::io::Error>(i)
            })
            .id()
        })
        .collect();
    // Declared last, so that it is started last: the task spawned last is the one a
    // worker runs next (tokio's LIFO slot), and nothing is left stuck behind it.
    let blocker = s
        .add({
            let blocking = blocking.clone();
            async move {
                blocking.store(true, SeqCst);
                std::thread::sleep(BLOCK);
                blocking.store(false, SeqCst);
                Ok::<_, std::io::Error>("blocked")
            }
        })
        .label("blocker")
        .id();
    let after = s
        .add(async { Ok::<_, std::io::Error>("after") })
        .requires(blocker)
        .id();
    let outcome = tokio::time::timeout(Duration::from_secs(10), s.run())
        .await
        .expect("the run never ended")
        .unwrap();
    assert_eq!(outcome.counts().done, 10);
    assert_eq!(outcome.value(blocker), Some(&"blocked"));
    assert_eq!(outcome.value(after), Some(&"after"));
    for (i, w) in witnesses.iter().enumerate() {
        assert_eq!(outcome.value(*w), Some(&i));
    }
    assert!(
        finished_while_blocked.load(SeqCst) > 0,
        "no job finished while the blocking job held its worker"
    );
}

/// A job that blocks its thread for [`BLOCK`], then notes when it ended.
fn blocker(
    ended: &Arc<std::sync::Mutex<Option<std::time::Instant>>>,
) -> impl Future<Output = Result<&'static str, std::io::Error>> + Send + 'static {
    let ended = ended.clone();
    async move {
        std::thread::sleep(BLOCK);
        *ended.lock().unwrap() = Some(std::time::Instant::now());
        Ok("blocked")
    }
}

#[tokio::test]
async fn a_blocking_job_holds_up_everything_on_current_thread() {
    // Timeout 50 ms. `blocker` is started first and blocks the thread for 200 ms;
    // `ticker` (300 ms of timers) gets its first poll only after that; the timeout is
    // seen after that too. `blocker` is done, `ticker` cancelled, `late` (which
    // requires `ticker`) never started. The same in single-task mode.
    for mode in [Mode::Tasks, Mode::Local] {
        let case = format!("{mode:?}");
        let ended = Arc::new(std::sync::Mutex::new(None));
        let ticker_started = Arc::new(std::sync::Mutex::new(None));
        let mut s = Scheduler::new().with_timeout(ms(50));
        let block = s.add(blocker(&ended)).label("blocker").id();
        let ticker = s
            .add({
                let started = ticker_started.clone();
                async move {
                    *started.lock().unwrap() = Some(std::time::Instant::now());
                    tokio::time::sleep(ms(300)).await;
                    Ok::<_, std::io::Error>("ticker")
                }
            })
            .label("ticker")
            .id();
        let late = s
            .add(async { Ok::<_, std::io::Error>("late") })
            .requires(ticker)
            .id();
        let start = std::time::Instant::now();
        let failure = run_in(s, mode).await.unwrap_err();
        assert!(failure.is_timeout(), "{case}: {failure}");
        let outcome = &failure.outcome;
        assert_eq!(outcome.value(block), Some(&"blocked"), "{case}");
        assert_eq!(outcome.state(ticker), Some(State::Cancelled), "{case}");
        assert_eq!(outcome.state(late), Some(State::Idle), "{case}");
        // The timeout could not preempt the blocking job: it was seen after it ended.
        assert!(start.elapsed() >= BLOCK, "{case}");
        assert!(
            outcome.elapsed() >= BLOCK,
            "{case}: {:?}",
            outcome.elapsed()
        );
        // `ticker` was first polled only once `blocker` had let go of the thread.
        let ended = ended.lock().unwrap().expect("blocker ended");
        let ticked = ticker_started.lock().unwrap().expect("ticker started");
        assert!(ticked >= ended, "{case}: ticker ran while blocker blocked");
    }
}

#[tokio::test(start_paused = true)]
async fn a_job_failing_with_a_cancellation_error_is_an_ordinary_failure() {
    // The job awaits a task that was aborted, and returns the `JoinError` (a
    // cancellation) as its error. That is the job's failure: the scheduler is not
    // cancelled. Critical, it aborts the run like any other error; the run's reason
    // is that critical failure, not `Cancelled`.
    let trace = Trace::new();
    let mut inner = Scheduler::new().with_label("inner");
    let cancelled = inner
        .add(async {
            let task = tokio::spawn(std::future::pending::<()>());
            task.abort();
            task.await?;
            Ok::<_, tokio::task::JoinError>("unreachable")
        })
        .label("cancelled")
        .id();
    let inner_after = inner.add(trace.job("inner_after", 10)).requires(cancelled);
    let inner_after = inner_after.id();
    let mut s = Scheduler::new();
    let first = s.add(trace.job("first", 50)).id();
    let inner = s.add(inner).requires(first).id();
    let running = s.add(trace.job("running", 1000)).label("running").id();
    let start = Instant::now();
    let failure = run(s).await.unwrap_err();
    assert_eq!(ms_since(start), 50);
    let (job, error) = failure.critical_job().expect("a critical failure");
    assert_eq!(job, "inner");
    let JobErrorKind::Nested(Reason::Critical { job, error }) = error.kind() else {
        panic!("unexpected {error:?}");
    };
    assert_eq!(job, "cancelled");
    assert!(!error.is_panic());
    let join = error.downcast_ref::<tokio::task::JoinError>();
    assert!(join.is_some_and(|e| e.is_cancelled()), "{error:?}");
    let outcome = &failure.outcome;
    assert_eq!(outcome.state(cancelled), Some(State::Failed));
    assert_eq!(outcome.state(inner_after), Some(State::Idle));
    assert_eq!(outcome.state(inner), Some(State::Failed));
    assert_eq!(outcome.value(first), Some(&"first"));
    assert_eq!(outcome.state(running), Some(State::Cancelled));
    assert_eq!(trace.live.now(), 0);
}

/// A parent that cancels a nested scheduler bounds its shutdown hooks by its own
/// `shutdown_timeout`, counted from the cancellation, even when the nested scheduler
/// has none: at 200 ms the root times out while `inner` (done at 100 ms) waits for a
/// hook that never returns; the hook is cut at 200 ms + the root's 1 s.
#[tokio::test(start_paused = true)]
async fn the_parent_timeout_bounds_the_unbounded_hooks_of_a_nested_scheduler() {
    let trace = Trace::new();
    let mut inner = Scheduler::new()
        .with_label("inner")
        .with_shutdown_timeout(None);
    let stuck = inner
        .add(Hooked::new(&trace, "stuck", 100, Hook::Hangs))
        .id();
    let mut s = Scheduler::new().with_timeout(ms(200));
    let inner = s.add(inner).id();
    let start = Instant::now();
    let result = tokio::time::timeout(Duration::from_secs(3600), s.run()).await;
    let failure = result
        .expect("the run never ended although the root has a timeout")
        .unwrap_err();
    assert!(failure.is_timeout());
    assert_eq!(ms_since(start), 1200);
    // `inner` had ended: it keeps its result.
    assert_eq!(failure.outcome.state(inner), Some(State::Done));
    assert_eq!(hook_status(&failure.outcome, stuck), "timed out");
    assert_eq!(trace.count("stuck:down>"), 1);
    assert!(trace.has("stuck:down dropped"));
}

/// A job's future that ends at once, and panics when dropped afterwards.
struct PanicsWhenDropped;

impl Future for PanicsWhenDropped {
    type Output = Result<i32, std::io::Error>;
    fn poll(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        std::task::Poll::Ready(Ok(1))
    }
}

impl Drop for PanicsWhenDropped {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            panic!("dropped");
        }
    }
}

#[tokio::test]
async fn a_future_that_panics_when_dropped_fails_its_job_and_not_the_run() {
    for mode in [Mode::Tasks, Mode::Local] {
        let mut s = Scheduler::new();
        let bad = s.add(PanicsWhenDropped).noncritical().id();
        let after = s
            .add(async { Ok::<_, std::io::Error>(2) })
            .requires(bad)
            .id();
        let outcome = run_in(s, mode).await.unwrap();
        assert_eq!(outcome.value(after), Some(&2), "{mode:?}");
        assert_eq!(outcome.state(bad), Some(State::Failed), "{mode:?}");
        let error = outcome.report(bad).and_then(|r| r.error().cloned());
        assert!(error.is_some_and(|e| e.is_panic()), "{mode:?}");
    }
}

/// A job's future that never ends, and panics when dropped.
struct PendingPanicsWhenDropped;

impl Future for PendingPanicsWhenDropped {
    type Output = Result<(), std::io::Error>;
    fn poll(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        std::task::Poll::Pending
    }
}

impl Drop for PendingPanicsWhenDropped {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            panic!("dropped while cancelled");
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_future_that_panics_when_cancelled_is_cancelled_and_the_run_ends() {
    for mode in [Mode::Tasks, Mode::Local] {
        let mut s = Scheduler::new().with_timeout(ms(100));
        let hanging = s.add(PendingPanicsWhenDropped).id();
        let done = s.add(async { Ok::<_, std::io::Error>(1) }).id();
        let failure = run_in(s, mode).await.unwrap_err();
        assert!(matches!(failure.reason, Reason::Timeout(_)), "{mode:?}");
        assert_eq!(
            failure.outcome.state(hanging),
            Some(State::Cancelled),
            "{mode:?}"
        );
        assert_eq!(failure.outcome.value(done), Some(&1), "{mode:?}");
    }
}
