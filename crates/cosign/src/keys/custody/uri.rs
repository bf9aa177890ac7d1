//! PKCS#11 URIs (RFC 7512) in the form cosign uses:
//! `pkcs11:token=NAME;object=LABEL?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=FILE`.
//!
//! Path attributes name the key (`token`, `slot-id`, `object`, `id`, ...); query attributes say
//! how to reach it (`module-path`, `pin-value`, `pin-source`). Values are percent-encoded.
//! The PIN is never part of [`Pkcs11Uri::redacted`], which is the only form ever printed.

use crate::error::KeyError;
use zeroize::Zeroizing;

/// Environment variable cosign reads the module path from when the URI has none.
pub const MODULE_PATH_ENV: &str = "COSIGN_PKCS11_MODULE_PATH";
/// Environment variable cosign reads the PIN from when the URI has none.
pub const PIN_ENV: &str = "COSIGN_PKCS11_PIN";

/// A parsed `pkcs11:` URI.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Pkcs11Uri {
    /// Token label (`token=`).
    pub token: Option<String>,
    /// Slot number (`slot-id=`).
    pub slot_id: Option<u64>,
    /// Key label (`object=`).
    pub object: Option<String>,
    /// Key id bytes (`id=`, percent-encoded bytes).
    pub id: Option<Vec<u8>>,
    /// The PKCS#11 module to load (`module-path=`).
    pub module_path: Option<String>,
    /// A file holding the PIN (`pin-source=`, `file:` prefix allowed).
    pub pin_source: Option<String>,
    /// The PIN itself (`pin-value=`): accepted like cosign, never printed.
    pin_value: Option<Zeroizing<String>>,
}

impl std::fmt::Debug for Pkcs11Uri {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl Pkcs11Uri {
    /// Parses `pkcs11:...`; unknown path attributes are refused (a typo must not widen the
    /// search to another key), unknown query attributes too.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let rest = text
            .strip_prefix("pkcs11:")
            .ok_or_else(|| bad("a PKCS#11 URI starts with 'pkcs11:'"))?;
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let mut uri = Pkcs11Uri::default();
        for (name, value) in attributes(path, ';')? {
            uri.set_path_attribute(&name, value)?;
        }
        // With a PIN in the query, a malformed or unknown part may be the PIN's own tail (a
        // PIN holding `&` splits there): its name is not shown either.
        let holds_pin = query.contains("pin-value");
        let quiet = |e: KeyError| {
            match holds_pin {
            true => bad("the query is malformed or names an unknown attribute (not shown: it holds a PIN); write '&' and '%' inside a PIN as %26 and %25"),
            false => e,
        }
        };
        for (name, value) in attributes(query, '&').map_err(quiet)? {
            uri.set_query_attribute(&name, value).map_err(quiet)?;
        }
        if uri.object.is_none() && uri.id.is_none() {
            return Err(bad("name the key with object=LABEL or id=HEX-BYTES"));
        }
        Ok(uri)
    }

    fn set_path_attribute(&mut self, name: &str, value: Vec<u8>) -> Result<(), KeyError> {
        match name {
            "token" => self.token = Some(text_value(name, value)?),
            "object" => self.object = Some(text_value(name, value)?),
            "id" => self.id = Some(value),
            "slot-id" => {
                let text = text_value(name, value)?;
                let slot = text
                    .parse()
                    .map_err(|_| bad(&format!("slot-id '{text}' is not a number")))?;
                self.slot_id = Some(slot);
            }
            // Accepted and ignored: they narrow the token search, which the label already does.
            "manufacturer"
            | "model"
            | "serial"
            | "type"
            | "library-manufacturer"
            | "library-description"
            | "library-version"
            | "slot-description"
            | "slot-manufacturer" => {}
            other => return Err(bad(&format!("unknown path attribute '{other}'"))),
        }
        Ok(())
    }

    fn set_query_attribute(&mut self, name: &str, value: Vec<u8>) -> Result<(), KeyError> {
        match name {
            "module-path" => self.module_path = Some(text_value(name, value)?),
            "pin-source" => self.pin_source = Some(text_value(name, value)?),
            "pin-value" => self.pin_value = Some(Zeroizing::new(text_value(name, value)?)),
            "module-name" => {}
            other => return Err(bad(&format!("unknown query attribute '{other}'"))),
        }
        Ok(())
    }

    /// The URI without its PIN (and without `pin-source`): what outputs, logs and trust files
    /// may show.
    pub fn redacted(&self) -> String {
        let mut parts = Vec::new();
        if let Some(token) = &self.token {
            parts.push(format!("token={}", encode(token.as_bytes())));
        }
        if let Some(slot) = self.slot_id {
            parts.push(format!("slot-id={slot}"));
        }
        if let Some(object) = &self.object {
            parts.push(format!("object={}", encode(object.as_bytes())));
        }
        if let Some(id) = &self.id {
            let hex: String = id.iter().map(|b| format!("%{b:02x}")).collect();
            parts.push(format!("id={hex}"));
        }
        format!("pkcs11:{}", parts.join(";"))
    }

    /// The URI as it may be stored (a CA's `ca.json`): the redacted form plus `module-path` and
    /// `pin-source` (a file name, not the PIN); never `pin-value`.
    pub fn stored(&self) -> String {
        let mut query = Vec::new();
        if let Some(module) = &self.module_path {
            query.push(format!("module-path={}", encode_path(module)));
        }
        if let Some(source) = &self.pin_source {
            query.push(format!("pin-source={}", encode_path(source)));
        }
        match query.is_empty() {
            true => self.redacted(),
            false => format!("{}?{}", self.redacted(), query.join("&")),
        }
    }

    /// The module to load: the URI's `module-path`, else `COSIGN_PKCS11_MODULE_PATH`.
    pub fn module(&self) -> Result<String, KeyError> {
        self.module_path
            .clone()
            .or_else(|| std::env::var(MODULE_PATH_ENV).ok())
            .ok_or_else(|| {
                KeyError::Token(format!(
                    "no PKCS#11 module: add ?module-path=/path/to/module.so to the URI or set {MODULE_PATH_ENV}"
                ))
            })
    }

    /// The PIN: `pin-value`, else the first line of `pin-source`, else `COSIGN_PKCS11_PIN`,
    /// else a prompt on a terminal. `None` when no PIN can be had (tokens without login).
    pub fn pin(&self) -> Result<Option<Zeroizing<String>>, KeyError> {
        if let Some(pin) = &self.pin_value {
            return Ok(Some(pin.clone()));
        }
        if let Some(source) = &self.pin_source {
            return read_pin_file(source).map(Some);
        }
        if let Ok(pin) = std::env::var(PIN_ENV) {
            return Ok(Some(Zeroizing::new(pin)));
        }
        if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
            let pin = rpassword::prompt_password("Enter PIN for the PKCS#11 token: ")
                .map_err(|e| KeyError::Token(format!("cannot read the PIN: {e}")))?;
            return Ok(Some(Zeroizing::new(pin)));
        }
        Ok(None)
    }
}

/// `pin-source` names a file (`file:` prefix optional); its first line is the PIN.
fn read_pin_file(source: &str) -> Result<Zeroizing<String>, KeyError> {
    let path = source.strip_prefix("file:").unwrap_or(source);
    let path = path.strip_prefix("//").unwrap_or(path);
    let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|e| {
        KeyError::Token(format!("cannot read the PIN file named by pin-source: {e}"))
    })?);
    let line = text.lines().next().unwrap_or_default();
    Ok(Zeroizing::new(line.to_string()))
}

/// Splits `a=b<sep>c=d` into percent-decoded pairs; a repeated attribute is refused.
fn attributes(text: &str, separator: char) -> Result<Vec<(String, Vec<u8>)>, KeyError> {
    let mut out: Vec<(String, Vec<u8>)> = Vec::new();
    for part in text.split(separator).filter(|p| !p.is_empty()) {
        let (name, value) = part
            .split_once('=')
            .ok_or_else(|| bad(&format!("attribute '{}' has no value", name_only(part))))?;
        if out.iter().any(|(n, _)| n == name) {
            return Err(bad(&format!("attribute '{name}' is given twice")));
        }
        out.push((name.to_string(), percent_decode(value)?));
    }
    Ok(out)
}

/// The attribute name of a malformed part, never its value (it could be a PIN).
fn name_only(part: &str) -> &str {
    part.split('=').next().unwrap_or_default()
}

fn percent_decode(value: &str) -> Result<Vec<u8>, KeyError> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = value
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| bad("a '%' is not followed by two hex digits"))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Ok(out)
}

fn encode(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Paths keep their slashes readable; only what would break the URI is escaped.
fn encode_path(path: &str) -> String {
    path.bytes()
        .map(|b| match b {
            b'%' | b'&' | b'?' | b'#' | b';' | b' ' => format!("%{b:02X}"),
            _ => (b as char).to_string(),
        })
        .collect()
}

fn text_value(name: &str, value: Vec<u8>) -> Result<String, KeyError> {
    String::from_utf8(value).map_err(|_| bad(&format!("attribute '{name}' is not UTF-8")))
}

fn bad(detail: &str) -> KeyError {
    KeyError::Token(format!("invalid PKCS#11 URI: {detail}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_cosign_form_and_never_shows_the_pin() {
        let uri = Pkcs11Uri::parse(
            "pkcs11:token=My%20Token;slot-id=3;object=release;id=%01%02?module-path=/lib/x.so&pin-value=12345",
        )
        .unwrap();
        assert_eq!(uri.token.as_deref(), Some("My Token"));
        assert_eq!(uri.slot_id, Some(3));
        assert_eq!(uri.object.as_deref(), Some("release"));
        assert_eq!(uri.id.as_deref(), Some(&[1u8, 2][..]));
        assert_eq!(uri.module().unwrap(), "/lib/x.so");
        assert_eq!(uri.pin().unwrap().unwrap().as_str(), "12345");
        let shown = format!("{} {uri:?}", uri.redacted());
        assert!(!shown.contains("12345"), "{shown}");
        assert_eq!(
            uri.redacted(),
            "pkcs11:token=My%20Token;slot-id=3;object=release;id=%01%02"
        );
        assert_eq!(
            uri.stored(),
            "pkcs11:token=My%20Token;slot-id=3;object=release;id=%01%02?module-path=/lib/x.so"
        );
        assert_eq!(
            Pkcs11Uri::parse(&uri.stored()).unwrap().module_path,
            uri.module_path
        );
    }

    #[test]
    fn refuses_typos_repeats_and_unnamed_keys() {
        for text in [
            "pkcs11:token=a;objekt=b",
            "pkcs11:token=a;object=b;object=c",
            "pkcs11:token=a",
            "pkcs11:object=a?pin=1",
            "pkcs11:object=%zz",
            "file:key",
        ] {
            let e = Pkcs11Uri::parse(text).unwrap_err();
            assert_eq!(crate::Coded::code(&e), "EPKCS11", "{text}");
        }
        for text in [
            "pkcs11:object=a?module-path=/x.so&pin-value=4711&SecretPinTail",
            "pkcs11:object=a?pin-value=47&tail=11",
        ] {
            let e = Pkcs11Uri::parse(text).unwrap_err().to_string();
            assert!(!e.contains("SecretPinTail") && !e.contains("tail"), "{e}");
            assert!(e.contains("not shown: it holds a PIN"), "{e}");
        }
        let e = Pkcs11Uri::parse("pkcs11:object=a?pin-value").unwrap_err();
        assert!(e.to_string().contains("not shown: it holds a PIN"), "{e}");
        // Without a PIN, the part at fault is named.
        let e = Pkcs11Uri::parse("pkcs11:object=a?module-path").unwrap_err();
        assert!(e.to_string().contains("'module-path' has no value"), "{e}");
    }
}
