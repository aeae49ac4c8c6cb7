//! A live progress bar for a workflow of a few hundred jobs, driven by the stream of
//! state changes (`Scheduler::events`), then the run's summary.
//!
//! Run with `cargo run --example progress`.

use std::collections::HashMap;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use jobs_core::{Event, JobId, Scheduler, State};

const JOBS: u64 = 300;

/// A tiny deterministic generator (xorshift), so that every run draws the same
/// workflow.
struct Dice(u64);

impl Dice {
    /// A number in `0..n`.
    fn roll(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// A step that takes `ms` milliseconds, and fails if `fails`.
async fn step(ms: u64, fails: bool) -> Result<u64, String> {
    tokio::time::sleep(Duration::from_millis(ms)).await;
    if fails {
        return Err(format!("checksum mismatch after {ms} ms"));
    }
    Ok(ms)
}

/// How many jobs are in each state, kept up to date from the events.
#[derive(Default)]
struct Tally {
    states: HashMap<JobId, State>,
    ended: u64,
    running: usize,
    done: usize,
    failed: usize,
    skipped: usize,
}

impl Tally {
    fn update(&mut self, event: &Event) {
        if self.states.insert(event.job, event.state) == Some(State::Running) {
            self.running -= 1;
        }
        match event.state {
            State::Running => self.running += 1,
            State::Done => self.done += 1,
            State::Failed => self.failed += 1,
            State::Skipped => self.skipped += 1,
            _ => {}
        }
        if !matches!(event.state, State::Scheduled | State::Running) {
            self.ended += 1;
        }
    }

    fn message(&self) -> String {
        format!(
            "{} running, {} done, {} failed, {} skipped",
            self.running, self.done, self.failed, self.skipped
        )
    }
}

#[tokio::main]
async fn main() {
    let mut dice = Dice(0x9e37_79b9_7f4a_7c15);
    let mut s = Scheduler::new().with_window(16);
    let (mut ids, mut failing) = (Vec::new(), Vec::new());
    for n in 0..JOBS {
        let ms = 20 + dice.roll(180);
        let fails = dice.roll(80) == 0;
        let mut job = s
            .add(step(ms, fails))
            .label(format!("step {n}"))
            .noncritical();
        // Up to two requirements among the 40 jobs before this one.
        for _ in 0..dice.roll(3) {
            if let Some(back) = n.checked_sub(1 + dice.roll(40)) {
                job = job.requires(ids[back as usize]);
            }
        }
        let id = job.id();
        ids.push(id);
        if fails {
            failing.push(id);
        }
    }
    // A check of each failing step's output: it is skipped, for lack of that output.
    for step in failing {
        s.add_with((step,), |(ms,)| async move { Ok::<_, String>(ms) })
            .label(format!("check {}", step.id().index()))
            .noncritical();
    }

    let bar = ProgressBar::new(s.len() as u64).with_style(
        ProgressStyle::with_template("{elapsed:>3} [{bar:40}] {pos}/{len} {msg}").unwrap(),
    );
    let mut events = s.events();
    let run = tokio::spawn(s.run());
    let mut tally = Tally::default();
    while let Some(event) = events.next().await {
        tally.update(&event);
        bar.set_position(tally.ended);
        bar.set_message(tally.message());
    }
    bar.finish();

    let outcome = match run.await.expect("the run panicked") {
        Ok(outcome) => outcome,
        Err(failure) => failure.outcome,
    };
    // The debrief without its listing: why the run ended, the counts, the failures.
    println!("----- why: {}", outcome.why());
    print!("{}", outcome.summary());
}
