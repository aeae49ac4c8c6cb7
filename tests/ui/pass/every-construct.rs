// Every construct of the grammar, once.
use std::time::Duration;

use jobs_core::{BoxError, Scheduler, Status, workflow};

struct Answer;

impl jobs_core::Job for Answer {
    type Output = u32;

    fn run(&mut self) -> impl Future<Output = Result<u32, BoxError>> + Send + 'static {
        async { Ok(42) }
    }
}

fn piece() -> Scheduler {
    let mut s = Scheduler::new().with_label("piece");
    s.add(jobs_core::infallible(async {}));
    s
}

async fn fetch(url: String) -> Result<String, std::io::Error> {
    Ok(format!("<{url}>"))
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let url = String::from("example.org");
    let flow = workflow! {
        label = "every construct";
        window = 2;
        timeout = Duration::from_secs(5);
        shutdown_timeout = Duration::from_millis(100);
        clone(url);

        /// Fetches the page.
        critical job page = fetch(url);
        job size(page) { page.len() }
        job plain { "plain" }
        job fallible { Ok::<_, String>(1_u8) }
        job answer requires(plain) = Answer;
        job reused = piece();
        noncritical job optional(size) requires(answer,) { size + 1 }
        forever job monitor = std::future::pending::<()>();
        sequence steps requires(fallible) {
            job one { 1 }
            job two { 2 }
        }
        sequence { job three requires(steps) { 3 } }
        /// A nested scheduler.
        noncritical scheduler nested requires(steps) {
            window = 1;
            job inner { 'x' }
        }
    };
    let listing = flow.scheduler().listing().details(true).to_string();
    assert!(listing.contains("Fetches the page."), "{listing}");
    let outcome = flow.run().await.unwrap();
    assert_eq!(outcome.page, "<example.org>");
    assert_eq!(outcome.size, 13);
    assert_eq!(outcome.plain, "plain");
    assert_eq!(outcome.fallible, 1);
    assert_eq!(outcome.answer, 42);
    assert!(outcome.reused.is_success());
    assert_eq!(outcome.optional.ok(), Some(14));
    assert!(matches!(outcome.monitor, Status::Cancelled));
    assert_eq!((outcome.one, outcome.two, outcome.three), (1, 2, 3));
    assert_eq!(outcome.nested.ok().map(|n| n.inner), Some('x'));
    assert_eq!(url, "example.org");
}
