use jobs_core::workflow;

async fn step() {}

fn build() {
    let _flow = workflow! {
        forever job monitor = step();
        job index requires(monitor) = step();
    };
}

fn main() {}
