//! Nested `scheduler` blocks: one job of their parent, with their own settings
//! and their own typed outcome.

use std::time::Duration;

use jobs_core::{JobErrorKind, Reason, Status, workflow};

use crate::common::{Trace, boom, sleep, step};

#[tokio::test(start_paused = true)]
async fn a_nested_scheduler_has_its_own_window() {
    let trace = Trace::new();
    let flow = workflow! {
        window = 8;
        clone(trace);
        scheduler serial {
            window = 1;
            job a = step(trace, "a", 10);
            job b = step(trace, "b", 10);
            job c = step(trace, "c", 10);
        }
        job beside = step(trace, "beside", 15);
        job after requires(serial) = step(trace, "after", 1);
    };
    let outcome = flow.run().await.unwrap();
    // One at a time inside, beside the parent's job.
    let starts: Vec<u64> = ["a>", "b>", "c>", "beside>"].map(|e| trace.at(e)).to_vec();
    assert_eq!(starts, [0, 10, 20, 0]);
    assert_eq!(trace.at("after>"), 30);
    assert_eq!(outcome.serial.b, "b");
}

#[tokio::test(start_paused = true)]
async fn a_nested_scheduler_has_its_own_timeout() {
    let trace = Trace::new();
    let flow = workflow! {
        clone(trace);
        noncritical scheduler hurried {
            timeout = Duration::from_millis(15);
            job quick = step(trace, "quick", 10);
            job slow = step(trace, "slow", 30);
        }
        job patient = step(trace, "patient", 50);
    };
    let outcome = flow.run().await.unwrap();
    let error = outcome
        .hurried
        .error()
        .expect("the nested scheduler timed out");
    assert!(
        matches!(error.kind(), JobErrorKind::Nested(Reason::Timeout(d)) if *d == Duration::from_millis(15)),
        "{error:?}"
    );
    assert!(trace.has("<quick"));
    assert!(!trace.has("<slow"));
    // The parent has no timeout of its own.
    assert_eq!(trace.at("<patient"), 50);
    assert_eq!(outcome.patient, "patient");
}

#[tokio::test(start_paused = true)]
async fn a_nested_scheduler_is_labelled_by_its_name_or_label_setting() {
    let flow = workflow! {
        label = "release";
        scheduler build { job compile { 1 } }
        scheduler deploy {
            label = "deploy to production";
            job push { 2 }
        }
    };
    let scheduler = flow.scheduler();
    assert_eq!(scheduler.label(), Some("release"));
    let listing = scheduler.list();
    assert!(listing.contains("build"), "{listing}");
    assert!(listing.contains("deploy to production"), "{listing}");
    let outcome = flow.run().await.unwrap();
    assert_eq!((outcome.build.compile, outcome.deploy.push), (1, 2));
}

#[tokio::test(start_paused = true)]
async fn the_outcome_of_a_nested_scheduler_is_typed_and_nested() {
    let flow = workflow! {
        scheduler deploy {
            job push { String::from("image:1") }
            noncritical job roll(push) { push.len() }
            scheduler checks {
                job health { true }
            }
        }
        noncritical scheduler optional {
            job value { 'v' }
        }
    };
    let outcome = flow.run().await.unwrap();
    let push: String = outcome.deploy.push;
    let roll: Status<usize> = outcome.deploy.roll;
    let health: bool = outcome.deploy.checks.health;
    assert_eq!(push, "image:1");
    assert!(matches!(roll, Status::Done(7)));
    assert!(health);
    // A non-critical nested scheduler may fail: its outcome is in a status.
    assert_eq!(outcome.optional.ok().map(|o| o.value), Some('v'));
}

#[tokio::test(start_paused = true)]
async fn a_noncritical_nested_failure_is_a_failure_of_that_job_only() {
    let trace = Trace::new();
    let flow = workflow! {
        clone(trace);
        noncritical scheduler risky {
            job fails = boom(10);
            job never requires(fails) = step(trace, "never", 1);
            job cut = step(trace, "cut", 30);
        }
        job after requires(risky) = step(trace, "after", 5);
    };
    let outcome = flow.run().await.unwrap();
    let error = outcome.risky.error().expect("`risky` failed");
    match error.kind() {
        JobErrorKind::Nested(Reason::Critical { job, error }) => {
            assert_eq!(job, "fails");
            assert_eq!(error.to_string(), "boom after 10ms");
        }
        other => panic!("unexpected error {other:?}"),
    }
    // Inside, the critical failure aborted the nested scheduler at once.
    assert!(!trace.has("never>") && !trace.has("<cut"));
    // Outside, a job that only requires it still runs.
    assert_eq!(trace.at("after>"), 10);
    assert_eq!(outcome.after, "after");
}

#[tokio::test(start_paused = true)]
async fn a_critical_nested_failure_fails_the_parent() {
    let trace = Trace::new();
    let flow = workflow! {
        clone(trace);
        scheduler inner {
            job fails = boom(10);
        }
        job beside = step(trace, "beside", 30);
    };
    let failure = flow.run().await.unwrap_err();
    assert_eq!(failure.critical_job().map(|(job, _)| job), Some("inner"));
    assert!(matches!(failure.outcome.inner, Status::Failed(_)));
    assert!(matches!(failure.outcome.beside, Status::Cancelled));
    assert_eq!(trace.now(), 10);
}

#[tokio::test(start_paused = true)]
async fn the_parent_timeout_cancels_nested_jobs() {
    let trace = Trace::new();
    let flow = workflow! {
        timeout = Duration::from_millis(20);
        clone(trace);
        scheduler inner {
            job slow {
                trace.log("slow>");
                sleep(100).await;
                trace.log("<slow");
            }
        }
    };
    let failure = flow.run().await.unwrap_err();
    assert!(failure.is_timeout());
    assert!(
        matches!(failure.outcome.inner, Status::Cancelled),
        "{:?}",
        failure.outcome
    );
    sleep(200).await;
    assert_eq!(
        trace.entries(),
        ["0 slow>"],
        "no nested task outlives the run"
    );
}

#[tokio::test(start_paused = true)]
async fn an_unnamed_nested_scheduler_runs_and_can_be_required_through_a_sequence() {
    let trace = Trace::new();
    let flow = workflow! {
        clone(trace);
        sequence stage {
            scheduler {
                job hidden = step(trace, "hidden", 10);
            }
        }
        job after requires(stage) = step(trace, "after", 1);
    };
    flow.run().await.unwrap();
    assert_eq!(trace.at("after>"), 10);
}

#[tokio::test(start_paused = true)]
async fn the_typed_outcome_keeps_the_runtime_view_nested_schedulers_included() {
    let flow = jobs_core::workflow! {
        job first { 1 }
        scheduler inner requires(first) {
            job deep { "deep" }
        }
        noncritical job boom requires(inner) = async { Err::<(), _>("boom") };
    };
    let outcome = flow.run().await.unwrap();
    assert_eq!(outcome.first, 1);
    assert_eq!(outcome.inner.deep, "deep");
    let runtime = outcome.runtime();
    assert_eq!(
        runtime.list(),
        "1 ⚠ ☉ ☓   <Job `first`> [done]\n\
         2 ⚠ ☉ ☓   <Scheduler `inner`> [done] requires={1} -> entries={3}\n\
         3 ⚠ ☉ ☓   > <Job `deep`> [done]\n\
         2 --end-- < <Scheduler `inner`> exits={3}\n\
         4   ★ ☓   <Job `boom`> !! exception => boom!! requires={2}\n"
    );
    assert_eq!(runtime.counts().failed, 1);
}

#[tokio::test(start_paused = true)]
async fn a_failure_keeps_the_runtime_view() {
    let flow = jobs_core::workflow! {
        job fine { 1 }
        job fatal requires(fine) = async { Err::<(), _>("fatal") };
    };
    let failure = flow.run().await.unwrap_err();
    let debrief = failure.outcome.runtime().debrief();
    assert!(
        debrief.starts_with("----- why: a CRITICAL job has failed: `fatal`: fatal\n"),
        "{debrief}"
    );
    assert!(debrief.contains("critical `fatal`: fatal"), "{debrief}");
}

#[tokio::test(start_paused = true)]
async fn a_workflow_has_an_event_stream() {
    let mut flow = jobs_core::workflow! {
        window = 1;
        job a { 1 }
        job b { 2 }
    };
    let mut events = flow.events();
    flow.run().await.unwrap();
    let mut seen = Vec::new();
    while let Some(event) = events.next().await {
        seen.push(format!("{} {}", event.label, event.state));
    }
    assert_eq!(
        seen,
        ["a running", "b scheduled", "a done", "b running", "b done"]
    );
}
