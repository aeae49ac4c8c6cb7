use jobs_core::workflow;

fn shout(text: &str) -> String {
    text.to_uppercase()
}

fn build() {
    let _flow = workflow! {
        job count { 3_usize }
        job loud(count) { shout(count) }
    };
}

fn main() {}
