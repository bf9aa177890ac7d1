//! Signing keys inside a PKCS#11 token (an HSM, a smart card, SoftHSM2): the private key never
//! leaves the token; we hold a logged-in session and an object handle.

use super::uri::Pkcs11Uri;
use super::Signer;
use crate::error::KeyError;
use crate::keys::{KeyAlgorithm, PublicKey};
use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use sha2::{Digest, Sha256};
use spki::EncodePublicKey;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

const OID_P256: &str = "1.2.840.10045.3.1.7";
const OID_P384: &str = "1.3.132.0.34";

/// A private key object in a token, with a logged-in session to sign with.
pub struct TokenKey {
    /// Always `Some` until dropped (taken in `Drop` to close it under the token lock).
    session: Option<Session>,
    private: ObjectHandle,
    public: PublicKey,
    uri: Pkcs11Uri,
}

impl std::fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "TokenKey({} {})",
            self.uri.redacted(),
            self.public.fingerprint()
        )
    }
}

/// Token calls are serialised process-wide: SoftHSM2 2.6 fails key generation in parallel
/// sessions (CKR_GENERAL_ERROR), and a signer gains nothing from parallel token calls.
fn serialised() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl TokenKey {
    /// Opens the key the URI names: loads the module, finds the token, logs in, finds the
    /// private key and its public key (same label or id).
    pub fn open(uri: &Pkcs11Uri) -> Result<Self, KeyError> {
        let _token = serialised();
        let session = open_session(uri)?;
        let private = find_one(&session, uri, ObjectClass::PRIVATE_KEY)?;
        let public_handle = find_one(&session, uri, ObjectClass::PUBLIC_KEY)?;
        let public = read_public_key(&session, public_handle, uri)?;
        Ok(TokenKey {
            session: Some(session),
            private,
            public,
            uri: uri.clone(),
        })
    }

    /// Generates a key pair inside the token under the URI's label (and id), refusing to shadow
    /// an existing key object: ECDSA P-256 or P-384, private, sensitive, never extractable.
    pub fn generate(uri: &Pkcs11Uri, algorithm: KeyAlgorithm) -> Result<Self, KeyError> {
        let curve = match algorithm {
            KeyAlgorithm::EcdsaP256 => const_oid::db::rfc5912::SECP_256_R_1,
            KeyAlgorithm::EcdsaP384 => const_oid::db::rfc5912::SECP_384_R_1,
            other => {
                return Err(KeyError::Token(format!(
                    "keys generated in a token are ecdsa-p256 or ecdsa-p384, not {other}"
                )))
            }
        };
        let token = serialised();
        let session = open_session(uri)?;
        let existing = session
            .find_objects(&key_template(uri, None))
            .map_err(|e| token_error("searching the token", e))?;
        if !existing.is_empty() {
            return Err(KeyError::Token(format!(
                "{} already holds a key object with this label or id; pick another object= name",
                uri.redacted()
            )));
        }
        generate_pair(&session, uri, curve)?;
        drop(session);
        drop(token);
        Self::open(uri)
    }

    /// The URI without secrets.
    pub fn uri(&self) -> &Pkcs11Uri {
        &self.uri
    }

    fn session(&self) -> Result<&Session, KeyError> {
        self.session
            .as_ref()
            .ok_or_else(|| KeyError::Token("the session is closed".into()))
    }
}

impl Drop for TokenKey {
    fn drop(&mut self) {
        let _token = serialised();
        drop(self.session.take());
    }
}

impl Signer for TokenKey {
    fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// Signs like `cosign sign-blob`: ECDSA (DER) over SHA-256, RSA PKCS#1 v1.5 with SHA-256.
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        let fail = |e| token_error("signing", e);
        let _token = serialised();
        match self.public.algorithm() {
            KeyAlgorithm::EcdsaP256 | KeyAlgorithm::EcdsaP384 => {
                let digest = Sha256::digest(message);
                let raw = self
                    .session()?
                    .sign(&Mechanism::Ecdsa, self.private, &digest)
                    .map_err(fail)?;
                ecdsa_der(self.public.algorithm(), &raw)
            }
            KeyAlgorithm::Rsa => self
                .session()?
                .sign(&Mechanism::Sha256RsaPkcs, self.private, message)
                .map_err(fail),
            KeyAlgorithm::Ed25519 => Err(KeyError::Token(
                "ed25519 keys in tokens are not supported; use ecdsa-p256".into(),
            )),
        }
    }

    fn describe(&self) -> String {
        self.uri.redacted()
    }
}

/// One loaded module per path for the whole process: initialising a module twice fails, and
/// dropping the last handle of a second copy would finalise it under the first.
fn module(path: &str) -> Result<Pkcs11, KeyError> {
    static MODULES: OnceLock<Mutex<HashMap<String, Pkcs11>>> = OnceLock::new();
    let modules = MODULES.get_or_init(|| Mutex::new(HashMap::new()));
    let mut modules = modules
        .lock()
        .map_err(|_| KeyError::Token("module table poisoned".into()))?;
    if let Some(loaded) = modules.get(path) {
        return Ok(loaded.clone());
    }
    let pkcs11 = Pkcs11::new(path)
        .map_err(|e| KeyError::Token(format!("cannot load the module {path}: {e}")))?;
    match pkcs11.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        Ok(()) => {}
        Err(cryptoki::error::Error::Pkcs11(
            cryptoki::error::RvError::CryptokiAlreadyInitialized,
            _,
        )) => {}
        Err(e) => return Err(token_error("initialising the module", e)),
    }
    modules.insert(path.to_string(), pkcs11.clone());
    Ok(pkcs11)
}

fn open_session(uri: &Pkcs11Uri) -> Result<Session, KeyError> {
    let pkcs11 = module(&uri.module()?)?;
    let slot = find_slot(&pkcs11, uri)?;
    let session = pkcs11
        .open_rw_session(slot)
        .map_err(|e| token_error("opening a session", e))?;
    let info = pkcs11
        .get_token_info(slot)
        .map_err(|e| token_error("reading the token", e))?;
    if info.login_required() {
        login(&session, uri)?;
    }
    Ok(session)
}

fn login(session: &Session, uri: &Pkcs11Uri) -> Result<(), KeyError> {
    let Some(pin) = uri.pin()? else {
        return Err(KeyError::Token(format!(
            "{} needs a PIN: give pin-source=FILE in the URI or set {}",
            uri.redacted(),
            super::uri::PIN_ENV
        )));
    };
    let pin = AuthPin::new(pin.as_str().into());
    match session.login(UserType::User, Some(&pin)) {
        Ok(()) => Ok(()),
        Err(cryptoki::error::Error::Pkcs11(cryptoki::error::RvError::UserAlreadyLoggedIn, _)) => {
            Ok(())
        }
        Err(e) => Err(token_error("logging in (the PIN is not shown)", e)),
    }
}

/// The slot holding the token the URI names (by label and/or slot id); without either, the
/// only token present.
fn find_slot(pkcs11: &Pkcs11, uri: &Pkcs11Uri) -> Result<Slot, KeyError> {
    let slots = pkcs11
        .get_slots_with_token()
        .map_err(|e| token_error("listing slots", e))?;
    let mut matching = Vec::new();
    for slot in slots {
        let info = pkcs11
            .get_token_info(slot)
            .map_err(|e| token_error("reading a token", e))?;
        let label_ok = uri
            .token
            .as_deref()
            .is_none_or(|t| info.label().trim_end() == t);
        let slot_ok = uri.slot_id.is_none_or(|id| slot.id() == id);
        if label_ok && slot_ok {
            matching.push(slot);
        }
    }
    match matching.as_slice() {
        [one] => Ok(*one),
        [] => Err(KeyError::Token(format!(
            "no token matches {} in this module",
            uri.redacted()
        ))),
        _ => Err(KeyError::Token(format!(
            "{} tokens match {}: name one with token=LABEL or slot-id=N",
            matching.len(),
            uri.redacted()
        ))),
    }
}

fn key_template(uri: &Pkcs11Uri, class: Option<ObjectClass>) -> Vec<Attribute> {
    let mut template = Vec::new();
    if let Some(class) = class {
        template.push(Attribute::Class(class));
    }
    if let Some(label) = &uri.object {
        template.push(Attribute::Label(label.as_bytes().to_vec()));
    }
    if let Some(id) = &uri.id {
        template.push(Attribute::Id(id.clone()));
    }
    template
}

fn find_one(
    session: &Session,
    uri: &Pkcs11Uri,
    class: ObjectClass,
) -> Result<ObjectHandle, KeyError> {
    let found = session
        .find_objects(&key_template(uri, Some(class)))
        .map_err(|e| token_error("searching the token", e))?;
    let what = if class == ObjectClass::PRIVATE_KEY {
        "private key"
    } else {
        "public key"
    };
    match found.as_slice() {
        [one] => Ok(*one),
        [] => Err(KeyError::Token(format!(
            "no {what} object matches {}",
            uri.redacted()
        ))),
        many => Err(KeyError::Token(format!(
            "{} {what} objects match {}: add id= to the URI",
            many.len(),
            uri.redacted()
        ))),
    }
}

/// Builds the SPKI of a token public key from its EC point and curve, or RSA modulus.
fn read_public_key(
    session: &Session,
    handle: ObjectHandle,
    uri: &Pkcs11Uri,
) -> Result<PublicKey, KeyError> {
    let wanted = [
        AttributeType::KeyType,
        AttributeType::EcParams,
        AttributeType::EcPoint,
        AttributeType::Modulus,
        AttributeType::PublicExponent,
    ];
    let attributes = session
        .get_attributes(handle, &wanted)
        .map_err(|e| token_error("reading the public key", e))?;
    let mut key_type = None;
    let (mut params, mut point, mut modulus, mut exponent) = (None, None, None, None);
    for attribute in attributes {
        match attribute {
            Attribute::KeyType(t) => key_type = Some(t),
            Attribute::EcParams(p) => params = Some(p),
            Attribute::EcPoint(p) => point = Some(p),
            Attribute::Modulus(m) => modulus = Some(m),
            Attribute::PublicExponent(e) => exponent = Some(e),
            _ => {}
        }
    }
    let spki = match (key_type, params, point, modulus, exponent) {
        (Some(KeyType::EC), Some(params), Some(point), _, _) => ec_spki(&params, &point)?,
        (Some(KeyType::RSA), _, _, Some(n), Some(e)) => rsa_spki(&n, &e)?,
        _ => {
            return Err(KeyError::Token(format!(
                "the public key of {} is neither an EC nor an RSA key",
                uri.redacted()
            )))
        }
    };
    PublicKey::from_spki_der(&spki, &uri.redacted())
}

fn ec_spki(params: &[u8], point: &[u8]) -> Result<Vec<u8>, KeyError> {
    use spki::der::Decode;
    let curve = const_oid::ObjectIdentifier::from_der(params)
        .map_err(|e| KeyError::Token(format!("EC parameters are not a named curve: {e}")))?;
    // CKA_EC_POINT is a DER OCTET STRING holding the point; some modules return the raw point.
    let raw = spki::der::asn1::OctetString::from_der(point)
        .map(|o| o.into_bytes())
        .unwrap_or_else(|_| point.to_vec());
    let der = match curve.to_string().as_str() {
        OID_P256 => p256::PublicKey::from_sec1_bytes(&raw)
            .map_err(|e| KeyError::Token(format!("bad P-256 point: {e}")))?
            .to_public_key_der(),
        OID_P384 => p384::PublicKey::from_sec1_bytes(&raw)
            .map_err(|e| KeyError::Token(format!("bad P-384 point: {e}")))?
            .to_public_key_der(),
        other => return Err(KeyError::Token(format!("unsupported EC curve {other}"))),
    };
    der.map(|d| d.as_bytes().to_vec())
        .map_err(|e| KeyError::Token(format!("cannot encode the public key: {e}")))
}

fn rsa_spki(modulus: &[u8], exponent: &[u8]) -> Result<Vec<u8>, KeyError> {
    let key = rsa::RsaPublicKey::new(
        rsa::BigUint::from_bytes_be(modulus),
        rsa::BigUint::from_bytes_be(exponent),
    )
    .map_err(|e| KeyError::Token(format!("bad RSA public key: {e}")))?;
    key.to_public_key_der()
        .map(|d| d.as_bytes().to_vec())
        .map_err(|e| KeyError::Token(format!("cannot encode the public key: {e}")))
}

fn generate_pair(
    session: &Session,
    uri: &Pkcs11Uri,
    curve: const_oid::ObjectIdentifier,
) -> Result<(), KeyError> {
    use spki::der::Encode;
    let params = curve
        .to_der()
        .map_err(|e| KeyError::Token(format!("cannot encode the curve: {e}")))?;
    let id = uri.id.clone().unwrap_or_else(random_id);
    let label = uri.object.clone().unwrap_or_default().into_bytes();
    let public = [
        Attribute::Token(true),
        Attribute::Private(false),
        Attribute::Verify(true),
        Attribute::EcParams(params),
        Attribute::Label(label.clone()),
        Attribute::Id(id.clone()),
    ];
    let private = [
        Attribute::Token(true),
        Attribute::Private(true),
        Attribute::Sensitive(true),
        Attribute::Extractable(false),
        Attribute::Sign(true),
        Attribute::Label(label),
        Attribute::Id(id),
    ];
    session
        .generate_key_pair(&Mechanism::EccKeyPairGen, &public, &private)
        .map(|_| ())
        .map_err(|e| token_error("generating a key pair", e))
}

fn random_id() -> Vec<u8> {
    use rand_core::RngCore;
    let mut id = vec![0u8; 16];
    rand_core::OsRng.fill_bytes(&mut id);
    id
}

/// CKM_ECDSA returns `r || s`; cosign and our verifiers expect DER.
fn ecdsa_der(algorithm: KeyAlgorithm, raw: &[u8]) -> Result<Vec<u8>, KeyError> {
    let bad = |e: String| KeyError::Token(format!("the token returned a malformed signature: {e}"));
    match algorithm {
        KeyAlgorithm::EcdsaP256 => p256::ecdsa::Signature::from_slice(raw)
            .map(|s| s.to_der().as_bytes().to_vec())
            .map_err(|e| bad(e.to_string())),
        _ => p384::ecdsa::Signature::from_slice(raw)
            .map(|s| s.to_der().as_bytes().to_vec())
            .map_err(|e| bad(e.to_string())),
    }
}

fn token_error(doing: &str, error: cryptoki::error::Error) -> KeyError {
    KeyError::Token(format!("{doing} failed: {error}"))
}
