//! Sigstore bundles v0.1-v0.3 and cosign's legacy `--bundle` JSON (`bundle::parse_bundle`);
//! a bundle that parses is then verified offline against the public-good root, with a key and
//! keyless, so the checked types meet the cryptography too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigstore_trust_root::TrustedRoot;
use sigstore_types::SignatureContent;
use sigverify_cosign::bundle::{has_time_evidence, parse_bundle, public_key_hint, Bundle};
use sigverify_cosign::trustroot::TrustRootChoice;
use sigverify_cosign::{
    verify_blob, ArtifactInput, Authority, Evidence, IdentityPolicy, PublicKey, VerifyRequest,
};
use std::sync::LazyLock;

/// The managed key of the sigstore-conformance `managed-key-happy-path` case.
const KEY_PEM: &str = include_str!("../fixtures/managed-key.pub");

struct Fixed {
    root: TrustedRoot,
    key: Authority,
    keyless: Authority,
}

static FIXED: LazyLock<Fixed> = LazyLock::new(|| Fixed {
    root: TrustRootChoice::PublicGood.load().expect("embedded root"),
    key: Authority::Key(PublicKey::from_pem(KEY_PEM, "managed-key.pub").expect("seed key")),
    keyless: Authority::Identity(IdentityPolicy::any()),
});

fuzz_target!(|data: &[u8]| {
    let Ok(bundle) = parse_bundle(data, "fuzz.sigstore.json") else {
        return;
    };
    let _ = has_time_evidence(&bundle);
    let _ = public_key_hint(&bundle);
    let artifact = artifact_for(&bundle);
    let evidence = Evidence::Bundle(Box::new(bundle));
    let fixed = &*FIXED;
    let paths = [
        (&fixed.key, true),
        (&fixed.key, false),
        (&fixed.keyless, false),
    ];
    for (authority, ignore_tlog) in paths {
        let request = VerifyRequest {
            artifact: &artifact,
            evidence: &evidence,
            authority,
            trusted_root: &fixed.root,
            ignore_tlog,
        };
        let _ = verify_blob(&request);
    }
});

/// The digest a message-signature bundle names, so verification gets past the digest check
/// to the signature and log checks; other bundles get fixed bytes.
fn artifact_for(bundle: &Bundle) -> ArtifactInput {
    if let SignatureContent::MessageSignature(message) = &bundle.content {
        let digest = message.message_digest.as_ref();
        if let Some(bytes) = digest.and_then(|d| <[u8; 32]>::try_from(d.digest.as_bytes()).ok()) {
            return ArtifactInput::Sha256(bytes);
        }
    }
    ArtifactInput::Bytes(b"a.txt\n".to_vec())
}
