//! One-line titles for the codes the verifier emits (SARIF rule descriptions, HTML headings).
//! Unknown codes are titled by themselves: a new code still renders, just less prettily.

/// A short human title for a code.
pub fn title(code: &str) -> String {
    let known = match code {
        "EINTEGRITYSIGNATURE" => "invalid registry signature",
        "EMISSINGSIGNATUREKEY" => "signature by a key the registry does not publish",
        "EEXPIREDSIGNATUREKEY" => "signature by a key that had expired",
        "EMISSINGSIGNATURE" => "registry signature missing",
        "EINTEGRITYMISMATCH" => "lockfile integrity differs from the signed integrity",
        "EATTESTATIONSUBJECT" => "attestation subject does not match the package",
        "EATTESTATIONVERIFY" => "attestation does not verify",
        "ENOPACKUMENT" => "package unknown to the registry",
        "EVERSIONNOTFOUND" => "version not published",
        "EBADPACKUMENT" => "malformed registry document",
        "EREGISTRYUNREACHABLE" => "registry unreachable",
        "EKEYSUNAVAILABLE" => "registry keys unavailable",
        "ENOEVIDENCE" => "no evidence in the offline store",
        "ENOREGISTRYKEYS" => "registry publishes no signing keys",
        "ENOTREGISTRY" => "not installed from a registry",
        "ENOTINSTALLED" => "not installed",
        "EOMITTED" => "omitted",
        _ => "",
    };
    match known.is_empty() {
        true => format!("npm-sigverify finding {code}"),
        false => format!("{code}: {known}"),
    }
}
