//! Every value type's parser, from text and from native TOML values: never
//! a panic, and a parsed number or boolean reads back as itself.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use stackauth::opt::{OptType, RawValue, Value};

fn types() -> &'static [OptType] {
    static T: OnceLock<Vec<OptType>> = OnceLock::new();
    T.get_or_init(stackauth_fuzz::every_type)
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else { return };
    let Ok(s) = std::str::from_utf8(rest) else { return };
    let t = &types()[usize::from(which) % types().len()];
    let _ = t.expected();
    if let Ok(Some(v)) = t.parse_str(s) {
        let _ = (v.to_json(false), v.to_json(true), format!("{v:?}"));
        let text = v.to_plain_string();
        let scalar = matches!(t, OptType::Integer(_) | OptType::Port(_) | OptType::Boolean)
            || matches!(v, Value::Float(f) if !f.is_nan());
        if scalar {
            assert_eq!(t.parse_str(&text), Ok(Some(v.clone())), "{s:?} -> {text:?}");
        }
    }
    // Native TOML values reach the same parsers.
    let items: Vec<RawValue> = s.split(',').map(|p| RawValue::Str(p.to_owned())).collect();
    let table: Vec<(String, RawValue)> = s.split(',').map(|p| (p.to_owned(), RawValue::Str(p.to_owned()))).collect();
    let mut raws = vec![RawValue::Array(items), RawValue::Table(table), RawValue::Datetime(s.to_owned())];
    if let Ok(i) = s.trim().parse::<i64>() {
        raws.push(RawValue::Int(i));
    }
    if let Ok(f) = s.trim().parse::<f64>() {
        raws.push(RawValue::Float(f));
    }
    raws.push(RawValue::Bool(s.len() % 2 == 0));
    for raw in &raws {
        let _ = t.parse(raw);
        let _ = (raw.kind(), raw.display_text(), raw.scalar_text());
    }
});
