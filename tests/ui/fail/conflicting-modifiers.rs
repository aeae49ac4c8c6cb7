use jobs_core::workflow;

async fn step() {}

fn build() {
    let _flow = workflow! {
        critical noncritical job notify = step();
    };
}

fn main() {}
