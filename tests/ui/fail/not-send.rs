use std::rc::Rc;

use jobs_core::workflow;

fn build() {
    let _flow = workflow! {
        job count {
            let shared = Rc::new(1);
            tokio::task::yield_now().await;
            *shared
        }
    };
}

fn main() {}
