use jobs_core::workflow;

async fn twice() {
    let flow = workflow! {
        job answer { 42 }
    };
    let _ = flow.run().await;
    let _ = flow.run().await;
}

fn main() {}
