use jobs_core::workflow;

async fn step() {}

fn build() {
    let _flow = workflow! {
        job fetch = step();
        window = 4;
    };
}

fn main() {}
