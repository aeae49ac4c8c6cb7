use jobs_core::workflow;

async fn step() {}

fn build() {
    let _flow = workflow! {
        job fetch requires(parse) = step();
        job parse requires(fetch) = step();
    };
}

fn main() {}
