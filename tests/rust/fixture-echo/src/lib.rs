//! Every export of the fixture ABI through the generic guest part: `Exports` and
//! `register_exports!`, with the `now_ms` host function through its typed wrapper.

use std::cell::RefCell;

use fixture_echo_v3::guest::runtime::imports;
use fixture_echo_v3::guest::{Exports, Failure};
use fixture_echo_v3::{EchoRequest, Echoed, Shape};

thread_local! {
    static LAST: RefCell<Option<Shape>> = RefCell::new(None);
}

struct Echo;

impl Exports for Echo {
    type Config = serde_json::Value;

    fn title() -> Result<String, Failure> {
        Ok(format!("Echo at {}", imports::now_ms()))
    }

    fn settings_schema() -> Result<String, Failure> {
        Ok(String::from(r#"{"type":"object"}"#))
    }

    fn shout(input: String) -> Result<String, Failure> {
        Ok(input.to_uppercase())
    }

    fn echo(input: EchoRequest<serde_json::Value>) -> Result<Echoed, Failure> {
        if input.repeat == 0 {
            return Err(Failure::new("repeat must be at least 1"));
        }
        let shapes = vec![input.shape.clone(); usize::from(input.repeat)];
        LAST.with(|last| *last.borrow_mut() = Some(input.shape));
        Ok(Echoed {
            total: shapes.len() as u64,
            shapes,
        })
    }

    fn last_shape() -> Result<Option<Shape>, Failure> {
        Ok(LAST.with(|last| last.borrow().clone()))
    }
}

fixture_echo_v3::register_exports!(Echo);
