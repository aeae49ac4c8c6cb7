use jobs_core::workflow;

fn build() {
    let _flow = workflow! {
        job fetch { String::from("<html>") }
        job parse(page) { page.len() }
    };
}

fn main() {}
