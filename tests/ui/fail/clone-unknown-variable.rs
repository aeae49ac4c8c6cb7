use jobs_core::workflow;

async fn send(bus: String) {
    drop(bus);
}

fn build() {
    let _flow = workflow! {
        clone(bus);
        job first = send(bus);
        job second { send(bus).await }
    };
}

fn main() {}
