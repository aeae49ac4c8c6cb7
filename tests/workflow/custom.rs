//! `= EXPR` that is a job in its own right: a custom `jobs_core::Job`, or a
//! runtime `Scheduler` returned by a function.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

use jobs_core::{BoxError, Job, Scheduler, State, Status, infallible, workflow};

use crate::common::{Trace, boom, step};

/// A command on a remote host, with a connection to close on shutdown.
struct Remote {
    host: &'static str,
    command: &'static str,
    trace: Trace,
    closed: Arc<AtomicUsize>,
}

impl Job for Remote {
    type Output = String;

    fn run(&mut self) -> impl Future<Output = Result<String, BoxError>> + Send + 'static {
        let (host, command, trace) = (self.host, self.command, self.trace.clone());
        async move {
            step(trace, command, 10).await;
            Ok(format!("{command}@{host}: ok"))
        }
    }

    fn shutdown(&mut self) -> impl Future<Output = Result<(), BoxError>> + Send + 'static {
        self.closed.fetch_add(1, SeqCst);
        std::future::ready(Ok(()))
    }

    fn has_shutdown(&self) -> bool {
        true
    }

    fn label(&self) -> Option<String> {
        Some(format!("{}@{}", self.command, self.host))
    }

    fn details(&self) -> Option<String> {
        Some(format!("runs `{}` on {}", self.command, self.host))
    }
}

#[tokio::test(start_paused = true)]
async fn a_custom_job_type() {
    let trace = Trace::new();
    let closed = Arc::new(AtomicUsize::new(0));
    let flow = workflow! {
        clone(trace, closed);
        job uname = Remote { host: "node1", command: "uname", trace, closed };
        job report(uname) { uname.to_uppercase() }
    };
    let listing = flow.scheduler().listing().details(true).to_string();
    // The job's name is its label; its own details are kept.
    assert!(
        listing.contains("uname") && !listing.contains("uname@node1"),
        "{listing}"
    );
    assert!(listing.contains("runs `uname` on node1"), "{listing}");
    let outcome = flow.run().await.unwrap();
    let value: String = outcome.uname;
    assert_eq!(value, "uname@node1: ok");
    assert_eq!(outcome.report, "UNAME@NODE1: OK");
    assert_eq!(trace.entries(), ["0 uname>", "10 <uname"]);
    assert_eq!(closed.load(SeqCst), 1, "the shutdown hook ran once");
}

/// A reusable piece of workflow built with the runtime API: a diamond.
fn diamond(trace: &Trace, prefix: &'static str) -> Scheduler {
    let mut s = Scheduler::new().with_label(format!("{prefix} diamond"));
    let job = |name: &'static str| infallible(step(trace.clone(), name, 10));
    let top = s.add(job("top")).label("top").id();
    let left = s.add(job("left")).label("left").requires(top).id();
    let right = s.add(job("right")).label("right").requires(top).id();
    s.add(job("bottom"))
        .label("bottom")
        .requires(left)
        .requires(right);
    s
}

fn broken() -> Scheduler {
    let mut s = Scheduler::new();
    s.add(boom(5)).label("broken");
    s
}

#[tokio::test(start_paused = true)]
async fn a_scheduler_returned_by_a_function() {
    let trace = Trace::new();
    let flow = workflow! {
        job before = step(trace.clone(), "before", 5);
        job shape requires(before) = diamond(&trace, "first");
        noncritical job fragile = broken();
        job after requires(shape) = step(trace.clone(), "after", 1);
    };
    let listing = flow.scheduler().list();
    assert!(
        listing.contains("top") && listing.contains("bottom"),
        "{listing}"
    );
    let outcome = flow.run().await.unwrap();
    assert_eq!(
        trace.entries(),
        [
            "0 before>",
            "5 <before",
            "5 top>",
            "15 <top",
            "15 left>",
            "15 right>",
            "25 <left",
            "25 <right",
            "25 bottom>",
            "35 <bottom",
            "35 after>",
            "36 <after"
        ]
    );
    // Its value is the nested scheduler's runtime outcome.
    let shape: jobs_core::Outcome = outcome.shape;
    assert_eq!(shape.label(), Some("first diamond"));
    assert_eq!(shape.counts().done, 4);
    assert!(shape.jobs().all(|job| job.state() == State::Done));
    assert!(shape.list().contains("bottom"));
    // A failing one, non-critical: a status.
    let fragile: Status<jobs_core::Outcome> = outcome.fragile;
    assert!(
        fragile
            .error()
            .unwrap()
            .to_string()
            .contains("boom after 5ms")
    );
}

#[tokio::test(start_paused = true)]
async fn shutdown_hooks_run_once_even_for_jobs_that_never_started() {
    let trace = Trace::new();
    let closed = Arc::new(AtomicUsize::new(0));
    let flow = workflow! {
        clone(trace, closed);
        job fatal = boom(5);
        job first = Remote { host: "a", command: "first", trace, closed };
        job never requires(fatal) = Remote { host: "b", command: "never", trace, closed };
        scheduler nested requires(fatal) {
            job deep = Remote { host: "c", command: "deep", trace, closed };
        }
    };
    let failure = flow.run().await.unwrap_err();
    assert!(matches!(failure.outcome.first, Status::Cancelled));
    assert!(matches!(failure.outcome.never, Status::Idle));
    assert_eq!(trace.entries(), ["0 first>"]);
    assert_eq!(closed.load(SeqCst), 3, "one hook per job, started or not");
}

/// A job whose shutdown hook hangs.
struct Stuck;

impl Job for Stuck {
    type Output = ();

    fn run(&mut self) -> impl Future<Output = Result<(), BoxError>> + Send + 'static {
        std::future::ready(Ok(()))
    }

    fn shutdown(&mut self) -> impl Future<Output = Result<(), BoxError>> + Send + 'static {
        std::future::pending()
    }

    fn has_shutdown(&self) -> bool {
        true
    }
}

#[tokio::test(start_paused = true)]
async fn shutdown_timeout_bounds_the_hooks_of_each_scheduler() {
    let trace = Trace::new();
    let flow = workflow! {
        shutdown_timeout = std::time::Duration::from_millis(30);
        clone(trace);
        job stuck = Stuck;
        scheduler nested {
            shutdown_timeout = std::time::Duration::from_millis(10);
            job inner = Stuck;
        }
        job after requires(nested) { trace.now() }
    };
    let outcome = flow.run().await.unwrap();
    // The nested scheduler ends once its own hooks gave up, after 10ms.
    assert_eq!(outcome.after, 10);
    assert_eq!(trace.now(), 40);
}
