//! Options objects are checked for keys their type does not have. The conversion of a
//! `#[napi(object)]` drops unknown keys, so a misspelled option (`polcy`, `provenance.require`,
//! `signals.releaseAge`) would make a run check less than its caller asked, silently; the CLI
//! refuses an unknown flag, and so does the API (`EUSAGE`).

use napi::bindgen_prelude::{FromNapiValue, JsValue, Object, Result, Unknown, ValueType};
use napi::sys;
use sigverify_core::VerifyError;

/// The JS keys of an options object, and those of the option objects nested in it.
pub trait Keys {
    /// What the options are called in messages (`verifyTree() options`).
    const NAME: &'static str;
    /// Every key the object may have (as index.d.ts declares them).
    const KEYS: &'static [&'static str];
    /// Keys whose value is an options object of its own, with that object's keys.
    const NESTED: &'static [(&'static str, &'static [&'static str])] = &[];
}

/// An options object converted as `T`, and the keys it had that `T` does not know.
pub struct Strict<T> {
    value: T,
    unknown: Vec<String>,
    /// Nested option objects given as something else (`provenance: true`): converted, they
    /// would be no options at all.
    not_objects: Vec<String>,
}

impl<T: Keys> Strict<T> {
    /// The options, or `EUSAGE` naming the keys no option has.
    pub fn checked(self) -> std::result::Result<T, VerifyError> {
        if let Some(key) = self.not_objects.first() {
            return Err(VerifyError::Usage(format!(
                "{}: option {key} must be an object of options (e.g. {key}: {{ ... }}); any other value would be read as no options and check less",
                T::NAME
            )));
        }
        if self.unknown.is_empty() {
            return Ok(self.value);
        }
        Err(VerifyError::Usage(format!(
            "{}: unknown option {} (known: {}); a misspelled option would be ignored and check less",
            T::NAME,
            self.unknown.join(", "),
            T::KEYS.join(", ")
        )))
    }
}

impl<T: FromNapiValue + Keys> FromNapiValue for Strict<T> {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> Result<Self> {
        let mut unknown = Vec::new();
        let mut not_objects = Vec::new();
        let object = Object::from_napi_value(env, value)?;
        unknown_keys(&object, T::KEYS, "", &mut unknown)?;
        for (key, keys) in T::NESTED {
            let Some(inner) = object.get::<Unknown>(key)? else {
                continue;
            };
            match inner.get_type()? {
                ValueType::Object => {
                    let inner = Object::from_napi_value(env, inner.raw())?;
                    unknown_keys(&inner, keys, &format!("{key}."), &mut unknown)?;
                }
                ValueType::Undefined | ValueType::Null => {}
                _ => not_objects.push(format!("'{key}'")),
            }
        }
        let value = T::from_napi_value(env, value)?;
        Ok(Strict {
            value,
            unknown,
            not_objects,
        })
    }
}

fn unknown_keys(
    object: &Object,
    known: &[&str],
    prefix: &str,
    out: &mut Vec<String>,
) -> Result<()> {
    for key in Object::keys(object)? {
        if !known.contains(&key.as_str()) {
            out.push(format!("'{prefix}{key}'"));
        }
    }
    Ok(())
}
