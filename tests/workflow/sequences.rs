//! Sequences: chains of items in the enclosing scheduler.

use jobs_core::workflow;

use crate::common::{Trace, step};

#[tokio::test(start_paused = true)]
async fn a_named_sequence_chains_its_items() {
    let trace = Trace::new();
    let flow = workflow! {
        clone(trace);
        sequence warmup {
            job a = step(trace, "a", 10);
            job b = step(trace, "b", 20);
            job c = step(trace, "c", 10);
        }
        job beside = step(trace, "beside", 5);
    };
    let outcome = flow.run().await.unwrap();
    assert_eq!(
        trace.entries(),
        [
            "0 a>",
            "0 beside>",
            "5 <beside",
            "10 <a",
            "10 b>",
            "30 <b",
            "30 c>",
            "40 <c"
        ]
    );
    // The items are fields of the workflow's outcome.
    assert_eq!((outcome.a, outcome.b, outcome.c), ("a", "b", "c"));
}

#[tokio::test(start_paused = true)]
async fn an_unnamed_sequence_chains_its_items() {
    let trace = Trace::new();
    let flow = workflow! {
        clone(trace);
        sequence {
            job x = step(trace, "x", 10);
            job y = step(trace, "y", 10);
        }
    };
    let outcome = flow.run().await.unwrap();
    assert_eq!(trace.at("y>"), 10);
    assert_eq!((outcome.x, outcome.y), ("x", "y"));
}

#[tokio::test(start_paused = true)]
async fn requiring_a_sequence_waits_for_its_last_item() {
    let trace = Trace::new();
    let flow = workflow! {
        clone(trace);
        job after requires(steps) = step(trace, "after", 5);
        sequence steps {
            job first = step(trace, "first", 10);
            job last = step(trace, "last", 30);
        }
    };
    flow.run().await.unwrap();
    assert_eq!(trace.at("<first"), 10);
    assert_eq!(trace.at("after>"), 40);
}

#[tokio::test(start_paused = true)]
async fn requires_on_a_sequence_applies_to_its_first_item() {
    let trace = Trace::new();
    let flow = workflow! {
        clone(trace);
        job setup = step(trace, "setup", 20);
        sequence steps requires(setup) {
            job first = step(trace, "first", 10);
            job second = step(trace, "second", 10);
        }
        job free = step(trace, "free", 5);
    };
    flow.run().await.unwrap();
    assert_eq!(trace.at("free>"), 0);
    assert_eq!(trace.at("first>"), 20);
    assert_eq!(trace.at("second>"), 30);
}

#[tokio::test(start_paused = true)]
async fn sequences_nest_and_chain_schedulers_and_skip_empty_items() {
    let trace = Trace::new();
    let flow = workflow! {
        clone(trace);
        sequence outer {
            job a = step(trace, "a", 10);
            sequence {}
            scheduler inner {
                job x = step(trace, "x", 10);
                job y = step(trace, "y", 20);
            }
            sequence middle {
                job b = step(trace, "b", 10);
                job c = step(trace, "c", 10);
            }
            job d = step(trace, "d", 10);
        }
        job end requires(outer) = step(trace, "end", 1);
    };
    let outcome = flow.run().await.unwrap();
    assert_eq!(
        trace.entries(),
        [
            "0 a>", "10 <a", "10 x>", "10 y>", "20 <x", "30 <y", "30 b>", "40 <b", "40 c>",
            "50 <c", "50 d>", "60 <d", "60 end>", "61 <end"
        ]
    );
    assert_eq!(outcome.inner.y, "y");
    assert_eq!(outcome.c, "c");
}

#[tokio::test(start_paused = true)]
async fn items_of_a_sequence_can_take_inputs() {
    let flow = workflow! {
        sequence {
            job a { 20 }
            job b(a) { a + 1 }
            job c(a, b) { a + b }
        }
    };
    let outcome = flow.run().await.unwrap();
    assert_eq!((outcome.a, outcome.b, outcome.c), (20, 21, 41));
}

#[tokio::test(start_paused = true)]
async fn an_item_of_a_sequence_may_require_more() {
    let trace = Trace::new();
    let flow = workflow! {
        clone(trace);
        job slow = step(trace, "slow", 50);
        sequence {
            job a = step(trace, "a", 10);
            job b requires(slow) = step(trace, "b", 10);
        }
    };
    flow.run().await.unwrap();
    assert_eq!(trace.at("b>"), 50);
}
