use jobs_core::workflow;

async fn step() {}

fn build() {
    let _flow = workflow! {
        forever forever job monitor = step();
    };
}

fn main() {}
