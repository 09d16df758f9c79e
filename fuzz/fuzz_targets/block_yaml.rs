//! Text → the YAML fast path and granit-parser: wherever the fast path accepts a document, its
//! events and spans must be granit-parser's (`load::block_yaml::check_against_granit`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use meshlint::load::block_yaml::{Verdict, check_against_granit};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Verdict::Differs(why) = check_against_granit(text) {
        panic!("{why}\n--- text:\n{text:?}");
    }
});
