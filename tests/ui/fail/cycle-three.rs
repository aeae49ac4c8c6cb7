use jobs_core::workflow;

async fn step() {}

fn build() {
    let _flow = workflow! {
        job parse requires(fetch) = step();
        job fetch requires(store) = step();
        job store requires(parse) = step();
        job report requires(store) = step();
    };
}

fn main() {}
