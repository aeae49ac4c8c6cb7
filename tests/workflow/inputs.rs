//! Inputs: upstream outputs bound by name, each of its own type, cloned for
//! each consumer; consumers of a failed job are skipped.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

use jobs_core::{JobErrorKind, Status, workflow};

use crate::common::{Trace, boom, sleep, step};

#[tokio::test(start_paused = true)]
async fn inputs_of_several_types() {
    let flow = workflow! {
        job text { String::from("page") }
        job numbers { vec![1_u32, 2, 3] }
        job pair { (-4_i64, 'x') }
        job maybe { Some(true) }
        job bytes { Arc::<[u8]>::from(&b"abc"[..]) }
        job summary(text, numbers, pair, maybe, bytes) {
            let (n, c) = pair;
            format!(
                "{text} {} {n} {c} {} {}",
                numbers.iter().sum::<u32>(),
                maybe.unwrap_or(false),
                bytes.len()
            )
        }
    };
    let outcome = flow.run().await.unwrap();
    assert_eq!(outcome.summary, "page 6 -4 x true 3");
    // Producers keep their own value in the outcome.
    assert_eq!(outcome.text, "page");
    assert_eq!(outcome.numbers, [1, 2, 3]);
}

#[tokio::test(start_paused = true)]
async fn a_consumer_starts_after_all_its_inputs() {
    let trace = Trace::new();
    let flow = workflow! {
        clone(trace);
        job fast = step(trace, "fast", 10);
        job slow = step(trace, "slow", 30);
        job both(fast, slow) = step(trace, if fast < slow { "both" } else { "?" }, 5);
    };
    let outcome = flow.run().await.unwrap();
    assert_eq!(trace.at("both>"), 30);
    assert_eq!(outcome.both, "both");
}

/// Counts how often it is cloned.
struct Tracked {
    clones: Arc<AtomicUsize>,
    items: Vec<u32>,
}

impl Clone for Tracked {
    fn clone(&self) -> Self {
        self.clones.fetch_add(1, SeqCst);
        Tracked {
            clones: self.clones.clone(),
            items: self.items.clone(),
        }
    }
}

#[tokio::test(start_paused = true)]
async fn each_consumer_gets_its_own_clone() {
    let clones = Arc::new(AtomicUsize::new(0));
    let counter = clones.clone();
    let flow = workflow! {
        job list = async move { Tracked { clones: counter, items: vec![1, 2, 3] } };
        job sum(list) { list.items.iter().sum::<u32>() }
        job len(list) { list.items.len() }
        job grown(list) {
            let mut list = list;
            list.items.push(4);
            list.items
        }
    };
    let outcome = flow.run().await.unwrap();
    assert_eq!(outcome.sum, 6);
    assert_eq!(outcome.len, 3);
    assert_eq!(outcome.grown, [1, 2, 3, 4]);
    // The change made by one consumer is its own.
    assert_eq!(outcome.list.items, [1, 2, 3]);
    assert_eq!(clones.load(SeqCst), 3, "one clone per consumer");
}

#[tokio::test(start_paused = true)]
async fn consumers_of_a_failed_noncritical_job_are_skipped_in_cascade() {
    let trace = Trace::new();
    let flow = workflow! {
        clone(trace);
        noncritical job source = boom(10);
        noncritical job child(source) { trace.log("child"); source + 1 }
        noncritical job grandchild(child) { trace.log("grandchild"); child + 1 }
        noncritical job sibling(child, other) { other + child }
        job other { 1 }
        // Only requires the failed job: still runs, as in asynciojobs.
        job waiter requires(source) = step(trace, "waiter", 5);
        job unrelated = step(trace, "unrelated", 20);
    };
    let outcome = flow.run().await.unwrap();
    assert_eq!(
        outcome.source.error().unwrap().to_string(),
        "boom after 10ms"
    );
    assert!(
        matches!(outcome.child, Status::Skipped),
        "{:?}",
        outcome.child
    );
    assert!(matches!(outcome.grandchild, Status::Skipped));
    assert!(matches!(outcome.sibling, Status::Skipped));
    assert!(!trace.has("child") && !trace.has("grandchild"));
    assert_eq!(outcome.waiter, "waiter");
    assert_eq!(trace.at("waiter>"), 10);
    assert_eq!(outcome.unrelated, "unrelated");
}

#[tokio::test(start_paused = true)]
async fn a_critical_consumer_of_a_failed_input_fails_the_run() {
    let flow = workflow! {
        noncritical job source = boom(10);
        job consumer(source) { source * 2 }
        job slow = sleep(50);
    };
    let failure = flow.run().await.unwrap_err();
    let (job, error) = failure.critical_job().expect("a critical job failed");
    assert_eq!(job, "consumer");
    assert!(
        matches!(error.kind(), JobErrorKind::Skipped { input } if input == "source"),
        "{error:?}"
    );
    assert!(
        matches!(failure.outcome.consumer, Status::Skipped),
        "{:?}",
        failure.outcome
    );
    assert!(matches!(failure.outcome.slow, Status::Cancelled));
}

#[tokio::test(start_paused = true)]
async fn raw_identifiers_as_inputs() {
    let flow = workflow! {
        job r#type { "kind" }
        job r#loop(r#type) { r#type.len() }
        job uses(r#loop, r#type) { format!("{}:{}", r#type, r#loop) }
    };
    let outcome = flow.run().await.unwrap();
    assert_eq!(outcome.r#loop, 4);
    assert_eq!(outcome.uses, "kind:4");
}

#[tokio::test(start_paused = true)]
async fn an_input_can_also_be_required() {
    let trace = Trace::new();
    let flow = workflow! {
        clone(trace);
        job a = step(trace, "a", 10);
        job b(a) requires(a) { a.len() }
    };
    let outcome = flow.run().await.unwrap();
    assert_eq!(outcome.b, 1);
}
