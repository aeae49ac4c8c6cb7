//! Shutdown hooks: when a scheduler's run ends, however it ends, each of its jobs'
//! hooks runs once, concurrently, bounded by `shutdown_timeout`; their outcome is
//! reported and never changes the run's result.

use jobs_core::{Scheduler, ShutdownStatus, State};
use tokio::time::Instant;

use crate::common::{End, Hook, Hooked, Mode, Trace, hook_status, ms, ms_since, run, run_in};

#[tokio::test(start_paused = true)]
async fn hooks_run_once_each_after_every_job_has_ended() {
    // At 200 ms `k` fails: `a` is done, `b` failed, `l` is cancelled, `c` never started.
    let trace = Trace::new();
    let mut s = Scheduler::new();
    let a = s.add(Hooked::new(&trace, "a", 100, Hook::Takes(0))).id();
    let b = Hooked::new(&trace, "b", 50, Hook::Takes(0)).ending(End::Err);
    let b = s.add(b).noncritical().id();
    let l = s.add(Hooked::new(&trace, "l", 1000, Hook::Takes(0))).id();
    let c = s
        .add(Hooked::new(&trace, "c", 100, Hook::Takes(0)))
        .requires(l);
    let c = c.id();
    s.add(trace.run("k", 200, End::Err)).label("k");
    let failure = run(s).await.unwrap_err();
    assert_eq!(failure.critical_job().map(|(job, _)| job), Some("k"));
    let outcome = &failure.outcome;
    let states = [a, b, l, c].map(|j| outcome.state(j).unwrap());
    use State::*;
    assert_eq!(states, [Done, Failed, Cancelled, Idle]);
    for (name, job) in ["a", "b", "l", "c"].into_iter().zip([a, b, l, c]) {
        assert_eq!(trace.count(&format!("{name}:down>")), 1, "{name}");
        assert_eq!(trace.at(&format!("{name}:down>")), 200, "{name}");
        assert_eq!(hook_status(outcome, job), "ok", "{name}");
    }
    assert!(!trace.names().iter().any(|n| n.ends_with("while jobs run")));
}

#[tokio::test(start_paused = true)]
async fn hooks_run_concurrently_and_do_not_count_in_elapsed() {
    let trace = Trace::new();
    let mut s = Scheduler::new();
    for name in ["a", "b", "c"] {
        s.add(Hooked::new(&trace, name, 100, Hook::Takes(300)));
    }
    let start = Instant::now();
    let outcome = run(s).await.unwrap();
    assert_eq!(ms_since(start), 400);
    assert_eq!(outcome.elapsed(), ms(100));
    assert!(
        outcome
            .jobs()
            .all(|j| matches!(j.shutdown(), Some(ShutdownStatus::Ok)))
    );
}

#[tokio::test(start_paused = true)]
async fn a_hook_that_never_returns_is_cut_at_the_shutdown_timeout() {
    // The default bound is one second.
    let trace = Trace::new();
    let mut s = Scheduler::new();
    let stuck = s.add(Hooked::new(&trace, "stuck", 100, Hook::Hangs)).id();
    let fine = s
        .add(Hooked::new(&trace, "fine", 100, Hook::Takes(200)))
        .id();
    let start = Instant::now();
    let outcome = run(s).await.unwrap();
    assert_eq!(ms_since(start), 1100);
    assert_eq!(hook_status(&outcome, stuck), "timed out");
    assert_eq!(hook_status(&outcome, fine), "ok");
    assert_eq!(trace.at("stuck:down dropped"), 1100);
}

#[tokio::test(start_paused = true)]
async fn shutdown_timeout_sets_the_bound() {
    let trace = Trace::new();
    let mut s = Scheduler::new().with_shutdown_timeout(ms(300));
    let stuck = s.add(Hooked::new(&trace, "stuck", 100, Hook::Hangs)).id();
    let slow = s
        .add(Hooked::new(&trace, "slow", 100, Hook::Takes(500)))
        .id();
    let start = Instant::now();
    let outcome = run(s).await.unwrap();
    assert_eq!(ms_since(start), 400);
    assert_eq!(hook_status(&outcome, stuck), "timed out");
    assert_eq!(hook_status(&outcome, slow), "timed out");
    assert!(trace.has("slow:down dropped") && !trace.has("<slow:down"));
}

#[tokio::test(start_paused = true)]
async fn no_shutdown_timeout_waits_for_every_hook() {
    let trace = Trace::new();
    let mut s = Scheduler::new().with_shutdown_timeout(None);
    let slow = s
        .add(Hooked::new(&trace, "slow", 100, Hook::Takes(5000)))
        .id();
    let start = Instant::now();
    let outcome = run(s).await.unwrap();
    assert_eq!(ms_since(start), 5100);
    assert_eq!(hook_status(&outcome, slow), "ok");
}

#[tokio::test(start_paused = true)]
async fn failing_and_panicking_hooks_are_reported_and_do_not_change_the_result() {
    let trace = Trace::new();
    let mut s = Scheduler::new();
    let fails = s.add(Hooked::new(&trace, "fails", 100, Hook::Fails)).id();
    let panics = s.add(Hooked::new(&trace, "panics", 100, Hook::Panics)).id();
    let fine = s.add(Hooked::new(&trace, "fine", 100, Hook::Takes(0))).id();
    let outcome = run(s).await.unwrap();
    assert_eq!(hook_status(&outcome, fails), "error: fails shutdown failed");
    assert_eq!(
        hook_status(&outcome, panics),
        "panic: panicked: panics shutdown panicked"
    );
    assert_eq!(hook_status(&outcome, fine), "ok");
    assert_eq!(outcome.counts().done, 3);
}

#[tokio::test(start_paused = true)]
async fn failing_hooks_do_not_change_a_failed_result() {
    let trace = Trace::new();
    let mut s = Scheduler::new().with_shutdown_timeout(ms(100));
    s.add(Hooked::new(&trace, "fails", 1000, Hook::Fails));
    s.add(Hooked::new(&trace, "stuck", 1000, Hook::Hangs));
    s.add(trace.run("k", 50, End::Err)).label("k");
    let failure = run(s).await.unwrap_err();
    assert_eq!(failure.critical_job().map(|(job, _)| job), Some("k"));

    let mut s = Scheduler::new().with_timeout(ms(50));
    s.add(Hooked::new(&trace, "fails2", 1000, Hook::Fails));
    assert!(run(s).await.unwrap_err().is_timeout());
    assert!(trace.has("<fails2:down"));
}

#[tokio::test(start_paused = true)]
async fn a_hook_that_panics_before_returning_its_future_is_reported() {
    let trace = Trace::new();
    let mut s = Scheduler::new();
    let early = s
        .add(Hooked::new(&trace, "early", 100, Hook::PanicsEarly))
        .id();
    let fine = s.add(Hooked::new(&trace, "fine", 100, Hook::Takes(0))).id();
    let outcome = run(s).await.unwrap();
    assert_eq!(
        hook_status(&outcome, early),
        "panic: panicked: early shutdown panicked early"
    );
    assert_eq!(hook_status(&outcome, fine), "ok");
}

#[tokio::test(start_paused = true)]
async fn nested_jobs_are_shut_down_when_the_nested_scheduler_ends() {
    // `a`'s hook runs when `inner` ends (at 100 ms, for 50 ms: `after` starts at
    // 150 ms), not again when the root ends; `root_job`'s runs at the root's end.
    let trace = Trace::new();
    let mut inner = Scheduler::new();
    let a = inner
        .add(Hooked::new(&trace, "a", 100, Hook::Takes(50)))
        .id();
    let mut s = Scheduler::new();
    let inner = s.add(inner).id();
    s.add(trace.job("after", 100)).requires(inner);
    let root_job = s
        .add(Hooked::new(&trace, "root_job", 400, Hook::Takes(0)))
        .id();
    let outcome = run(s).await.unwrap();
    assert_eq!(trace.at("a:down>"), 100);
    assert_eq!(trace.at("after>"), 150);
    assert_eq!(trace.count("a:down>"), 1);
    assert_eq!(trace.at("root_job:down>"), 400);
    assert_eq!(hook_status(&outcome, a), "ok");
    assert_eq!(hook_status(&outcome, root_job), "ok");
}

#[tokio::test(start_paused = true)]
async fn hooks_of_a_cancelled_nested_scheduler_run_before_the_parent_returns() {
    let trace = Trace::new();
    let mut inner = Scheduler::new();
    let a = inner
        .add(Hooked::new(&trace, "a", 1000, Hook::Takes(50)))
        .id();
    let mut s = Scheduler::new();
    s.add(inner);
    s.add(trace.run("k", 100, End::Err));
    let start = Instant::now();
    let failure = run(s).await.unwrap_err();
    assert_eq!(ms_since(start), 150);
    assert_eq!(failure.outcome.state(a), Some(State::Cancelled));
    assert_eq!(hook_status(&failure.outcome, a), "ok");
    assert_eq!(trace.count("a:down>"), 1);
    assert_eq!(trace.at("<a:down"), 150);
}

#[tokio::test(start_paused = true)]
async fn hooks_inside_a_nested_scheduler_that_never_started_still_run() {
    // asynciojobs shuts a nested scheduler's jobs down with its parent's when the
    // nested one never ran: `inner` requires `k`, which aborts the run.
    let trace = Trace::new();
    let mut s = Scheduler::new();
    let k = s.add(trace.run("k", 100, End::Err)).id();
    let mut inner = Scheduler::new();
    let a = inner
        .add(Hooked::new(&trace, "a", 100, Hook::Takes(0)))
        .id();
    s.add(inner).requires(k);
    let failure = run(s).await.unwrap_err();
    assert_eq!(failure.outcome.state(a), Some(State::Idle));
    assert_eq!(trace.count("a:down>"), 1);
    assert_eq!(hook_status(&failure.outcome, a), "ok");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hooks_run_once_each_on_multi_thread() {
    let trace = Trace::new();
    let mut s = Scheduler::new().with_window(3);
    let names: Vec<&'static str> = (0..30)
        .map(|i| &*Box::leak(format!("h{i}").into_boxed_str()))
        .collect();
    for (i, &name) in names.iter().enumerate() {
        let end = if i % 3 == 0 { End::Err } else { End::Ok };
        s.add(Hooked::new(&trace, name, 0, Hook::Takes(0)).ending(end))
            .noncritical();
    }
    let outcome = run(s).await.unwrap();
    assert_eq!(outcome.counts().failed, 10);
    for name in names {
        assert_eq!(trace.count(&format!("{name}:down>")), 1, "{name}");
    }
    assert!(
        outcome
            .jobs()
            .all(|j| matches!(j.shutdown(), Some(ShutdownStatus::Ok)))
    );
}

#[tokio::test(start_paused = true)]
async fn a_sooner_bound_reaches_the_hooks_of_a_nested_scheduler_winding_down() {
    // `inner` ends at 10 ms, and its hook starts (20 ms, bounded at 10 + 500). At 15
    // ms `mid` times out and waits for `inner`'s hooks (its own bound: 15 + 500). At
    // 20 ms `k` fails: the run ends, and everything must be done by 20 + 5 ms. The
    // bound reaches `inner` through `mid`, which is winding down already.
    for mode in [Mode::Tasks, Mode::Local] {
        let trace = Trace::new();
        let mut inner = Scheduler::new().with_shutdown_timeout(ms(500));
        inner.add(trace.run("a", 10, End::Ok));
        let h = inner.add(Hooked::new(&trace, "h", 0, Hook::Takes(20))).id();
        let mut mid = Scheduler::new()
            .with_timeout(ms(15))
            .with_shutdown_timeout(ms(500));
        mid.add(inner);
        let mut s = Scheduler::new().with_shutdown_timeout(ms(5));
        s.add(mid).noncritical();
        s.add(trace.run("k", 20, End::Err));
        let start = Instant::now();
        let failure = run_in(s, mode).await.unwrap_err();
        assert_eq!(ms_since(start), 25, "{mode:?}");
        assert_eq!(hook_status(&failure.outcome, h), "timed out", "{mode:?}");
        assert!(
            trace.has("h:down dropped") && !trace.has("<h:down"),
            "{mode:?}"
        );
    }
}
