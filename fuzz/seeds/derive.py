#!/usr/bin/env python3
"""Writes the seeds that are derived from the repository's real fixtures rather than copied.

Run from fuzz/: python3 seeds/derive.py. Needs openssl (certificate public keys). Output is
committed; rerunning rewrites the same files (the RSA and Ed25519 keys excepted: fresh ones).
"""
import base64, gzip, hashlib, io, json, os, re, subprocess, tarfile

CORPUS = "../__test__/fixtures/corpus"
CONFORMANCE = f"{CORPUS}/cosign/sigstore-conformance/bundle-verify"


def write(path, data):
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def pem(label, der):
    b64 = base64.b64encode(der).decode()
    lines = [b64[i:i + 64] for i in range(0, len(b64), 64)]
    return f"-----BEGIN {label}-----\n" + "\n".join(lines) + f"\n-----END {label}-----\n"


def openssl(args, data):
    return subprocess.run(["openssl", *args], input=data, capture_output=True, check=True).stdout


def legacy_bundle():
    """cosign's --bundle JSON for the conformance happy-path-v0.1 bundle (as crates/cosign/tests/cli.rs builds it)."""
    v01 = json.load(open(f"{CONFORMANCE}/happy-path-v0.1/bundle.sigstore.json"))
    material = v01["verificationMaterial"]
    cert_der = base64.b64decode(material["x509CertificateChain"]["certificates"][0]["rawBytes"])
    entry = material["tlogEntries"][0]
    legacy = {
        "base64Signature": v01["messageSignature"]["signature"],
        "cert": base64.b64encode(pem("CERTIFICATE", cert_der).encode()).decode(),
        "rekorBundle": {
            "SignedEntryTimestamp": entry["inclusionPromise"]["signedEntryTimestamp"],
            "Payload": {
                "body": entry["canonicalizedBody"],
                "integratedTime": int(entry["integratedTime"]),
                "logIndex": int(entry["logIndex"]),
                "logID": base64.b64decode(entry["logId"]["keyId"]).hex(),
            },
        },
    }
    write("seeds/bundle/legacy-cosign-happy-path-v0.1.bundle", json.dumps(legacy))
    return cert_der


def key_entry(public_pem, algorithm, owner, **extra):
    spki = openssl(["pkey", "-pubin", "-outform", "DER"], public_pem.encode())
    entry = {
        "fingerprint": hashlib.sha256(spki).hexdigest(),
        "algorithm": algorithm,
        "owner": owner,
        "publicKey": public_pem,
        "validFrom": "2024-01-01T00:00:00Z",
    }
    entry.update(extra)
    return entry


def trust_files(cert_der):
    managed = open("fixtures/managed-key.pub").read()
    wrong = open(f"{CONFORMANCE}/managed-key-and-trusted-root/key.pub").read()
    cert_pem = pem("CERTIFICATE", cert_der)
    cert_entry = key_entry(openssl(["x509", "-pubkey", "-noout"], cert_pem.encode()).decode(),
                           "ecdsa-p256", "fulcio-leaf")
    cert_entry["publicKey"] = cert_pem
    rotated = [
        key_entry(managed, "ecdsa-p256", "release@example.com",
                  validUntil="2025-01-01T00:00:00Z"),
        key_entry(wrong, "ecdsa-p256", "ops@example.com", revokedAt="2025-03-05T12:00:00Z",
                  revocationReason="laptop stolen"),
    ]
    write("seeds/trust_file/rotated.json", json.dumps({"version": 1, "keys": rotated}, indent=2))
    write("seeds/trust_file/certificate.json", json.dumps({"version": 1, "keys": [cert_entry]}))
    others = []
    for algorithm, genkey in [("ed25519", ["genpkey", "-algorithm", "ed25519"]),
                              ("rsa", ["genpkey", "-algorithm", "rsa", "-pkeyopt", "rsa_keygen_bits:2048"]),
                              ("ecdsa-p384", ["genpkey", "-algorithm", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"])]:
        private = openssl(genkey, b"")
        public = openssl(["pkey", "-pubout"], private).decode()
        others.append(key_entry(public, algorithm, f"{algorithm}@example.com"))
    write("seeds/trust_file/algorithms.json", json.dumps({"version": 1, "keys": others}))


def tarballs():
    """The real npm tarballs of the slsa-verifier fixtures, gzipped as published and as plain tar."""
    src = f"{CORPUS}/attestations/slsa-verifier/cli-npm-gha"
    for name in ["provenance-npm-test-ossf.tgz", "gundam-visor-cli-v1-tag.tgz",
                 "supreme-googles-cli-v02-tag.tgz"]:
        raw = open(f"{src}/{name}", "rb").read()
        write(f"seeds/tarball/{name}", raw)
        write(f"seeds/tarball/{name[:-4]}.tar", gzip.decompress(raw))
    # Entry kinds the real ones lack: a link, a directory, a .gitignore after a .npmignore, a bin
    # with a CRLF shebang that package.json names.
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        def add(name, body=b"", kind=tarfile.REGTYPE, link=""):
            info = tarfile.TarInfo(name)
            info.type, info.linkname, info.size, info.mtime = kind, link, len(body), 499162500
            tar.addfile(info, io.BytesIO(body) if body else None)
        add("package/", kind=tarfile.DIRTYPE)
        add("package/package.json", b'{"name":"x","version":"1.0.0","bin":{"x":"bin/x.js"}}')
        add("package/bin/x.js", b"#!/usr/bin/env node\r\nconsole.log(1)\r\n")
        add("package/.npmignore", b"test/\n")
        add("package/.gitignore", b"node_modules/\n")
        add("package/link", kind=tarfile.SYMTYPE, link="bin/x.js")
        add("package/hard", kind=tarfile.LNKTYPE, link="package/bin/x.js")
    write("seeds/tarball/kinds.tar", buf.getvalue())


def integrity():
    """SRI strings as the fixtures carry them, each followed by NUL and the bytes to check."""
    body = b"hello\n"
    def sri(alg):
        return f"{alg}-" + base64.b64encode(hashlib.new(alg, body).digest()).decode()
    cases = {
        "sha512": sri("sha512"),
        "sha1": sri("sha1"),
        "multi": f"{sri('sha1')} {sri('sha512')}?opt \t{sri('sha256')}",
        "unpadded": sri("sha384").rstrip("="),
        "lockfile": "sha512-e+qfbn/zf1+rCza/BhIA//Awmf0v1pa5HQS8Xk8iXrn9bgytytVLqYD0P7NSqZ6IELTgq+tcDvLPkQjNHyWLNg==",
        "unknown": "md5-XUFAKrxLKna5cZ2REBfFkg== " + sri("sha256"),
    }
    for name, text in cases.items():
        write(f"seeds/integrity/{name}", text.encode() + b"\0" + body)


def json_words(value, out):
    """Every object key, and every short string value, of a JSON document."""
    if isinstance(value, dict):
        for key, item in value.items():
            out.add(key)
            json_words(item, out)
    elif isinstance(value, list):
        for item in value:
            json_words(item, out)
    elif isinstance(value, str) and len(value) <= 40:
        out.add(value)


def dict_lines(words):
    """libFuzzer dictionary syntax: one quoted entry a line, other bytes as \\xNN."""
    def quote(word):
        data = word.encode() if isinstance(word, str) else word
        return "".join(chr(b) if 32 <= b < 127 and b not in b'"\\' else f"\\x{b:02x}"
                       for b in data)
    # libFuzzer refuses empty entries and ignores long ones.
    words = [w for w in words if 0 < len(w.encode() if isinstance(w, str) else w) <= 64]
    return "".join(f'"{quote(w)}"\n' for w in sorted(words, key=str))


def dictionaries():
    """libFuzzer dictionaries (dicts/<target>.dict): the words of each target's seeds, so a run
    without a sanitizer (whose memcmp hooks would find them) still forms valid keys."""
    os.makedirs("dicts", exist_ok=True)
    syntax = {"{", "}", "[", "]", ":", ",", "\"", "null", "true", "false", "0", "-1", "1e999"}
    for target in ["lockfile", "packument", "keys", "policy", "trust_file", "bundle",
                   "attestations"]:
        words = set(syntax)
        for name in sorted(os.listdir(f"seeds/{target}")):
            text = open(f"seeds/{target}/{name}", encoding="utf-8").read()
            try:
                json_words(json.loads(text), words)
            except ValueError:  # YAML: its keys and list markers
                words.update(m.group(1) for m in re.finditer(r"^\s*(?:- )?([\w$@*./-]+):", text, re.M))
                words.update({"- ", ": ", "---", "&a", "*a", "!!str", "|", ">"})
        write(f"dicts/{target}.dict", dict_lines(words))
    tar = [b"ustar\x00", b"ustar  \x00", b"././@LongLink", b"PaxHeader", b"path=", b"linkpath=",
           b"size=", b"GNU.sparse.map=", b"package/", b"package.json", b".npmignore",
           b".gitignore", b"#!/usr/bin/env node\r\n", b"\x1f\x8b\x08"]
    write("dicts/tarball.dict", dict_lines(tar))
    sri = ["sha1-", "sha256-", "sha384-", "sha512-", "md5-", "?", " ", "\t", "=", "==", "\x00"]
    write("dicts/integrity.dict", dict_lines(sri))


if __name__ == "__main__":
    for d in ["bundle", "trust_file", "tarball", "integrity"]:
        os.makedirs(f"seeds/{d}", exist_ok=True)
    trust_files(legacy_bundle())
    tarballs()
    integrity()
    dictionaries()
