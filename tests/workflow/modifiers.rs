//! `critical`, `noncritical` and `forever`: what they do to the run and to the
//! types of the outcome's fields.

use jobs_core::{Status, workflow};

use crate::common::{Trace, boom, sleep, step};

#[tokio::test(start_paused = true)]
async fn outcome_field_types_follow_the_modifiers() {
    let flow = workflow! {
        job default { 1_u8 }
        critical job explicit { 2_u8 }
        noncritical job optional { 3_u8 }
        forever job endless = std::future::pending::<u8>();
        noncritical forever job optional_endless = std::future::pending::<u8>();
        critical forever job critical_endless = std::future::pending::<u8>();
    };
    let outcome = flow.run().await.unwrap();
    // Critical finite jobs are done after a successful run: their value.
    let default: u8 = outcome.default;
    let explicit: u8 = outcome.explicit;
    assert_eq!((default, explicit), (1, 2));
    // The others may have no value: a status.
    let optional: Status<u8> = outcome.optional;
    let endless: Status<u8> = outcome.endless;
    let optional_endless: Status<u8> = outcome.optional_endless;
    let critical_endless: Status<u8> = outcome.critical_endless;
    assert!(matches!(optional, Status::Done(3)));
    assert!(matches!(endless, Status::Cancelled));
    assert!(matches!(optional_endless, Status::Cancelled));
    assert!(matches!(critical_endless, Status::Cancelled));
}

#[tokio::test(start_paused = true)]
async fn a_noncritical_failure_lets_the_run_go_on() {
    let trace = Trace::new();
    let flow = workflow! {
        clone(trace);
        noncritical job flaky = boom(10);
        job long = step(trace, "long", 30);
        job after requires(long) = step(trace, "after", 5);
    };
    let outcome = flow.run().await.unwrap();
    assert_eq!(
        outcome.flaky.error().unwrap().to_string(),
        "boom after 10ms"
    );
    assert_eq!((outcome.long, outcome.after), ("long", "after"));
    assert_eq!(trace.at("<after"), 35);
}

#[tokio::test(start_paused = true)]
async fn a_critical_failure_aborts_the_run() {
    let trace = Trace::new();
    let flow = workflow! {
        clone(trace);
        job fragile = boom(10);
        job long = step(trace, "long", 30);
        job after requires(fragile) = step(trace, "after", 5);
    };
    let failure = flow.run().await.unwrap_err();
    assert_eq!(
        failure.to_string(),
        "critical job `fragile` failed: boom after 10ms"
    );
    assert_eq!(
        trace.entries(),
        ["0 long>"],
        "`long` cancelled, `after` never started"
    );
    assert_eq!(trace.now(), 10);
    assert!(matches!(failure.outcome.long, Status::Cancelled));
    assert!(matches!(failure.outcome.after, Status::Idle));
}

#[tokio::test(start_paused = true)]
async fn forever_jobs_are_cancelled_when_the_finite_jobs_are_done() {
    let trace = Trace::new();
    let flow = workflow! {
        clone(trace);
        forever job ticker {
            for tick in 0.. {
                trace.log(format!("tick {tick}"));
                sleep(10).await;
            }
        }
        job work = step(trace, "work", 35);
    };
    let outcome = flow.run().await.unwrap();
    assert!(matches!(outcome.ticker, Status::Cancelled));
    assert_eq!(
        trace.entries(),
        [
            "0 tick 0",
            "0 work>",
            "10 tick 1",
            "20 tick 2",
            "30 tick 3",
            "35 <work"
        ]
    );
    sleep(100).await;
    assert!(!trace.has("tick 4"), "the ticker is stopped for good");
}

#[tokio::test(start_paused = true)]
async fn a_forever_job_that_ends_unlocks_the_forever_jobs_after_it() {
    let trace = Trace::new();
    let flow = workflow! {
        clone(trace);
        forever job warm_up = step(trace, "warm_up", 10);
        forever job serve requires(warm_up) {
            trace.log("serve");
            std::future::pending::<()>().await
        }
        job work = step(trace, "work", 30);
    };
    let outcome = flow.run().await.unwrap();
    assert!(matches!(outcome.warm_up, Status::Done("warm_up")));
    assert!(matches!(outcome.serve, Status::Cancelled));
    assert_eq!(trace.at("serve"), 10);
}

#[tokio::test(start_paused = true)]
async fn forever_jobs_take_no_window_slot() {
    let trace = Trace::new();
    let flow = workflow! {
        window = 1;
        clone(trace);
        forever job monitor = std::future::pending::<()>();
        job a = step(trace, "a", 10);
        job b = step(trace, "b", 10);
    };
    let outcome = flow.run().await.unwrap();
    assert_eq!(trace.entries(), ["0 a>", "10 <a", "10 b>", "20 <b"]);
    assert!(matches!(outcome.monitor, Status::Cancelled));
}

#[tokio::test(start_paused = true)]
async fn a_workflow_of_forever_jobs_only_ends_at_once() {
    let trace = Trace::new();
    let flow = workflow! {
        forever job a = std::future::pending::<()>();
        forever job b = std::future::pending::<()>();
    };
    let outcome = flow.run().await.unwrap();
    assert_eq!(trace.now(), 0);
    assert!(matches!(outcome.a, Status::Cancelled), "{:?}", outcome.a);
    assert!(matches!(outcome.b, Status::Cancelled));
}

#[tokio::test(start_paused = true)]
async fn window_bounds_the_finite_jobs_running_at_once() {
    let trace = Trace::new();
    let flow = workflow! {
        window = 2;
        clone(trace);
        job a = step(trace, "a", 10);
        job b = step(trace, "b", 25);
        job c = step(trace, "c", 10);
        job d = step(trace, "d", 10);
    };
    flow.run().await.unwrap();
    assert_eq!(
        trace.entries(),
        [
            "0 a>", "0 b>", "10 <a", "10 c>", "20 <c", "20 d>", "25 <b", "30 <d"
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_window_slot_is_given_back_when_a_job_panics_or_fails() {
    let trace = Trace::new();
    let flow = workflow! {
        window = 1;
        clone(trace);
        noncritical job panics {
            sleep(10).await;
            if true {
                panic!("oops");
            }
        }
        noncritical job fails = boom(10);
        job last = step(trace, "last", 10);
    };
    let outcome = flow.run().await.unwrap();
    assert!(outcome.panics.error().unwrap().is_panic());
    assert!(outcome.fails.error().is_some());
    assert_eq!(trace.entries(), ["20 last>", "30 <last"]);
}

#[tokio::test(start_paused = true)]
async fn a_critical_forever_job_that_fails_aborts_the_run() {
    let trace = Trace::new();
    let flow = workflow! {
        clone(trace);
        forever job watchdog { sleep(10).await; Err::<(), _>(String::from("lost the bus")) }
        job work = step(trace, "work", 30);
    };
    let failure = flow.run().await.unwrap_err();
    assert_eq!(
        failure.to_string(),
        "critical job `watchdog` failed: lost the bus"
    );
    assert!(matches!(failure.outcome.work, Status::Cancelled));
    assert_eq!(trace.now(), 10);
}

#[tokio::test(start_paused = true)]
async fn a_noncritical_forever_job_that_fails_is_only_recorded() {
    let flow = workflow! {
        noncritical forever job watchdog { sleep(10).await; Err::<(), _>(String::from("lost")) }
        job work = sleep(30);
    };
    let outcome = flow.run().await.unwrap();
    assert_eq!(outcome.watchdog.error().unwrap().to_string(), "lost");
}

#[tokio::test(start_paused = true)]
async fn a_forever_job_may_loop_forever_and_a_body_may_be_todo() {
    let trace = Trace::new();
    let flow = workflow! {
        clone(trace);
        forever job ticker {
            loop {
                trace.log("tick");
                sleep(10).await;
            }
        }
        noncritical job later { todo!() }
        job counted {
            let mut n = 0;
            loop {
                n += 1;
                if n == 3 {
                    break n;
                }
            }
        }
        job work = sleep(25);
    };
    let outcome = flow.run().await.unwrap();
    let ticker: Status<()> = outcome.ticker;
    assert!(matches!(ticker, Status::Cancelled));
    let later: Status<()> = outcome.later;
    assert_eq!(
        later.error().unwrap().to_string(),
        "panicked: not yet implemented"
    );
    assert_eq!(outcome.counted, 3);
    assert_eq!(trace.entries(), ["0 tick", "10 tick", "20 tick"]);
}
