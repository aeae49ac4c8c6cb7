//! Doc comments become details, names become labels, `label` names a scheduler.

use jobs_core::workflow;

#[tokio::test(start_paused = true)]
async fn doc_comments_become_details() {
    let flow = workflow! {
        /// Downloads the page.
        ///
        /// Retries twice.
        job fetch { 1 }
        job plain { 2 }
        /// Ships it.
        noncritical scheduler deploy {
            /// Pushes the image.
            job push { 3 }
        }
    };
    let listing = flow.scheduler().listing().details(true).to_string();
    for expected in [
        "Downloads the page.",
        "Retries twice.",
        "Ships it.",
        "Pushes the image.",
    ] {
        assert!(listing.contains(expected), "{expected} not in {listing}");
    }
    let outcome = flow.into_scheduler().run().await.unwrap();
    let details: Vec<(String, Option<String>)> = outcome
        .jobs()
        .map(|job| (job.label().into_owned(), job.details().map(str::to_owned)))
        .collect();
    assert_eq!(
        details,
        [
            (
                "fetch".to_owned(),
                Some("Downloads the page.\n\nRetries twice.".to_owned())
            ),
            ("plain".to_owned(), None),
            ("deploy".to_owned(), Some("Ships it.".to_owned())),
        ]
    );
    let deploy = outcome.jobs().nth(2).and_then(|job| job.nested()).unwrap();
    let push = deploy.jobs().next().unwrap();
    assert_eq!(push.details(), Some("Pushes the image."));
}

#[tokio::test(start_paused = true)]
async fn names_are_labels_and_the_label_setting_names_a_scheduler() {
    let flow = workflow! {
        label = "nightly build";
        job r#type { 1 }
        job compile requires(r#type) { 2 }
        scheduler tests { job unit { 3 } }
        scheduler { label = "anonymous"; job lint { 4 } }
    };
    assert_eq!(flow.scheduler().label(), Some("nightly build"));
    let outcome = flow.into_scheduler().run().await.unwrap();
    assert_eq!(outcome.label(), Some("nightly build"));
    let labels: Vec<String> = outcome.jobs().map(|job| job.label().into_owned()).collect();
    assert_eq!(labels, ["type", "compile", "tests", "anonymous"]);
    let flags: Vec<(bool, bool)> = outcome
        .jobs()
        .map(|job| (job.is_critical(), job.is_scheduler()))
        .collect();
    assert_eq!(
        flags,
        [(true, false), (true, false), (true, true), (true, true)]
    );
}

#[tokio::test(start_paused = true)]
async fn listings_show_flags_and_requirements() {
    let flow = workflow! {
        job a { 1 }
        noncritical job b requires(a) { 2 }
        forever job c = std::future::pending::<()>();
    };
    let listing = flow.scheduler().listing().ascii(true).to_string();
    let lines: Vec<&str> = listing.lines().collect();
    assert_eq!(lines.len(), 3, "{listing}");
    assert!(lines[0].contains("`a`"), "{listing}");
    assert!(
        lines[1].contains("`b`") && lines[1].contains("requires={1}"),
        "{listing}"
    );
    assert!(lines[2].contains("`c`"), "{listing}");
}
