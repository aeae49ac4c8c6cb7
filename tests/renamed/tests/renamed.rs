//! `workflow!` through a renamed dependency: this crate knows jobs-core only as
//! `renamed_jobs`, so any `jobs_core::` path in the expansion would not resolve.

use std::error::Error;

async fn fetch(page: u32) -> Result<String, std::io::Error> {
    Ok(format!("page {page}"))
}

#[tokio::test]
async fn a_workflow_through_a_renamed_dependency() {
    let flow = renamed_jobs::workflow! {
        label = "renamed";
        window = 2;
        /// The first page.
        job first = fetch(1);
        job second = fetch(2);
        job both(first, second) { format!("{first}, {second}") }
        noncritical job broken { Err::<u32, _>(String::from("broken")) }
        noncritical job skipped(broken) { broken + 1 }
        scheduler nested requires(both) {
            window = 1;
            job inner { 42 }
            job outer(inner) { inner * 2 }
        }
    };
    assert_eq!(flow.scheduler().label(), Some("renamed"));
    let outcome = flow.run().await.unwrap();
    assert_eq!(outcome.both, "page 1, page 2");
    assert_eq!(outcome.broken.error().unwrap().to_string(), "broken");
    assert_eq!(outcome.skipped.state(), renamed_jobs::State::Skipped);
    assert_eq!(outcome.nested.outer, 84);
}

async fn failing() -> Result<u32, Box<dyn Error + Send + Sync>> {
    let flow = renamed_jobs::workflow! {
        job ok { 1 }
        job fatal requires(ok) { Err::<u32, _>(std::io::Error::other("fatal")) }
        scheduler after requires(fatal) { job never { 2 } }
    };
    let outcome = flow.run().await?;
    Ok(outcome.fatal)
}

#[tokio::test]
async fn a_failure_through_a_renamed_dependency() {
    let error = failing().await.unwrap_err();
    assert_eq!(error.to_string(), "critical job `fatal` failed: fatal");
    let failure = error.source().map(ToString::to_string).unwrap_or_default();
    assert_eq!(failure, "fatal");
}
