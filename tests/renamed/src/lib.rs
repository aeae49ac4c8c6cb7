//! Only the test in `tests/` matters.
