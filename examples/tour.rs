//! A tour of `workflow!`: the classic scenarios, each a workflow declared
//! inline, checked when it compiles, with a typed result per job.
//!
//! Run with `cargo run --example tour`. `examples/tour_api.rs` builds the same
//! scenarios with the runtime API, for workflows assembled at run time.

use std::error::Error;
use std::time::{Duration, Instant};

use jobs_core::{Scheduler, infallible, workflow};
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

type Result<T = (), E = Box<dyn Error + Send + Sync>> = std::result::Result<T, E>;

/// Prints a message when entering and leaving, sleeps in between, and returns
/// the number of milliseconds it slept.
async fn in_out(start: Instant, seconds: f64) -> u64 {
    println!("{:7.3} -> in_out({seconds})", start.elapsed().as_secs_f64());
    tokio::time::sleep(Duration::from_secs_f64(seconds)).await;
    println!("{:7.3} <- in_out({seconds})", start.elapsed().as_secs_f64());
    (seconds * 1000.0) as u64
}

/// The same, telling a message bus instead of printing.
async fn in_out_bus(start: Instant, seconds: f64, bus: UnboundedSender<String>) -> u64 {
    let now = || start.elapsed().as_secs_f64();
    let _ = bus.send(format!("{:7.3} -> in_out({seconds})", now()));
    tokio::time::sleep(Duration::from_secs_f64(seconds)).await;
    let _ = bus.send(format!("{:7.3} <- in_out({seconds})", now()));
    (seconds * 1000.0) as u64
}

async fn boom(seconds: f64) -> Result<(), String> {
    tokio::time::sleep(Duration::from_secs_f64(seconds)).await;
    Err(format!("boom after {seconds}s"))
}

/// A: three jobs in parallel, like `join!`, each result with its own name.
async fn example_a() -> Result {
    println!("--- A: running in parallel");
    let t = Instant::now();
    let flow = workflow! {
        job a1 = in_out(t, 0.1);
        job a2 = in_out(t, 0.2);
        job a3 = in_out(t, 0.25);
    };
    print!("{}", flow.scheduler().list());
    let outcome = flow.run().await?;
    println!(
        "results: a1={} a2={} a3={}",
        outcome.a1, outcome.a2, outcome.a3
    );
    Ok(())
}

/// B: b2 requires b1, b3 runs beside them; B': the same with a sequence.
async fn example_b() -> Result {
    println!("--- B: requirements");
    let t = Instant::now();
    let flow = workflow! {
        job b1 = in_out(t, 0.1);
        job b2 requires(b1) = in_out(t, 0.2);
        job b3 = in_out(t, 0.25);
    };
    print!("{}", flow.scheduler().list());
    flow.run().await?;

    println!("--- B': the same with a sequence");
    let t = Instant::now();
    let flow = workflow! {
        sequence {
            job bp1 = in_out(t, 0.1);
            job bp2 = in_out(t, 0.2);
        }
        job bp3 = in_out(t, 0.25);
    };
    print!("{}", flow.scheduler().list());
    flow.run().await?;
    Ok(())
}

/// C: a monitor that never ends, as a forever job: the run ends when the finite
/// jobs are done, and the monitor is cancelled. `clone(bus)` gives each job that
/// mentions `bus` its own sender.
async fn example_c() -> Result {
    println!("--- C: a forever job");
    let t = Instant::now();
    let (bus, mut messages) = unbounded_channel::<String>();
    let flow = workflow! {
        clone(bus);
        job c1 = in_out_bus(t, 0.2, bus);
        job c2 = in_out_bus(t, 0.4, bus);
        job c3 requires(c1) = in_out_bus(t, 0.3, bus);
        forever job monitor {
            while let Some(message) = messages.recv().await {
                println!("BUS: {message}");
            }
        }
    };
    print!("{}", flow.scheduler().list());
    let outcome = flow.run().await?;
    println!(
        "c1={} c2={} c3={}, monitor: {}",
        outcome.c1,
        outcome.c2,
        outcome.c3,
        outcome.monitor.state()
    );
    // The runtime's view of the run: the same listing, with the states.
    print!("{}", outcome.runtime().list());
    Ok(())
}

/// D: a timeout for the whole run.
async fn example_d() {
    println!("--- D: a timeout");
    let t = Instant::now();
    let flow = workflow! {
        timeout = Duration::from_millis(250);
        job ticker {
            for i in 0.. {
                println!("{:7.3}: forever {i}", t.elapsed().as_secs_f64());
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    };
    print!("{}", flow.scheduler().list());
    match flow.run().await {
        Ok(_) => println!("the ticker ended"),
        Err(failure) => println!(
            "run failed: {failure}; ticker: {}",
            failure.outcome.ticker.state()
        ),
    }
}

/// E: a non-critical failure does not stop the jobs that only require it.
async fn example_e() -> Result {
    println!("--- E: a non-critical failure");
    let t = Instant::now();
    let flow = workflow! {
        sequence {
            job begin = in_out(t, 0.2);
            noncritical job boom = boom(0.2);
            job end = in_out(t, 0.3);
        }
    };
    print!("{}", flow.scheduler().list());
    let outcome = flow.run().await?;
    // A non-critical job's field is a `Status`: it may have failed.
    let error = outcome.boom.error().map(ToString::to_string);
    println!(
        "boom: {} ({}), end: {}",
        outcome.boom.state(),
        error.unwrap_or_default(),
        outcome.end
    );
    print!("{}", outcome.runtime().list());
    Ok(())
}

/// F: a critical failure aborts the run: `end` never starts. The failure still
/// carries the status of every job.
async fn example_f() {
    println!("--- F: a critical failure");
    let t = Instant::now();
    let flow = workflow! {
        sequence {
            job begin = in_out(t, 0.2);
            job boom = boom(0.2);
            job end = in_out(t, 0.3);
        }
    };
    print!("{}", flow.scheduler().list());
    if let Err(failure) = flow.run().await {
        println!("end: {}", failure.outcome.end.state());
        // Why, the listing, the counts and the failures with their causes.
        print!("{}", failure.outcome.runtime().debrief());
    }
}

/// A window: 8 jobs of 0.5 s, at most 4 at once, take about 1 s.
async fn example_window() -> Result {
    println!("--- window");
    let t = Instant::now();
    let nth = |i: u32| async move {
        println!("{:7.3} {i}-th job", t.elapsed().as_secs_f64());
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let flow = workflow! {
        window = 4;
        job j1 = nth(1);
        job j2 = nth(2);
        job j3 = nth(3);
        job j4 = nth(4);
        job j5 = nth(5);
        job j6 = nth(6);
        job j7 = nth(7);
        job j8 = nth(8);
    };
    flow.run().await?;
    println!("total duration = {:.3}s", t.elapsed().as_secs_f64());
    Ok(())
}

async fn aprint(message: &'static str) {
    println!("{message}");
    tokio::time::sleep(Duration::from_millis(100)).await;
}

/// Builds a reusable piece of workflow with the runtime API: a diamond in its
/// own scheduler.
fn diamond(label: &str) -> Scheduler {
    let mut sub = Scheduler::new().with_label(label);
    let j1 = sub.add(infallible(aprint("subj1"))).label("subj1").id();
    let j2 = sub
        .add(infallible(aprint("subj2")))
        .label("subj2")
        .requires(j1)
        .id();
    let j3 = sub
        .add(infallible(aprint("subj3")))
        .label("subj3")
        .requires(j1)
        .id();
    sub.add(infallible(aprint("subj4")))
        .label("subj4")
        .requires(j2)
        .requires(j3);
    sub
}

/// Nesting: a scheduler returned by a function and an inline `scheduler` block,
/// each one job of the main workflow.
async fn example_nesting() -> Result {
    println!("--- nesting");
    let flow = workflow! {
        sequence {
            job main_start = aprint("main-start");
            /// A diamond built by a function.
            job reused = diamond("critical nested");
            /// One at a time.
            scheduler inline {
                window = 1;
                job sub1 = aprint("sub1");
                job sub2 = aprint("sub2");
            }
            job main_end = aprint("main-end");
        }
    };
    print!("{}", flow.scheduler().listing().details(true));
    let outcome = flow.run().await?;
    print!("{}", outcome.runtime().list());
    println!("why: {}", outcome.runtime().why());
    Ok(())
}

#[tokio::main]
async fn main() -> Result {
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
