use jobs_core::workflow;

async fn step() {}

fn build() {
    let _flow = workflow! {
        window = 0;
        job fetch requires(nothing) = step();
        job parse requires(fetch) = step();
        job fetch = step();
        critical noncritical job store requires(parse) = step();
    };
}

fn main() {}
