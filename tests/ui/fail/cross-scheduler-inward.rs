use jobs_core::workflow;

async fn step() {}

fn build() {
    let _flow = workflow! {
        scheduler deploy {
            job push = step();
        }
        job notify requires(push) = step();
    };
}

fn main() {}
