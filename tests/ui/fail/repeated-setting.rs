use jobs_core::workflow;

async fn step() {}

fn build() {
    let _flow = workflow! {
        window = 4;
        window = 8;
        job fetch = step();
    };
}

fn main() {}
