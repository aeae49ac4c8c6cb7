//! Helpers shared by the behaviour tests.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

/// An ordered record of what jobs did, each entry with its virtual time in
/// milliseconds since the trace was made.
#[derive(Clone)]
pub struct Trace {
    start: Instant,
    entries: Arc<Mutex<Vec<(u64, String)>>>,
}

impl Trace {
    /// A trace starting now; make it inside the test's runtime, whose clock is paused.
    pub fn new() -> Self {
        Trace {
            start: Instant::now(),
            entries: Arc::default(),
        }
    }

    pub fn log(&self, entry: impl Into<String>) {
        let now = self.now();
        self.entries.lock().unwrap().push((now, entry.into()));
    }

    /// Milliseconds since the trace was made.
    pub fn now(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_millis()).unwrap()
    }

    /// Every entry as `"TIME ENTRY"`, in order.
    pub fn entries(&self) -> Vec<String> {
        self.entries
            .lock()
            .unwrap()
            .iter()
            .map(|(time, entry)| format!("{time} {entry}"))
            .collect()
    }

    /// The time of `entry`, which must have been logged once.
    pub fn at(&self, entry: &str) -> u64 {
        let entries = self.entries.lock().unwrap();
        let found: Vec<u64> = entries
            .iter()
            .filter(|(_, e)| e == entry)
            .map(|(time, _)| *time)
            .collect();
        assert_eq!(found.len(), 1, "`{entry}` in {entries:?}");
        found[0]
    }

    /// Whether `entry` was logged.
    pub fn has(&self, entry: &str) -> bool {
        self.entries.lock().unwrap().iter().any(|(_, e)| e == entry)
    }
}

/// Logs `name>` when it starts and `<name` when it ends, sleeping `ms` in
/// between; yields `name`.
pub async fn step(trace: Trace, name: &'static str, ms: u64) -> &'static str {
    trace.log(format!("{name}>"));
    tokio::time::sleep(Duration::from_millis(ms)).await;
    trace.log(format!("<{name}"));
    name
}

/// Fails with an `std::io::Error` after `ms` milliseconds.
pub async fn boom(ms: u64) -> Result<u32, std::io::Error> {
    tokio::time::sleep(Duration::from_millis(ms)).await;
    Err(std::io::Error::other(format!("boom after {ms}ms")))
}

pub async fn sleep(ms: u64) {
    tokio::time::sleep(Duration::from_millis(ms)).await;
}
