use jobs_core::workflow;

fn build() {
    let _flow = workflow! {
        scheduler deploy {
            job push { 1 }
        }
        job report(deploy) { deploy }
    };
}

fn main() {}
