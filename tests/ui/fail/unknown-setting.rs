use jobs_core::workflow;

async fn step() {}

fn build() {
    let _flow = workflow! {
        windw = 4;
        job fetch = step();
    };
}

fn main() {}
