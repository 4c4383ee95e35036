//! Any bytes, read as (lossy) UTF-8 JSON: loading returns a config or
//! problems, never panics; a config that loads answers `explain`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(config) = logconf::Config::from_json_str(&text) {
        let _ = config.explain("app::module");
    }
});
