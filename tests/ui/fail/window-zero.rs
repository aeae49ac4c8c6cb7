use jobs_core::workflow;

async fn step() {}

fn build() {
    let _flow = workflow! {
        window = 0;
        job fetch = step();
    };
}

fn main() {}
