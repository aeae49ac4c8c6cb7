//! Helpers shared by the behaviour tests.

use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A shared, ordered log of what the jobs did.
#[derive(Clone, Default)]
pub struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    pub fn push(&self, entry: impl Into<String>) {
        self.0.lock().unwrap().push(entry.into());
    }

    pub fn entries(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }

    pub fn position(&self, entry: &str) -> usize {
        self.entries()
            .iter()
            .position(|e| e == entry)
            .unwrap_or_else(|| panic!("`{entry}` not in {:?}", self.entries()))
    }
}

/// A job that logs its start and end and sleeps `ms` (virtual) milliseconds.
pub async fn step(log: Log, name: &'static str, ms: u64) -> Result<&'static str, std::io::Error> {
    log.push(format!("{name}>"));
    tokio::time::sleep(Duration::from_millis(ms)).await;
    log.push(format!("<{name}"));
    Ok(name)
}

/// A job that fails after `ms` milliseconds.
pub async fn boom(ms: u64) -> Result<(), std::io::Error> {
    tokio::time::sleep(Duration::from_millis(ms)).await;
    Err(std::io::Error::other(format!("boom after {ms}ms")))
}
