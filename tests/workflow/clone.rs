//! `clone(...)`: each job body that mentions a listed variable gets its own
//! clone, made when the workflow is built.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

use jobs_core::workflow;
use tokio::sync::mpsc;

use crate::common::{Trace, sleep};

/// Counts how often it is cloned.
struct Handle {
    clones: Arc<AtomicUsize>,
}

impl Clone for Handle {
    fn clone(&self) -> Self {
        self.clones.fetch_add(1, SeqCst);
        Handle {
            clones: self.clones.clone(),
        }
    }
}

impl Handle {
    fn id(&self) -> usize {
        Arc::as_ptr(&self.clones) as usize
    }
}

#[tokio::test(start_paused = true)]
async fn each_body_that_mentions_a_variable_gets_a_clone() {
    let clones = Arc::new(AtomicUsize::new(0));
    let handle = Handle {
        clones: clones.clone(),
    };
    let id = handle.id();
    let flow = workflow! {
        clone(handle);
        job by_expr = std::future::ready(handle.id());
        job by_block { handle.id() }
        job by_input(by_expr) { by_expr == handle.id() }
        job silent { 0 }
        scheduler nested {
            job inherited { handle.id() }
        }
    };
    // Made at build time, one per body that mentions `handle`.
    assert_eq!(clones.load(SeqCst), 4);
    // The original is still the caller's.
    assert_eq!(handle.id(), id);
    let outcome = flow.run().await.unwrap();
    assert_eq!((outcome.by_expr, outcome.by_block), (id, id));
    assert!(outcome.by_input);
    assert_eq!(outcome.nested.inherited, id);
    assert_eq!(outcome.silent, 0);
    assert_eq!(clones.load(SeqCst), 4);
}

#[tokio::test(start_paused = true)]
async fn a_message_bus_shared_by_jobs() {
    let trace = Trace::new();
    let (bus, mut messages) = mpsc::unbounded_channel::<&str>();
    let flow = workflow! {
        clone(bus, trace);
        job first {
            bus.send("first").unwrap();
        }
        job second requires(first) {
            sleep(10).await;
            bus.send("second").unwrap();
        }
        forever job monitor {
            while let Some(message) = messages.recv().await {
                trace.log(message);
            }
        }
    };
    bus.send("before").unwrap();
    let outcome = flow.run().await.unwrap();
    assert!(!outcome.monitor.is_done(), "cancelled, never done");
    assert_eq!(trace.entries()[..2], ["0 before", "0 first"]);
    // The caller's sender is still usable; the jobs' clones are gone.
    assert_eq!(bus.strong_count(), 1);
}

#[tokio::test(start_paused = true)]
async fn nested_schedulers_add_their_own_clones() {
    let outer = Arc::new(String::from("outer"));
    let inner = Arc::new(String::from("inner"));
    let flow = workflow! {
        clone(outer);
        scheduler nested {
            clone(inner);
            job both { format!("{outer} {inner}") }
        }
        job only_outer { outer.len() }
    };
    assert_eq!(Arc::strong_count(&outer), 3);
    assert_eq!(Arc::strong_count(&inner), 2);
    let outcome = flow.run().await.unwrap();
    assert_eq!(outcome.nested.both, "outer inner");
    assert_eq!(outcome.only_outer, 5);
    assert_eq!(Arc::strong_count(&outer), 1, "the clones went with the run");
}
