use jobs_core::workflow;

fn build() {
    let _flow = workflow! {
        job answer = 42;
    };
}

fn main() {}
