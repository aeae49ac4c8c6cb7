use jobs_core::workflow;

async fn step() {}

fn build() {
    let _flow = workflow! {
        job fetch = step();
        jbo parse = step();
    };
}

fn main() {}
