use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use jobs_core::{Failure, GraphError, Outcome, Reason, Scheduler, State, infallible};

fn invalid(result: Result<Outcome, Failure>) -> (GraphError, Outcome) {
    match result {
        Err(Failure {
            reason: Reason::Invalid(e),
            outcome,
        }) => (e, outcome),
        Err(other) => panic!("expected an invalid graph, got {other}"),
        Ok(_) => panic!("expected an invalid graph, the run succeeded"),
    }
}

#[tokio::test]
async fn cycle_is_rejected_before_anything_runs() {
    let ran = Arc::new(AtomicBool::new(false));
    let mut s = Scheduler::new();
    let r = ran.clone();
    s.add(infallible(async move { r.store(true, Ordering::SeqCst) }));
    let a = s.add(infallible(async {})).label("a").id();
    let b = s.add(infallible(async {})).label("b").requires(a).id();
    let c = s.add(infallible(async {})).label("c").requires(b).id();
    s.job_mut(a).unwrap().requires(c);
    let (error, outcome) = invalid(s.run().await);
    assert_eq!(
        error,
        GraphError::Cycle(vec!["a".into(), "c".into(), "b".into(), "a".into()])
    );
    assert_eq!(
        error.to_string(),
        "cyclic requirement: `a` -> `c` -> `b` -> `a`"
    );
    assert!(!ran.load(Ordering::SeqCst));
    assert!(outcome.jobs().all(|j| j.state() == State::Idle));
}

#[tokio::test]
async fn self_requirement_is_a_cycle() {
    let mut s = Scheduler::new();
    let a = s.add(infallible(async {})).label("a").id();
    s.job_mut(a).unwrap().requires(a);
    let (error, _) = invalid(s.run().await);
    assert_eq!(error, GraphError::Cycle(vec!["a".into(), "a".into()]));
}

#[tokio::test]
async fn requirement_across_schedulers_is_rejected() {
    let mut inner = Scheduler::new().with_label("inner");
    let push = inner.add(infallible(async {})).label("push").id();
    let mut outer = Scheduler::new();
    outer.add(inner);
    outer.add(infallible(async {})).label("late").requires(push);
    let (error, _) = invalid(outer.run().await);
    assert_eq!(error, GraphError::CrossScheduler { job: "late".into() });
    assert!(error.to_string().contains("require that scheduler instead"));
}

/// The label is set after the input is given; the error names the job by it all the
/// same (found by the property tests: it once named the job `job-1`).
#[tokio::test]
async fn input_across_schedulers_is_rejected() {
    let mut other = Scheduler::new();
    let value = other.add(infallible(async { 1 })).id();
    let mut s = Scheduler::new();
    s.add_with((value,), |(v,)| async move { Ok::<_, std::io::Error>(v) })
        .label("consumer");
    let (error, _) = invalid(s.run().await);
    assert_eq!(
        error,
        GraphError::CrossScheduler {
            job: "consumer".into()
        }
    );
}

#[tokio::test]
async fn a_finite_job_requiring_a_forever_job_is_rejected() {
    // It would never start: asynciojobs hangs until its timeout.
    let mut s = Scheduler::new();
    let monitor = s
        .add(infallible(std::future::pending::<()>()))
        .label("monitor")
        .forever(true)
        .id();
    s.add(infallible(async {}))
        .label("report")
        .requires(monitor);
    let (error, _) = invalid(s.run().await);
    assert_eq!(
        error,
        GraphError::RequiresForever {
            job: "report".into(),
            forever: "monitor".into()
        }
    );
}

#[tokio::test]
async fn window_zero_is_rejected() {
    let mut s = Scheduler::new().with_window(0);
    s.add(infallible(async {}));
    assert_eq!(invalid(s.run().await).0, GraphError::ZeroWindow);
}

#[tokio::test]
async fn an_invalid_nested_scheduler_fails_the_parent_before_anything_runs() {
    let ran = Arc::new(AtomicBool::new(false));
    let mut inner = Scheduler::new().with_window(0);
    inner.add(infallible(async {}));
    let mut outer = Scheduler::new();
    let r = ran.clone();
    outer.add(infallible(async move { r.store(true, Ordering::SeqCst) }));
    outer.add(inner);
    assert_eq!(invalid(outer.run().await).0, GraphError::ZeroWindow);
    assert!(!ran.load(Ordering::SeqCst));
}

#[test]
fn run_outside_a_runtime_is_an_error() {
    let mut s = Scheduler::new();
    s.add(infallible(async {}));
    let result = futures_util::FutureExt::now_or_never(s.run()).expect("ready at once");
    let failure = result.unwrap_err();
    assert!(matches!(failure.reason, Reason::NoRuntime));
    assert_eq!(
        failure.to_string(),
        "`run` must be called from within a tokio runtime"
    );
}

/// A type that implements `IntoJob` itself, which only jobs-core can do usefully.
struct Homemade;

impl jobs_core::IntoJob<()> for Homemade {
    type Output = ();
    fn add_to(self, _: &mut jobs_core::Nodes) {}
}

#[tokio::test]
async fn a_job_type_implementing_into_job_outside_the_crate_fails_when_it_starts() {
    let mut s = Scheduler::new();
    let before = s.add(infallible(async { 1 })).id();
    let homemade = s.add(Homemade).label("homemade").noncritical().id();
    let after = s.add(infallible(async { 2 })).id();
    let outcome = s.run().await.unwrap();
    assert_eq!(outcome.value(before), Some(&1));
    assert_eq!(outcome.value(after), Some(&2));
    assert_eq!(outcome.state(homemade), Some(State::Failed));
    assert_eq!(outcome.len(), 3);
}
