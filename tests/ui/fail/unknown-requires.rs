use jobs_core::workflow;

async fn step() {}

fn build() {
    let _flow = workflow! {
        job fetch = step();
        job parse requires(fecth) = step();
    };
}

fn main() {}
