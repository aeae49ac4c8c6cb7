use jobs_core::workflow;

fn build() {
    let name = String::from("page");
    let _flow = workflow! {
        job length = async { name.len() };
    };
}

fn main() {}
