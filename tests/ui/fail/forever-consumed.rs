use jobs_core::workflow;

fn build() {
    let _flow = workflow! {
        forever job monitor { 7 }
        job index(monitor) { monitor + 1 }
    };
}

fn main() {}
