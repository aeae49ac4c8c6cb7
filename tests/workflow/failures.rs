//! Failed runs: `Failure<Partial>` carries every job's status, and converts
//! into a boxed error with `?`.

use std::error::Error;
use std::time::Duration;

use jobs_core::{Reason, Status, workflow};

use crate::common::{Trace, boom, sleep, step};

#[tokio::test(start_paused = true)]
async fn a_failure_carries_the_status_of_every_job() {
    let trace = Trace::new();
    let flow = workflow! {
        clone(trace);
        job done = step(trace, "done", 5);
        noncritical job flaky = boom(2);
        noncritical job skipped(flaky) { flaky + 1 }
        job fatal = boom(10);
        job running = step(trace, "running", 30);
        job waiting requires(running) = step(trace, "waiting", 1);
        forever job monitor = std::future::pending::<()>();
        scheduler nested {
            job inner = step(trace, "inner", 1);
        }
    };
    let failure = flow.run().await.unwrap_err();
    assert!(matches!(failure.reason, Reason::Critical { ref job, .. } if job == "fatal"));
    let partial = failure.outcome;
    assert!(matches!(partial.done, Status::Done("done")));
    assert_eq!(partial.flaky.error().unwrap().to_string(), "boom after 2ms");
    assert!(matches!(partial.skipped, Status::Skipped));
    assert_eq!(
        partial.fatal.error().unwrap().to_string(),
        "boom after 10ms"
    );
    assert!(matches!(partial.running, Status::Cancelled));
    assert!(matches!(partial.waiting, Status::Idle));
    assert!(matches!(partial.monitor, Status::Cancelled));
    // A nested scheduler that succeeded keeps its typed outcome.
    assert_eq!(partial.nested.ok().map(|n| n.inner), Some("inner"));
}

#[tokio::test(start_paused = true)]
async fn a_failure_shows_every_status_in_its_debug_and_display() {
    let flow = workflow! {
        job ok { 1 }
        job fatal requires(ok) = boom(10);
        job never requires(fatal) { 2 }
    };
    let failure = flow.run().await.unwrap_err();
    assert_eq!(
        failure.to_string(),
        "critical job `fatal` failed: boom after 10ms"
    );
    let debug = format!("{failure:?}");
    for expected in ["ok: Done(..)", "fatal: Failed(", "never: Idle"] {
        assert!(debug.contains(expected), "{expected} not in {debug}");
    }
}

async fn run_with_question_mark() -> Result<u32, Box<dyn Error + Send + Sync>> {
    let flow = workflow! {
        job fatal = boom(10);
        job value { 1_u32 }
    };
    let outcome = flow.run().await?;
    Ok(outcome.value)
}

#[tokio::test(start_paused = true)]
async fn question_mark_converts_a_failure_into_a_boxed_error() {
    let error = run_with_question_mark().await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "critical job `fatal` failed: boom after 10ms"
    );
    // The chain of causes reaches the job's own error.
    let mut causes = Vec::new();
    let mut source = error.source();
    while let Some(cause) = source {
        causes.push(cause.to_string());
        source = cause.source();
    }
    assert_eq!(causes.last().map(String::as_str), Some("boom after 10ms"));
}

#[tokio::test(start_paused = true)]
async fn a_panic_is_a_failure_of_its_job() {
    let flow = workflow! {
        noncritical job careless {
            if true {
                panic!("oops");
            }
            1
        }
        job fine requires(careless) { 2 }
    };
    let outcome = flow.run().await.unwrap();
    let error = outcome.careless.error().expect("`careless` failed");
    assert!(error.is_panic());
    assert_eq!(error.to_string(), "panicked: oops");
    assert_eq!(outcome.fine, 2);

    let flow = workflow! {
        job fatal = async {
            if true {
                panic!("critical oops");
            }
        };
    };
    let failure = flow.run().await.unwrap_err();
    let (job, error) = failure.critical_job().unwrap();
    assert_eq!(job, "fatal");
    assert!(error.is_panic());
}

#[tokio::test(start_paused = true)]
async fn a_timeout_cancels_what_is_pending_and_keeps_what_is_done() {
    let trace = Trace::new();
    let flow = workflow! {
        timeout = Duration::from_millis(25);
        clone(trace);
        job quick = step(trace, "quick", 10);
        job slow = step(trace, "slow", 50);
        job after requires(slow) = step(trace, "after", 1);
    };
    let failure = flow.run().await.unwrap_err();
    assert!(failure.is_timeout());
    assert!(matches!(failure.reason, Reason::Timeout(d) if d == Duration::from_millis(25)));
    assert_eq!(trace.now(), 25);
    assert!(matches!(failure.outcome.quick, Status::Done("quick")));
    assert!(matches!(failure.outcome.slow, Status::Cancelled));
    assert!(matches!(failure.outcome.after, Status::Idle));
    sleep(100).await;
    assert!(!trace.has("<slow"), "the cancelled job never ends");
}

#[tokio::test(start_paused = true)]
async fn a_workflow_runs_once_and_builds_anew() {
    let trace = Trace::new();
    let build = |trace: &Trace| {
        workflow! {
            job a = step(trace.clone(), "a", 10);
        }
    };
    build(&trace).run().await.unwrap();
    build(&trace).run().await.unwrap();
    assert_eq!(trace.entries(), ["0 a>", "10 <a", "10 a>", "20 <a"]);
}

#[tokio::test(start_paused = true)]
async fn dropping_a_run_cancels_every_job() {
    let trace = Trace::new();
    let flow = workflow! {
        clone(trace);
        job outer = step(trace, "outer", 100);
        forever job monitor {
            loop {
                trace.log("tick");
                sleep(40).await;
            }
        }
        scheduler nested {
            job inner = step(trace, "inner", 100);
        }
    };
    let cut = tokio::time::timeout(Duration::from_millis(50), flow.run()).await;
    assert!(cut.is_err(), "the run was cut short");
    sleep(500).await;
    let mut entries = trace.entries();
    entries.sort();
    assert_eq!(entries, ["0 inner>", "0 outer>", "0 tick", "40 tick"]);
}
