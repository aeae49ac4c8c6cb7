//! Job bodies: `= EXPR` and block forms, plain and fallible values, `?`, and
//! when each body is evaluated.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

use jobs_core::{Status, workflow};

use crate::common::{Trace, sleep, step};

fn read(ok: bool) -> Result<u32, std::io::Error> {
    if ok {
        Ok(7)
    } else {
        Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "no such file",
        ))
    }
}

fn validate(name: &str) -> Result<usize, String> {
    if name.is_empty() {
        Err(String::from("empty name"))
    } else {
        Ok(name.len())
    }
}

#[tokio::test(start_paused = true)]
async fn both_body_forms_plain_and_fallible() {
    let flow = workflow! {
        job plain_future = async { 1_u8 };
        job fallible_future = async { Ok::<_, std::io::Error>(2_u16) };
        job plain_block { 3_u32 }
        job fallible_block { Ok::<_, String>(4_u64) }
        job awaiting_block { sleep(5).await; "five" }
        job function = std::future::ready(Ok::<_, std::io::Error>(vec![6]));
    };
    let outcome = flow.run().await.unwrap();
    // The fields have the jobs' own types, `Result` unwrapped.
    let values: (u8, u16, u32, u64, &str, Vec<i32>) = (
        outcome.plain_future,
        outcome.fallible_future,
        outcome.plain_block,
        outcome.fallible_block,
        outcome.awaiting_block,
        outcome.function,
    );
    assert_eq!(values, (1, 2, 3, 4, "five", vec![6]));
}

#[tokio::test(start_paused = true)]
async fn question_mark_with_io_errors() {
    let flow = workflow! {
        job good { read(true)? + 1 }
        noncritical job bad { read(false)? + 1 }
    };
    let outcome = flow.run().await.unwrap();
    assert_eq!(outcome.good, 8);
    let error = outcome.bad.error().expect("`bad` failed");
    let io = error
        .downcast_ref::<std::io::Error>()
        .expect("the io::Error is kept");
    assert_eq!(io.kind(), std::io::ErrorKind::NotFound);
    assert_eq!(error.to_string(), "no such file");
}

#[tokio::test(start_paused = true)]
async fn question_mark_with_string_errors() {
    let flow = workflow! {
        job good { validate("page")? * 2 }
        noncritical job bad { validate("")? * 2 }
    };
    let outcome = flow.run().await.unwrap();
    assert_eq!(outcome.good, 8);
    assert_eq!(outcome.bad.error().unwrap().to_string(), "empty name");
}

#[tokio::test(start_paused = true)]
async fn an_err_value_is_a_failure_an_ok_value_is_not_wrapped() {
    let flow = workflow! {
        noncritical job refused = async { Err::<u8, _>(String::from("refused")) };
        noncritical job accepted { Ok::<_, std::io::Error>(1_u8) }
    };
    let outcome = flow.run().await.unwrap();
    assert_eq!(outcome.refused.error().unwrap().to_string(), "refused");
    assert!(matches!(outcome.accepted, Status::Done(1)));
}

/// Counts its calls when called, not when polled.
fn counted(calls: Arc<AtomicUsize>, trace: Trace, name: &'static str) -> impl Future<Output = u32> {
    calls.fetch_add(1, SeqCst);
    trace.log(format!("evaluated {name}"));
    async move {
        sleep(10).await;
        7
    }
}

#[tokio::test(start_paused = true)]
async fn expr_bodies_are_evaluated_at_build_input_bodies_at_start() {
    let calls = Arc::new(AtomicUsize::new(0));
    let trace = Trace::new();
    let flow = workflow! {
        clone(calls, trace);
        job first = counted(calls, trace, "first");
        job second(first) = counted(calls, trace, if first == 7 { "second" } else { "?" });
        job third(second) {
            calls.fetch_add(1, SeqCst);
            trace.log("evaluated third");
            second + 1
        }
        job fourth requires(third) = counted(calls, trace, "fourth");
    };
    // `first` and `fourth` have no inputs: built now, in source order.
    assert_eq!(calls.load(SeqCst), 2);
    assert_eq!(trace.entries(), ["0 evaluated first", "0 evaluated fourth"]);

    sleep(100).await;
    let outcome = flow.run().await.unwrap();
    assert_eq!(calls.load(SeqCst), 4);
    assert_eq!(
        trace.entries(),
        [
            "0 evaluated first",
            "0 evaluated fourth",
            // Bodies with inputs run when their job starts, after `first` ran 10ms.
            "110 evaluated second",
            "120 evaluated third",
        ]
    );
    assert_eq!((outcome.first, outcome.second, outcome.third), (7, 7, 8));
    assert_eq!(outcome.fourth, 7);
}

#[tokio::test(start_paused = true)]
async fn block_bodies_without_inputs_run_when_started() {
    let trace = Trace::new();
    let flow = workflow! {
        clone(trace);
        job wait = sleep(20);
        job later requires(wait) { trace.log("later"); }
    };
    sleep(5).await;
    assert!(
        !trace.has("later"),
        "a block body runs only when its job starts"
    );
    let outcome = flow.run().await.unwrap();
    assert_eq!(trace.at("later"), 25);
    let (): () = outcome.later;
}

#[tokio::test(start_paused = true)]
async fn independent_jobs_run_together() {
    let trace = Trace::new();
    let flow = workflow! {
        clone(trace);
        job a = step(trace, "a", 10);
        job b = step(trace, "b", 30);
        job c = step(trace, "c", 20);
    };
    let outcome = flow.run().await.unwrap();
    assert_eq!(
        trace.entries(),
        ["0 a>", "0 b>", "0 c>", "10 <a", "20 <c", "30 <b"]
    );
    assert_eq!((outcome.a, outcome.b, outcome.c), ("a", "b", "c"));
}

#[tokio::test(start_paused = true)]
async fn requires_orders_jobs() {
    let trace = Trace::new();
    let flow = workflow! {
        clone(trace);
        job fetch = step(trace, "fetch", 10);
        job parse requires(fetch) = step(trace, "parse", 10);
        job index requires(fetch, parse) = step(trace, "index", 10);
        job side = step(trace, "side", 5);
    };
    flow.run().await.unwrap();
    assert_eq!(trace.at("fetch>"), 0);
    assert_eq!(trace.at("side>"), 0);
    assert_eq!(trace.at("parse>"), 10);
    assert_eq!(trace.at("index>"), 20);
    assert_eq!(trace.at("<index"), 30);
}

#[tokio::test(start_paused = true)]
async fn jobs_declared_before_what_they_require() {
    let flow = workflow! {
        job total(a, b) { a + b }
        job a { 1 }
        job b requires(a) { 2 }
    };
    let outcome = flow.run().await.unwrap();
    assert_eq!(outcome.total, 3);
}

#[tokio::test(start_paused = true)]
async fn an_empty_workflow_succeeds_at_once() {
    let trace = Trace::new();
    let flow = workflow! {};
    flow.run().await.unwrap();
    assert_eq!(trace.now(), 0);
}
