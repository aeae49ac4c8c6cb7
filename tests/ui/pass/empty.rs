// Empty workflows, sequences and nested schedulers build and run.
use jobs_core::workflow;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let flow = workflow! {};
    assert!(flow.scheduler().is_empty());
    let _outcome = flow.run().await.unwrap();

    let flow = workflow! {
        window = 1;
        sequence {}
        sequence named {}
        scheduler {}
        scheduler nested {}
        scheduler with_settings { window = 2; }
        job after requires(named, nested) { 1 }
    };
    let outcome = flow.run().await.unwrap();
    assert_eq!(outcome.after, 1);
}
