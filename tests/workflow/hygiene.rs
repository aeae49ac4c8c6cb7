//! The user's names never collide with the names of the generated code.

#![allow(non_snake_case, clippy::just_underscores_and_digits)]

use jobs_core::workflow;

#[tokio::test(start_paused = true)]
async fn user_variables_named_like_generated_locals() {
    let scheduler = 1;
    let outcome = 2;
    let workflow = 3;
    let s0 = 4;
    let new = 5;
    let partial = 6;
    let __jobs_x = 7;
    let __jobs_x0 = 8;
    let __jobs_s0 = 9;
    let __jobs_h0 = 10;
    let __jobs_j0 = 11;
    let __jobs_v = 12;
    let __jobs_e = 13;
    let __jobs_o = 14;
    let __jobs_new = 15;
    let __jobs_partial = 16;
    let __jobs_outcome0 = 17;
    let T0 = 18;
    let flow = workflow! {
        job first = async move { scheduler + outcome + workflow + s0 + new + partial };
        job second { __jobs_x + __jobs_x0 + __jobs_s0 + __jobs_h0 + __jobs_j0 }
        job third(first, second) {
            first + second + __jobs_v + __jobs_e + __jobs_o + __jobs_new + __jobs_partial
                + __jobs_outcome0 + T0
        }
        job fourth = async move { __jobs_j0 + __jobs_h0 + __jobs_x0 };
    };
    let outcome = flow.run().await.unwrap();
    assert_eq!(outcome.first, 21);
    assert_eq!(outcome.second, 45);
    assert_eq!(outcome.third, 21 + 45 + 12 + 13 + 14 + 15 + 16 + 17 + 18);
    assert_eq!(outcome.fourth, 11 + 10 + 8);
}

#[tokio::test(start_paused = true)]
async fn jobs_named_like_generated_items() {
    let flow = workflow! {
        job scheduler { 1 }
        job outcome { 2 }
        job new { 3 }
        job partial { 4 }
        job ok { 5 }
        job failed { 6 }
        job run(scheduler, outcome, new, partial, ok, failed) {
            scheduler + outcome + new + partial + ok + failed
        }
        job into_scheduler { 7 }
        job __jobs_o { 8 }
        scheduler Outcome { job Partial { 9 } }
    };
    let listing = flow.scheduler().list();
    assert!(listing.contains("into_scheduler"), "{listing}");
    let outcome = flow.run().await.unwrap();
    assert_eq!(outcome.run, 21);
    assert_eq!(outcome.into_scheduler, 7);
    assert_eq!(outcome.__jobs_o, 8);
    assert_eq!(outcome.Outcome.Partial, 9);
}

/// Types and functions of the caller named like generated items.
#[tokio::test(start_paused = true)]
async fn user_items_named_like_generated_items() {
    #[allow(dead_code)]
    struct Workflow;
    #[allow(dead_code)]
    struct Outcome;
    #[allow(dead_code)]
    struct Partial;
    #[allow(dead_code)]
    struct State;
    fn new() -> u8 {
        1
    }
    fn partial() -> u8 {
        2
    }
    fn take(x: u8) -> u8 {
        x * 10
    }
    let flow = workflow! {
        job a = async { new() + partial() };
        job b(a) { take(a) }
    };
    let outcome = flow.run().await.unwrap();
    assert_eq!(outcome.b, 30);
}
