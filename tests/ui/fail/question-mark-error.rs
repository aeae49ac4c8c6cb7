use jobs_core::workflow;

struct NotAnError;

fn check(ok: bool) -> Result<u8, NotAnError> {
    if ok { Ok(1) } else { Err(NotAnError) }
}

fn build() {
    let _flow = workflow! {
        job checked { check(true)? }
    };
}

fn main() {}
