//! The classic scenarios, built with the runtime API (`Scheduler`), for workflows that
//! are assembled at run time: in loops, from configuration, by functions.
//!
//! Run with `cargo run --example tour_api`.

use std::time::{Duration, Instant};

use jobs_core::{Scheduler, State, infallible};
use tokio::sync::mpsc;

/// Prints a message when entering and leaving, sleeps in between, and returns the
/// number of milliseconds it slept.
async fn in_out(start: Instant, seconds: f64) -> u64 {
    println!("{:7.3} -> in_out({seconds})", start.elapsed().as_secs_f64());
    tokio::time::sleep(Duration::from_secs_f64(seconds)).await;
    println!("{:7.3} <- in_out({seconds})", start.elapsed().as_secs_f64());
    (seconds * 1000.0) as u64
}

async fn boom(seconds: f64) -> Result<(), String> {
    tokio::time::sleep(Duration::from_secs_f64(seconds)).await;
    Err(format!("boom after {seconds}s"))
}

/// A: three jobs in parallel, like `join!`, with their results.
async fn example_a() -> Result<(), jobs_core::Failure> {
    println!("--- A: running in parallel");
    let t = Instant::now();
    let mut s = Scheduler::new();
    let a1 = s.add(infallible(in_out(t, 0.1))).id();
    let a2 = s.add(infallible(in_out(t, 0.2))).id();
    let a3 = s.add(infallible(in_out(t, 0.25))).id();
    let outcome = s.run().await?;
    for job in [a1, a2, a3] {
        println!("result: {:?}", outcome.value(job));
    }
    Ok(())
}

/// B: b2 requires b1, b3 runs beside them; B': the same with a sequence.
async fn example_b() -> Result<(), jobs_core::Failure> {
    println!("--- B: requirements");
    let t = Instant::now();
    let mut s = Scheduler::new();
    let b1 = s.add(infallible(in_out(t, 0.1))).label("b1").id();
    s.add(infallible(in_out(t, 0.2))).label("b2").requires(b1);
    s.add(infallible(in_out(t, 0.25)));
    s.run().await?;

    println!("--- B': the same with a sequence");
    let t = Instant::now();
    let mut s = Scheduler::new();
    let mut seq = s.sequence();
    seq.add(infallible(in_out(t, 0.1))).label("bp1");
    seq.add(infallible(in_out(t, 0.2))).label("bp2");
    s.add(infallible(in_out(t, 0.25)));
    s.run().await?;
    Ok(())
}

/// C: a monitor loop that never ends, as a forever job: the run ends when the finite
/// jobs are done, and the monitor is cancelled.
async fn example_c() -> Result<(), jobs_core::Failure> {
    println!("--- C: a forever job");
    let t = Instant::now();
    let (bus, mut messages) = mpsc::unbounded_channel::<String>();
    let in_out_bus = move |seconds: f64| {
        let bus = bus.clone();
        infallible(async move {
            let _ = bus.send(format!(
                "{:7.3} -> in_out({seconds})",
                t.elapsed().as_secs_f64()
            ));
            tokio::time::sleep(Duration::from_secs_f64(seconds)).await;
            let _ = bus.send(format!(
                "{:7.3} <- in_out({seconds})",
                t.elapsed().as_secs_f64()
            ));
            seconds * 10.0
        })
    };
    let mut s = Scheduler::new();
    let c1 = s.add(in_out_bus(0.2)).label("c1").id();
    s.add(in_out_bus(0.4)).label("c2");
    s.add(in_out_bus(0.3)).label("c3").requires(c1);
    let monitor = s
        .add(infallible(async move {
            while let Some(message) = messages.recv().await {
                println!("BUS: {message}");
            }
        }))
        .label("monitor")
        .forever(true)
        .id();
    let outcome = s.run().await?;
    println!("monitor: {}", outcome.state(monitor).unwrap_or(State::Idle));
    Ok(())
}

/// D: a global timeout.
async fn example_d() {
    println!("--- D: a timeout");
    let t = Instant::now();
    let mut s = Scheduler::new().with_timeout(Duration::from_millis(250));
    s.add(infallible(async move {
        for i in 0.. {
            println!("{:7.3}: forever {i}", t.elapsed().as_secs_f64());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }))
    .label("ticker");
    let failure = s.run().await.unwrap_err();
    println!("run failed: {failure}");
}

/// E: a non-critical failure does not stop the jobs that only require it.
async fn example_e() -> Result<(), jobs_core::Failure> {
    println!("--- E: a non-critical failure");
    let t = Instant::now();
    let mut s = Scheduler::new();
    let mut seq = s.sequence();
    seq.add(infallible(in_out(t, 0.2))).label("begin");
    let boom = seq.add(boom(0.2)).label("boom").noncritical().id();
    let end = seq.add(infallible(in_out(t, 0.3))).label("end").id();
    let outcome = s.run().await?;
    println!(
        "boom: {} ({}), end: {:?}",
        outcome.state(boom).unwrap_or(State::Idle),
        outcome
            .report(boom)
            .and_then(|r| r.error())
            .map(ToString::to_string)
            .unwrap_or_default(),
        outcome.value(end)
    );
    Ok(())
}

/// F: a critical failure aborts the run: `end` never starts.
async fn example_f() {
    println!("--- F: a critical failure");
    let t = Instant::now();
    let mut s = Scheduler::new();
    let mut seq = s.sequence();
    seq.add(infallible(in_out(t, 0.2))).label("begin");
    seq.add(boom(0.2)).label("boom");
    let end = seq.add(infallible(in_out(t, 0.3))).label("end").id();
    let failure = s.run().await.unwrap_err();
    println!("run failed: {failure}");
    println!("end: {}", failure.outcome.state(end).unwrap_or(State::Idle));
}

/// A window: 8 jobs of 0.5 s, at most 4 at once, take about 1 s.
async fn example_window() -> Result<(), jobs_core::Failure> {
    println!("--- window");
    let t = Instant::now();
    let mut s = Scheduler::new().with_window(4);
    for i in 1..=8 {
        s.add(infallible(async move {
            println!("{:7.3} {i}-th job", t.elapsed().as_secs_f64());
            tokio::time::sleep(Duration::from_millis(500)).await;
        }));
    }
    s.run().await?;
    println!("total duration = {:.3}s", t.elapsed().as_secs_f64());
    Ok(())
}

/// Builds a reusable piece of workflow: a diamond in its own critical scheduler.
fn diamond(label: &str) -> Scheduler {
    let mut sub = Scheduler::new().with_label(label);
    let aprint = |message: &'static str| {
        infallible(async move {
            println!("{message}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        })
    };
    let j1 = sub.add(aprint("subj1")).label("subj1").id();
    let j2 = sub.add(aprint("subj2")).label("subj2").requires(j1).id();
    let j3 = sub.add(aprint("subj3")).label("subj3").requires(j1).id();
    sub.add(aprint("subj4"))
        .label("subj4")
        .requires(j2)
        .requires(j3);
    sub
}

/// Nesting: a scheduler returned by a function is one job of the main scheduler.
async fn example_nesting() -> Result<(), jobs_core::Failure> {
    println!("--- nesting");
    let mut main = Scheduler::new();
    let mut seq = main.sequence();
    seq.add(infallible(async { println!("main-start") }))
        .label("main-start");
    seq.add(diamond("critical nested"));
    seq.add(infallible(async { println!("main-end") }))
        .label("main-end");
    let outcome = main.run().await?;
    println!("{}", outcome.why());
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), jobs_core::Failure> {
    example_a().await?;
    example_b().await?;
    example_c().await?;
    example_d().await;
    example_e().await?;
    example_f().await;
    example_window().await?;
    example_nesting().await?;
    Ok(())
}
