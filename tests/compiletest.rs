//! The compile-time contract of `workflow!`: each misuse in `tests/ui/fail` fails
//! to compile with the error in its `.stderr`, and each odd but legal input in
//! `tests/ui/pass` compiles and runs.
//!
//! Regenerate the `.stderr` files with
//! `TRYBUILD=overwrite cargo test -p jobs-suite --test compiletest`, then review them.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/fail/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
