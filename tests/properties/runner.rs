//! Runs one case on a runtime of its own and reports what went wrong, with the log.

use std::fmt::Write as _;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::task::Poll;
use std::time::Duration;

use jobs_core::{Failure, GraphError, Outcome, Reason, Scheduler, State};
use proptest::test_runner::TestCaseError;

use crate::build::{Expected, Injection, Layout, build};
use crate::check::check;
use crate::model::{Case, Flavor};
use crate::probe::{Event, Rec, What, quiet_probe_panics};

/// How many yields a dropped run needed, at most, before its last job was dropped.
pub static MOST_YIELDS_AFTER_DROP: AtomicUsize = AtomicUsize::new(0);

/// The bound on those yields.
const YIELDS_AFTER_DROP: usize = 16;

fn runtime(flavor: Flavor) -> tokio::runtime::Runtime {
    match flavor {
        Flavor::Current => tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build(),
        Flavor::Multi => tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_time()
            .build(),
    }
    .expect("a runtime")
}

/// A run that does not end within this bound hangs: virtual time on the paused clock
/// (current-thread), real time on multi-thread.
fn watchdog(flavor: Flavor) -> Duration {
    match flavor {
        Flavor::Current => Duration::from_secs(3600),
        // A case needs well under a second: jobs only yield, timeouts and hooks are
        // bounded by tens of milliseconds. Real time, though: on a machine loaded by
        // other test binaries a case once took over 5 s, so the bound leaves room.
        Flavor::Multi => Duration::from_secs(20),
    }
}

fn verdict(
    mut problems: Vec<String>,
    layout: Option<&Layout>,
    events: &[Event],
    outcome: Option<&Outcome>,
) -> Result<(), TestCaseError> {
    if problems.is_empty() {
        return Ok(());
    }
    problems.sort();
    problems.dedup();
    let mut text = format!("{} violation(s):\n", problems.len());
    for p in &problems {
        let _ = writeln!(text, "  - {p}");
    }
    text.push_str("log:\n");
    for (seq, e) in events.iter().enumerate() {
        let who = layout
            .and_then(|l| l.nodes.get(e.node))
            .map_or_else(|| format!("node {}", e.node), |n| n.label.clone());
        let _ = writeln!(
            text,
            "  #{seq} {}ms {who} {:?}",
            e.at as f64 / 1000.0,
            e.what
        );
    }
    if let Some(outcome) = outcome {
        let _ = writeln!(text, "outcome: {outcome:#?}");
    }
    Err(TestCaseError::fail(text))
}

fn gauges(rec: &Rec, when: &str) -> Option<String> {
    let [futures, hooks, objects] = rec.gauges();
    (futures + hooks + objects > 0).then(|| {
        format!(
            "{when}: {futures} job futures, {hooks} hook futures, {objects} job objects still alive"
        )
    })
}

/// How a workflow is run: jobs in tokio tasks (`Scheduler::run`), or polled inside
/// the run future (`Scheduler::run_local`, on the current-thread runtime).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Tasks,
    SingleTask,
}

fn start(top: Scheduler, mode: Mode) -> Pin<Box<dyn Future<Output = Result<Outcome, Failure>>>> {
    match mode {
        Mode::Tasks => Box::pin(top.run()),
        Mode::SingleTask => Box::pin(top.run_local()),
    }
}

/// Runs a valid workflow to its end and checks every invariant.
pub fn run_case(case: &Case, mode: Mode) -> Result<(), TestCaseError> {
    quiet_probe_panics();
    runtime(case.flavor).block_on(async {
        let rec = Rec::new();
        let (top, layout, _) = build(case, &rec, None);
        let run = tokio::time::timeout(watchdog(case.flavor), start(top, mode)).await;
        let mut problems = Vec::new();
        problems.extend(gauges(&rec, "when run returned"));
        let events = rec.events();
        let Ok(result) = run else {
            problems.push("the run never ended".into());
            return verdict(problems, Some(&layout), &events, None);
        };
        let outcome = match &result {
            Ok(outcome) => outcome,
            Err(failure) => &failure.outcome,
        };
        problems.extend(result_matches_outcome(&result));
        problems.extend(check(case.flavor, &layout, &events, outcome));
        verdict(problems, Some(&layout), &events, Some(outcome))
    })
}

fn result_matches_outcome(result: &Result<Outcome, Failure>) -> Option<String> {
    match result {
        Ok(outcome) => outcome
            .reason()
            .map(|r| format!("run returned Ok, its outcome says {r}")),
        Err(failure) => {
            let said = failure.outcome.reason().map(|r| r.to_string());
            if said != Some(failure.reason.to_string()) {
                Some(format!(
                    "run failed with `{}`, its outcome says {said:?}",
                    failure.reason
                ))
            } else if matches!(failure.reason, Reason::Invalid(_) | Reason::NoRuntime) {
                Some(format!("a valid workflow failed with `{}`", failure.reason))
            } else {
                None
            }
        }
    }
}

/// When to drop the run future: after `ms` of virtual time, then `polls` more polls.
#[derive(Clone, Copy, Debug)]
pub struct DropAt {
    pub ms: u64,
    pub polls: usize,
}

/// Drops the run future mid-way: every job, nested ones included, must be dropped
/// within a few yields, and nothing may run afterwards.
pub fn drop_case(case: &Case, at: DropAt, mode: Mode) -> Result<(), TestCaseError> {
    quiet_probe_panics();
    runtime(case.flavor).block_on(async {
        let rec = Rec::new();
        let (top, layout, _) = build(case, &rec, None);
        let mut run = start(top, mode);
        let mut ended = tokio::time::timeout(Duration::from_millis(at.ms), &mut run)
            .await
            .is_ok();
        for _ in 0..at.polls {
            if ended {
                break;
            }
            ended = poll_once(run.as_mut()).await.is_ready();
            tokio::task::yield_now().await;
        }
        let cut = rec.len();
        drop(run);
        let mut yields = 0;
        while rec.gauges() != [0, 0, 0] && yields < YIELDS_AFTER_DROP {
            tokio::task::yield_now().await;
            yields += 1;
        }
        MOST_YIELDS_AFTER_DROP.fetch_max(yields, Relaxed);
        let mut problems = Vec::new();
        problems.extend(gauges(
            &rec,
            &format!("{yields} yields after the run future was dropped (#{cut})"),
        ));
        // Whatever is left gets every chance to run.
        tokio::time::sleep(Duration::from_secs(3600)).await;
        let events = rec.events();
        for (seq, e) in events.iter().enumerate().skip(cut) {
            if !matches!(e.what, What::Drop | What::HookDrop) {
                let who = layout.nodes.get(e.node).map_or("?", |n| n.label.as_str());
                problems.push(format!(
                    "#{seq}: {who} {:?} after the run future was dropped (#{cut})",
                    e.what
                ));
            }
        }
        verdict(problems, Some(&layout), &events, None)
    })
}

async fn poll_once<F: Future + ?Sized>(mut future: Pin<&mut F>) -> Poll<F::Output> {
    std::future::poll_fn(|cx| Poll::Ready(future.as_mut().poll(cx))).await
}

/// Runs a workflow with a mistake: it must be rejected before anything runs.
pub fn invalid_case(case: &Case, inject: Injection) -> Result<(), TestCaseError> {
    quiet_probe_panics();
    runtime(case.flavor).block_on(async {
        let rec = Rec::new();
        let (top, layout, expected) = build(case, &rec, Some(inject));
        let result = tokio::time::timeout(watchdog(case.flavor), top.run()).await;
        let events = rec.events();
        let mut problems = Vec::new();
        problems.extend(gauges(&rec, "when run returned"));
        let Ok(result) = result else {
            problems.push("the run of an invalid workflow never ended".into());
            return verdict(problems, Some(&layout), &events, None);
        };
        let failure = match result {
            Ok(outcome) => {
                problems.push("an invalid workflow ran".into());
                return verdict(problems, Some(&layout), &events, Some(&outcome));
            }
            Err(failure) => failure,
        };
        let error = match &failure.reason {
            Reason::Invalid(e) => Some(e),
            _ => None,
        };
        if !error.is_some_and(|e| fits(e, expected.as_ref())) {
            problems.push(format!(
                "rejected with `{}`, expected {expected:?}",
                failure.reason
            ));
        }
        let said = failure.outcome.reason().map(|r| r.to_string());
        if said != Some(failure.reason.to_string()) {
            problems.push(format!(
                "run failed with `{}`, its outcome says {said:?}",
                failure.reason
            ));
        }
        // The futures of jobs are dropped with the rejected workflow; nothing else happens.
        for (seq, e) in events.iter().enumerate() {
            if e.what != What::Drop {
                problems.push(format!(
                    "#{seq}: {:?} in a workflow rejected before anything ran",
                    e.what
                ));
            }
        }
        for node in &layout.nodes {
            let state = node.id.and_then(|id| failure.outcome.state(id));
            if state != Some(State::Idle) {
                problems.push(format!(
                    "{} is {state:?} in a rejected workflow",
                    node.label
                ));
            }
        }
        verdict(problems, Some(&layout), &events, Some(&failure.outcome))
    })
}

fn fits(error: &GraphError, expected: Option<&Expected>) -> bool {
    match (error, expected) {
        (e, Some(Expected::Exact(x))) => e == x,
        (GraphError::Cycle(path), Some(Expected::Cycle(labels))) => {
            let mut members = path[..path.len().saturating_sub(1)].to_vec();
            members.sort();
            let mut labels = labels.clone();
            labels.sort();
            path.first() == path.last() && members == labels
        }
        _ => false,
    }
}
