// Raw identifiers and the words of the language are fine as names.
use jobs_core::workflow;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let flow = workflow! {
        job r#type { "type" }
        job job(r#type) { format!("{type} job") }
        job sequence requires(job) { 1 }
        job scheduler(sequence) { sequence + 1 }
        job critical { 10 }
        noncritical job noncritical(critical) { critical * 2 }
        forever job forever = std::future::pending::<()>();
        job clone { "clone" }
        job r#requires requires(clone) { 3 }
        job window { 4 }
        job label requires(r#requires, window) { "label" }
        job r#match(r#type, window) { r#type.len() + window }
    };
    let outcome = flow.run().await.unwrap();
    assert_eq!(outcome.r#type, "type");
    assert_eq!(outcome.job, "type job");
    assert_eq!(outcome.sequence, 1);
    assert_eq!(outcome.scheduler, 2);
    assert_eq!(outcome.noncritical.ok(), Some(20));
    assert!(!outcome.forever.is_done());
    assert_eq!(outcome.r#requires, 3);
    assert_eq!(outcome.label, "label");
    assert_eq!(outcome.r#match, 8);
}
