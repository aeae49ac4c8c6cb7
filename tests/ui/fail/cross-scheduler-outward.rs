use jobs_core::workflow;

async fn step() {}

fn build() {
    let _flow = workflow! {
        job build = step();
        scheduler deploy {
            job push requires(build) = step();
        }
    };
}

fn main() {}
