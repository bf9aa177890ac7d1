//! The table itself. Each line: variant, code, kind, title, remediation, and optionally the
//! policy hint. Keep it sorted by the pipeline stage that emits the code.

use crate::{Entry, Kind};

macro_rules! catalog {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, $kind:ident,
        $title:literal, $fix:literal $(, hint: $hint:literal)? ; )*) => {
        /// A stable, machine-readable code (see the catalog for each one's meaning).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $( $(#[$doc])* $variant, )*
        }

        impl Code {
            /// Every code, in catalog order.
            pub const ALL: &'static [Code] = &[ $( Code::$variant, )* ];

            /// This code's catalog entry.
            pub fn entry(self) -> Entry {
                match self {
                    $( Code::$variant => Entry {
                        code: $code,
                        kind: Kind::$kind,
                        title: $title,
                        remediation: $fix,
                        policy_hint: catalog!(@hint $($hint)?),
                    }, )*
                }
            }
        }
    };
    (@hint) => { None };
    (@hint $hint:literal) => { Some($hint) };
}

catalog! {
    // Lockfile and disk: what is installed must be what the manifests ask for.
    /// A lockfile entry's source (resolved kind, link, bundle, dependency flags) disagrees with
    /// the manifests that declare it.
    LockfileSource = "ELOCKFILESOURCE", Failure,
        "lockfile entry disagrees with the manifests that declare it",
        "the lockfile claims a source the declaring package.json does not ask for (a lockfile injection pattern): regenerate the lockfile from package.json (`npm install --package-lock-only`, `pnpm install --lockfile-only`, `yarn install --mode update-lockfile`, `bun install --lockfile-only`) and review the diff";
    /// A folder under node_modules is not an installed entry of the lockfile.
    Extraneous = "EEXTRANEOUS", Failure,
        "folder on disk that the lockfile does not install",
        "a package folder is on disk that the lockfile does not name (restored cache, manual copy or a removed lockfile entry): reinstall from the lockfile (delete node_modules, then npm ci, or pnpm install --frozen-lockfile, yarn install --immutable, bun install --frozen-lockfile)";
    /// A `node_modules/.bin` entry does not point at a bin its package declares.
    BinLink = "EBINLINK", Failure,
        "node_modules/.bin entry that no package declares",
        "a command in node_modules/.bin points somewhere its package does not declare: reinstall from the lockfile (delete node_modules, then npm ci, or pnpm install --frozen-lockfile, yarn install --immutable, bun install --frozen-lockfile) and find out what wrote it";

    // Registry signatures and integrity.
    /// A registry signature does not verify with its key (npm's code).
    IntegritySignature = "EINTEGRITYSIGNATURE", Failure,
        "invalid registry signature",
        "do not install this version: the registry metadata does not match what the registry signed; report it to the registry and pin a known-good version";
    /// A signature names a keyid the registry does not publish (npm's code).
    MissingSignatureKey = "EMISSINGSIGNATUREKEY", Failure,
        "signature by a key the registry does not publish",
        "the signature names a key the registry does not publish: refresh the registry keys (or the embedded trust material) and check the registry is the one you expect";
    /// The signing key had expired when the version was published (npm's code).
    ExpiredSignatureKey = "EEXPIREDSIGNATUREKEY", Failure,
        "signature by a key that had expired",
        "the version was signed with a key that had expired when it was published: treat it as untrusted and ask the publisher to republish";
    /// The registry serves keys but the version carries no signature.
    MissingSignature = "EMISSINGSIGNATURE", Failure,
        "registry signature missing",
        "the registry signs packages but not this one: check it was not injected by a mirror or proxy",
        hint: "add an exception for this package with a reason and an expiry, or a rule with allowUnsigned for its scope";
    /// The policy pins the registry's keys and the version is signed by another key.
    KeyNotPinned = "EKEYNOTPINNED", Failure,
        "signed by a registry key the policy does not pin, or from a registry a policy with pins does not list",
        "the version is signed by a registry key the policy does not pin, or comes from a registry its trust.registries does not list: check the registry (and .npmrc) is the one you trust and whether it rotated its keys, then update trust.registries in the policy",
        hint: "add the new keyid to trust.registries for this registry";
    /// The lockfile's (or tarball's) integrity differs from the registry's signed one.
    IntegrityMismatch = "EINTEGRITYMISMATCH", Failure,
        "lockfile integrity differs from the signed integrity",
        "the lockfile pins different bytes than the registry signed: regenerate the lockfile from a trusted registry (`npm install --package-lock-only`, or your manager's lockfile-only install) and review the diff";

    // Registry evidence.
    /// The registry has no document for this package (HTTP 404).
    NoPackument = "ENOPACKUMENT", Failure,
        "package unknown to the registry",
        "the registry does not know this package: check the registry configuration (.npmrc, scoped registries) and whether it was unpublished";
    /// The packument exists but does not list this version.
    VersionNotFound = "EVERSIONNOTFOUND", Failure,
        "version not published",
        "the registry does not list this version: it may have been unpublished; update the lockfile to a published version";
    /// The packument is not valid JSON or lacks the fields verification needs.
    BadPackument = "EBADPACKUMENT", Failure,
        "malformed registry document",
        "the registry answered with a malformed document: retry, and check any proxy or mirror between you and the registry";
    /// The registry could not be reached or kept failing (after retries).
    RegistryUnreachable = "EREGISTRYUNREACHABLE", Operational,
        "registry unreachable",
        "the registry could not be reached: check the network, proxy and registry URL, or verify offline with `--offline STORE`";
    /// The registry's signing keys could not be obtained (not a 404: an error).
    KeysUnavailable = "EKEYSUNAVAILABLE", Operational,
        "registry keys unavailable",
        "the registry's signing keys could not be fetched: retry, or verify offline with a store made by `npm-sigverify fetch`";
    /// The offline evidence store has no evidence for this package.
    NoEvidence = "ENOEVIDENCE", Operational,
        "no evidence in the offline store",
        "the offline store has no evidence for this package: refresh it with `npm-sigverify fetch --out STORE` on a connected machine, for the same registry";
    /// A required check never ran (an interrupted run): the package fails closed.
    NotChecked = "ENOTCHECKED", Operational,
        "required check never ran",
        "a check this package needs was never run (the run was interrupted or cut short): run the verification again";
    /// The run's total deadline passed before this package was verified.
    Deadline = "EDEADLINE", Operational,
        "not verified before the deadline",
        "the run's --deadline passed first: raise it, lower the load on the registry, or run again (the cache keeps what was fetched)";

    // Skips: nothing to check by design.
    /// The registry publishes no signing keys.
    NoRegistryKeys = "ENOREGISTRYKEYS", Skip,
        "registry publishes no signing keys",
        "the registry publishes no signing keys, so its packages cannot be checked for registry signatures: sign internal packages (npm-sigverify sign) and require internal signatures in the policy";
    /// Not installed from a registry (git, file, link, remote tarball, workspace, bundled).
    NotRegistry = "ENOTREGISTRY", Skip,
        "not installed from a registry",
        "not from a registry: pin git dependencies to a commit, and review or sign local and remote tarballs yourself";
    /// Listed in the lockfile but not on disk.
    NotInstalled = "ENOTINSTALLED", Skip,
        "not installed",
        "not installed here (for example an optional dependency for another platform): nothing on disk to check";
    /// Excluded by `--omit`.
    Omitted = "EOMITTED", Skip,
        "omitted",
        "excluded by --omit: run without --omit to check it too";

    // Installed contents.
    /// Installed files differ from the signed tarball (changed or deleted files).
    ContentModified = "ECONTENTMODIFIED", Failure,
        "installed files differ from the signed tarball",
        "the installed files are not the signed ones: reinstall from the lockfile (delete node_modules, then npm ci, or pnpm install --frozen-lockfile, yarn install --immutable, bun install --frozen-lockfile) and find out what changed them";
    /// Files that are not in the signed tarball were added to the installed package.
    ContentAdded = "ECONTENTADDED", Failure,
        "files added to the installed package",
        "files that are not in the signed tarball were added: check what created them, then reinstall";
    /// An added file changes what Node loads (shadows a tarball file, a native addon, an
    /// entry point the manifest names).
    ContentLoadable = "ECONTENTLOADABLE", Failure,
        "added file that changes what Node loads",
        "a file that is not in the signed tarball would be loaded instead of (or beside) the signed code: reinstall from the lockfile (delete node_modules, then npm ci, or pnpm install --frozen-lockfile, yarn install --immutable, bun install --frozen-lockfile) and find out what wrote it",
        hint: "if the package builds a native addon at install time, add an exception for it with a reason and an expiry";
    /// The tarball the registry (or a proxy) served is not the one whose integrity was signed.
    TarballMismatch = "ETARBALLMISMATCH", Failure,
        "served tarball is not the signed one",
        "the registry, a mirror or a proxy served a tarball whose bytes differ from the signed integrity: do not install from it; check what sits between you and the registry";
    /// The signed tarball could not be obtained to compare the installed files with.
    TarballUnavailable = "ETARBALLUNAVAILABLE", Operational,
        "signed tarball unavailable for the content check",
        "the signed tarball could not be obtained (not in npm's cache, and the registry did not serve it): run `npm cache add <name>@<version>`, check the registry, or pass --no-content to skip the content check knowingly";

    // Attestations and provenance.
    /// Attestations are advertised but could not be fetched (404, timeout).
    AttestationFetch = "EATTESTATIONFETCH", Operational,
        "advertised attestations unavailable",
        "the registry advertises attestations it does not serve: retry, and check any proxy or mirror; verify offline with a complete store";
    /// An attestation bundle does not verify (npm's code).
    AttestationVerify = "EATTESTATIONVERIFY", Failure,
        "attestation does not verify",
        "do not install this version: its attestation does not verify against the Sigstore trusted root and the registry keys";
    /// An attestation's subject is not this package (npm's code).
    AttestationSubject = "EATTESTATIONSUBJECT", Failure,
        "attestation subject does not match the package",
        "do not install this version: its attestation is about another package or tarball";
    /// Earlier versions of this release line had provenance; this one has none.
    ProvenanceDowngrade = "EPROVENANCEDOWNGRADE", Failure,
        "provenance lost within the release line",
        "earlier releases of this line were built with provenance and this one was not (a compromised-publisher pattern): pin the previous version until the maintainers confirm the release",
        hint: "add an exception for this version with a reason and an expiry once the maintainers confirm it";
    /// Provenance is required and this version has none.
    ProvenanceRequired = "EPROVENANCEREQUIRED", Failure,
        "provenance required but absent",
        "this package must carry verified provenance: ask the publisher to publish with `npm publish --provenance`",
        hint: "add an exception with a reason and an expiry, or relax the rule's require list";
    /// The provenance names another repository than the package's own.
    ProvenanceRepository = "EPROVENANCEREPOSITORY", Failure,
        "provenance built from another repository",
        "the provenance was built from a different repository than package.json names, or than the policy allows: treat the release as suspicious and confirm with the maintainers";
    /// The provenance's workflow ref is not allowed.
    ProvenanceWorkflow = "EPROVENANCEWORKFLOW", Failure,
        "provenance built from a workflow ref the policy does not allow",
        "the provenance was built from a git ref the policy does not allow: check the release workflow, or widen the rule's workflowRefs";
    /// The provenance's issuer is not allowed.
    ProvenanceIssuer = "EPROVENANCEISSUER", Failure,
        "provenance from an OIDC issuer the policy does not allow",
        "the provenance certificate comes from an OIDC issuer the policy does not allow: check who published it, or widen the rule's issuers";
    /// The provenance's signer matches no trusted identity.
    ProvenanceIdentity = "EPROVENANCEIDENTITY", Failure,
        "provenance signer is not a trusted identity",
        "the provenance's issuer, signer or workflow ref is not in the allowed list: check the release workflow, or the policy's identities";
    /// Attestations were not checked (turned off) but the policy needs provenance.
    ProvenanceNotChecked = "EPROVENANCENOTCHECKED", Failure,
        "provenance not checked",
        "the policy needs provenance but attestations were not checked: run without --no-attestations";

    // Incident signals (the policy's `signals` section): each fails or warns as the policy says.
    /// The version was published more recently than the policy's minimum release age.
    ReleaseTooYoung = "ERELEASETOOYOUNG", Failure,
        "release younger than the minimum release age",
        "wait until the version is old enough (the message says when), or pin the previous version: most hijacked versions are found and unpublished within hours",
        hint: "add an exception for this version with a reason and an expiry, or list the package in signals.releaseAge.exclude";
    /// The publishing identity differs from the earlier versions of the release line.
    PublisherChanged = "EPUBLISHERCHANGED", Failure,
        "publisher identity changed within the release line",
        "this version was published by another identity than the earlier versions of its release line (lost provenance or trusted publishing, another repository, workflow or issuer): a stolen-token or fork pattern; pin the previous version until the maintainers confirm the change",
        hint: "after the maintainers confirm the new identity, add an exception for this version with a reason and an expiry";
    /// The publishing identity differs from the one recorded in sigverify.pins.json.
    PinMismatch = "EPINMISMATCH", Failure,
        "publisher identity differs from its pin",
        "the package is published by another identity than sigverify.pins.json records: review the change, then accept it with `npm-sigverify pin --update NAME` (a reviewable diff of sigverify.pins.json)";
    /// The version has install scripts the previous version of its line did not have.
    NewInstallScript = "ENEWINSTALLSCRIPT", Failure,
        "install scripts added within the release line",
        "this version runs install scripts (preinstall, install, postinstall or a binding.gyp) that the previous version of its release line did not: read them before installing, and pin the previous version until you have",
        hint: "after reviewing the scripts, add an exception for this version with a reason and an expiry";
    /// A patch or minor update adds a runtime dependency the baseline never had.
    NewDependency = "ENEWDEPENDENCY", Failure,
        "update adds a dependency never seen before",
        "a patch or minor update added a runtime dependency that the baseline lockfile never had (how droppers arrive): review the new package before accepting the lockfile change";
    /// A newly added package's name is one edit away from a well-known package's.
    Typosquat = "ETYPOSQUAT", Warning,
        "new package named like a well-known one",
        "a newly added package's name is one edit away from a well-known package's: check it is the package you meant (and not a typosquat) before accepting it";
    /// Many versions of a package, or many packages of one publisher, in a short window.
    PublishBurst = "EPUBLISHBURST", Warning,
        "published in a burst",
        "many versions of this package, or many packages of its publisher, were published within a short window (a worm or a compromised release pipeline pattern): check the project's announcements before trusting the release";
    /// A signal's evidence (an earlier version's attestations or tarball, a publish time)
    /// could not be obtained: the signal cannot clear the package.
    SignalUnavailable = "ESIGNALUNAVAILABLE", Operational,
        "evidence for a policy signal unavailable",
        "the evidence a policy signal needs could not be obtained (registry unreachable, document missing from the offline store, no publish time): retry online, or turn the signal off knowingly for this run";

    // Internal (cosign) signatures and approvals.
    /// Internal signatures were found but none verifies with a valid trusted key.
    InternalSignature = "EINTERNALSIGNATURE", Failure,
        "internal signature does not verify",
        "none of the package's internal signatures verifies with a key of the trust file that was valid when it signed: re-sign the tarball (npm-sigverify sign) with a current key, or check the tarball was not changed";
    /// The policy requires an internal signature and the package has no valid one.
    InternalSignatureMissing = "EINTERNALSIGNATUREMISSING", Failure,
        "internal signature required but absent",
        "sign the package with an internal key listed in the trust file (npm-sigverify sign --key KEY)";
    /// Fewer distinct eligible keys signed than the rule's k-of-n threshold.
    ApprovalThreshold = "EAPPROVALTHRESHOLD", Failure,
        "not enough approvals",
        "collect more approvals: sign the package with more of the eligible internal keys (npm-sigverify sign --label NAME)";
    /// The signing key is not in the trust file.
    KeyNotTrusted = "EKEYNOTTRUSTED", Failure,
        "signed by a key outside the trust file",
        "the signature was made by a key the trust file does not list: add the key with `npm-sigverify keys add` if it is yours, else treat the package as untrusted";
    /// The signing key was revoked before the signature's time.
    KeyRevoked = "EKEYREVOKED", Failure,
        "signed by a revoked key",
        "the key was revoked: re-sign the package with a current key and investigate what the revoked key signed";
    /// The signing key had expired at the signature's time.
    KeyExpired = "EKEYEXPIRED", Failure,
        "signed by an expired key",
        "the key was no longer valid when it signed: re-sign the package with a current key (npm-sigverify keys rotate)";
    /// The signing key was not yet valid at the signature's time.
    KeyNotYetValid = "EKEYNOTYETVALID", Failure,
        "signed by a key that was not yet valid",
        "the key's validity starts after the signing time: check the trust file's validFrom and the signer's clock";
    /// The signature bytes do not verify over the artifact.
    BadSignature = "EBADSIGNATURE", Failure,
        "signature does not verify over the artifact",
        "the signature does not match the tarball: the tarball changed after signing, or the signature belongs to another file; re-sign it";
    /// The internal signature's tarball could not be read or does not match its integrity.
    InternalTarball = "EINTERNALTARBALL", Operational,
        "signed tarball of an internal signature unavailable",
        "the tarball an internal signature covers could not be read (or changed): restore it, or refresh the offline store";
    /// A signature or bundle file could not be read or parsed.
    InternalSignatureRead = "EINTERNALSIGNATUREREAD", Failure,
        "unreadable internal signature",
        "a signature or bundle file next to the tarball (or in the store) is unreadable or malformed: re-sign the package";

    // Certificates from a private CA (internal signatures made with a certificate).
    /// The signing certificate does not chain to a root the policy trusts.
    CertChain = "ECERTCHAIN", Failure,
        "certificate does not chain to a trusted CA",
        "the signing certificate was not issued (directly or through the given intermediates) by a CA root the policy trusts: check trust.certificateAuthorities (roots, intermediates) or --ca-roots/--ca-intermediates, else treat the package as untrusted";
    /// A certificate of the chain had expired at the signing time.
    CertExpired = "ECERTEXPIRED", Failure,
        "certificate expired at the signing time",
        "a certificate of the chain was no longer valid when the signature was made (or, without a timestamp, now): re-sign with a fresh certificate (npm-sigverify ca issue / ca renew), and timestamp signatures (--timestamp-server-url) so short-lived certificates keep verifying";
    /// A certificate of the chain was not yet valid at the signing time.
    CertNotYetValid = "ECERTNOTYETVALID", Failure,
        "certificate not yet valid at the signing time",
        "a certificate of the chain starts after the signing time: check the CA's and the signer's clocks, then re-sign";
    /// The signing certificate was revoked by its CA (CRL) before the signing time.
    CertRevoked = "ECERTREVOKED", Failure,
        "certificate revoked",
        "the CA revoked the signing certificate: do not install; re-sign with a new certificate and review what the revoked one signed (the audit log lists it)",
        hint: "with a verified timestamp before the revocation, set revocation: signing-time on the certificate authority to keep earlier signatures valid";
    /// The signing certificate is not for code signing (extended key usage or key usage).
    CertUsage = "ECERTEKU", Failure,
        "certificate not issued for code signing",
        "the certificate lacks the codeSigning extended key usage or the digitalSignature key usage (or is a CA certificate): issue a code-signing certificate (npm-sigverify ca issue) and re-sign";
    /// A certificate's names break the name constraints of a CA above it.
    CertNameConstraint = "ECERTNAMECONSTRAINT", Failure,
        "certificate name outside the CA's name constraints",
        "the certificate names an identity its CA may not certify (name constraints): treat the signature as forged, and check which CA issued it";
    /// The certificate's identity (SAN) or issuer extension is not the one required.
    CertIdentity = "ECERTIDENTITY", Failure,
        "certificate identity is not the expected one",
        "the certificate was issued to another identity (email or URI) or OIDC issuer than the policy (or --certificate-identity / --certificate-oidc-issuer) requires: check who signed";
    /// A certificate revocation list is malformed, not signed by its issuer, or unsupported.
    CrlInvalid = "ECRLINVALID", Failure,
        "invalid certificate revocation list",
        "the CRL does not verify with the certificate of the CA that must have issued it (or uses unsupported features): get the CRL from the CA again (npm-sigverify ca crl)";
    /// Revocation must be checked and no current CRL of the issuer is available.
    CrlUnavailable = "ECRLUNAVAILABLE", Operational,
        "certificate revocation status unknown",
        "no current CRL from the certificate's issuer is available (missing, or past its nextUpdate): publish a fresh CRL (npm-sigverify ca crl) and point the policy or --crl at it";
    /// An RFC 3161 timestamp in the signature evidence does not verify.
    Timestamp = "ETIMESTAMP", Failure,
        "signing timestamp does not verify",
        "the RFC 3161 timestamp does not verify with the configured timestamp authorities, or is not over this signature: do not trust the signing time it claims; re-sign with a trusted TSA";
    /// A private key file that group or others can read was refused.
    KeyPermissions = "EKEYPERMISSIONS", Failure,
        "private key file readable by others",
        "the private key file is readable by other users: chmod 600 it (or keep the key in a PKCS#11 token with --key pkcs11:...) and consider rotating it";

    // Policy.
    /// A matching exception has expired and excuses nothing any more.
    ExceptionExpired = "EEXCEPTIONEXPIRED", Warning,
        "policy exception expired",
        "fix the package or renew the exception with a new expiry date and reason";
    /// A package without signature evidence passed because its rule allows unsigned packages.
    UnsignedAllowed = "EUNSIGNEDALLOWED", Info,
        "unsigned, allowed by the policy",
        "this package carries no signature and its rule allows that (allowUnsigned): sign it to remove the exemption";

    // Verification summary attestations (VSA): a verdict handed to later jobs.
    /// A VSA's envelope, statement or signature is not valid.
    VsaInvalid = "EVSAINVALID", Failure,
        "invalid verification summary attestation",
        "the VSA is malformed or its signature does not verify with the given key: verify the lockfile again (npm-sigverify verify --vsa) instead of trusting it";
    /// A valid VSA is about another lockfile, policy or environment than the one in hand.
    VsaMismatch = "EVSAMISMATCH", Failure,
        "verification summary attestation for another lockfile, policy or environment",
        "the VSA's subject digest, policy digest or environment differs from the lockfile, policy or environment given: the tree or the policy changed since it was verified, or it was decided in another environment; verify again";
    /// A valid VSA records a failed verification.
    VsaFailed = "EVSAFAILED", Failure,
        "verification summary attestation records a failure",
        "the verification this VSA summarises failed: fix the packages it names (npm-sigverify verify shows them) and verify again";
}
