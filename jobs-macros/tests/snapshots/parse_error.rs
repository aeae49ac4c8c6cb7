// workflow! {job a = x(); jbo b = y();}

fn expansion() {
    let workflow = {
        ::core::compile_error! {
            "expected one of: `job`, `sequence`, `scheduler`; did you mean `job`?"
        }
        jobs_core::__private::Placeholder
    };
}
