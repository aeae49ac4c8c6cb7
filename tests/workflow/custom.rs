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
