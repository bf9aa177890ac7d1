//! OpenSSL as the independent party: a two-level CA made and run with `openssl req` / `openssl
//! ca` (certificates, revocations, CRLs), `openssl verify` over chains and CRLs we make, and an
//! RFC 3161 TSA (`openssl ts -reply`) behind a loopback HTTP endpoint.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs openssl with `args` in `dir` (and `env`), failing the test on a non-zero exit.
pub fn openssl(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let out = try_openssl(dir, args, env);
    assert!(
        out.status.success(),
        "openssl {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs openssl and returns its output whatever the exit code.
pub fn try_openssl(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new("openssl");
    cmd.args(args).current_dir(dir);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output()
        .expect("openssl is installed (apt-get install openssl)")
}

/// `openssl verify` of `leaf` against `root`, `intermediates` and (with `-crl_check`) `crls`:
/// true when OpenSSL accepts it.
pub fn openssl_verifies(
    dir: &Path,
    root: &Path,
    intermediates: &Path,
    crls: Option<&Path>,
    leaf: &Path,
) -> (bool, String) {
    let (root, inter, leaf) = (s(root), s(intermediates), s(leaf));
    let mut args = vec!["verify", "-CAfile", &root, "-untrusted", &inter];
    let crl;
    if let Some(path) = crls {
        crl = s(path);
        args.extend(["-crl_check", "-CRLfile", &crl]);
    }
    args.push(&leaf);
    let out = try_openssl(dir, &args, &[]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success() && text.contains(": OK"), text)
}

fn s(path: &Path) -> String {
    path.display().to_string()
}

const CONFIG: &str = r#"
[ ca ]
default_ca = root_ca

[ root_ca ]
dir = ./root
database = $dir/index.txt
serial = $dir/serial
crlnumber = $dir/crlnumber
new_certs_dir = $dir/newcerts
certificate = ./root.pem
private_key = ./root.key
default_md = sha256
default_days = 3650
default_crl_days = 7
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no

[ inter_ca ]
dir = ./inter
database = $dir/index.txt
serial = $dir/serial
crlnumber = $dir/crlnumber
new_certs_dir = $dir/newcerts
certificate = ./intermediate.pem
private_key = ./intermediate.key
default_md = sha256
default_days = 1
default_crl_days = 7
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no

[ policy_any ]
commonName = optional
organizationName = optional

[ req ]
distinguished_name = req_dn
prompt = no
[ req_dn ]
CN = unused

[ v3_root ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[ v3_inter ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
nameConstraints = critical, permitted;email:acme.example, permitted;URI:.acme.example
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[ v3_leaf ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = ${ENV::EKU}
subjectAltName = ${ENV::SAN}
1.3.6.1.4.1.57264.1.8 = ASN1:UTF8String:https://ca.acme.example
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[ v3_tsa ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"#;

/// A root and intermediate made by OpenSSL; the intermediate may certify emails at
/// `acme.example` and URIs below `.acme.example` only.
pub struct OpensslCa {
    /// The folder everything lives in.
    pub dir: PathBuf,
}

/// How to make a leaf.
pub struct LeafSpec<'a> {
    /// e.g. `email:alice@acme.example`.
    pub san: &'a str,
    /// e.g. `codeSigning`.
    pub eku: &'a str,
    /// `openssl ca -startdate` (YYYYMMDDHHMMSSZ), if not now.
    pub start: Option<&'a str>,
    /// `openssl ca -enddate`, if not one day on.
    pub end: Option<&'a str>,
}

impl OpensslCa {
    /// Makes the CA in `dir` (created).
    pub fn create(dir: &Path) -> OpensslCa {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join("openssl.cnf"), CONFIG).unwrap();
        for ca in ["root", "inter"] {
            std::fs::create_dir_all(dir.join(ca).join("newcerts")).unwrap();
            std::fs::write(dir.join(ca).join("index.txt"), "").unwrap();
            std::fs::write(dir.join(ca).join("serial"), "1000\n").unwrap();
            std::fs::write(dir.join(ca).join("crlnumber"), "01\n").unwrap();
        }
        let ca = OpensslCa {
            dir: dir.to_path_buf(),
        };
        ca.run(&[
            "req",
            "-x509",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "root.key",
            "-out",
            "root.pem",
            "-days",
            "3650",
            "-subj",
            "/CN=OpenSSL Test Root/O=Acme",
            "-config",
            "openssl.cnf",
            "-extensions",
            "v3_root",
        ]);
        ca.run(&[
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "intermediate.key",
            "-out",
            "intermediate.csr",
            "-subj",
            "/CN=OpenSSL Test Intermediate/O=Acme",
            "-config",
            "openssl.cnf",
        ]);
        ca.run(&[
            "ca",
            "-batch",
            "-config",
            "openssl.cnf",
            "-name",
            "root_ca",
            "-extensions",
            "v3_inter",
            "-days",
            "1825",
            "-in",
            "intermediate.csr",
            "-out",
            "intermediate.pem",
            "-notext",
        ]);
        ca.gencrl();
        ca
    }

    fn run(&self, args: &[&str]) -> Output {
        openssl(
            &self.dir,
            args,
            &[("SAN", "email:x@acme.example"), ("EKU", "codeSigning")],
        )
    }

    /// A fresh P-256 key (PKCS#8 PEM, unencrypted, mode 0600) and a leaf certificate for it.
    /// Returns (key path, certificate path).
    pub fn leaf(&self, name: &str, spec: &LeafSpec<'_>) -> (PathBuf, PathBuf) {
        let key = format!("{name}.key");
        let csr = format!("{name}.csr");
        let cert = format!("{name}.pem");
        self.run(&[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            &key,
        ]);
        self.run(&[
            "req",
            "-new",
            "-key",
            &key,
            "-out",
            &csr,
            "-subj",
            &format!("/CN={name}"),
            "-config",
            "openssl.cnf",
        ]);
        let mut args = vec![
            "ca",
            "-batch",
            "-config",
            "openssl.cnf",
            "-name",
            "inter_ca",
            "-extensions",
            "v3_leaf",
            "-in",
            &csr,
            "-out",
            &cert,
            "-notext",
        ];
        if let Some(start) = spec.start {
            args.extend(["-startdate", start]);
        }
        if let Some(end) = spec.end {
            args.extend(["-enddate", end]);
        }
        openssl(&self.dir, &args, &[("SAN", spec.san), ("EKU", spec.eku)]);
        set_private(&self.dir.join(&key));
        (self.dir.join(key), self.dir.join(cert))
    }

    /// Revokes a leaf with a reason and regenerates the intermediate's CRL.
    pub fn revoke(&self, cert: &Path, reason: &str) {
        let cert = cert.display().to_string();
        self.run(&[
            "ca",
            "-config",
            "openssl.cnf",
            "-name",
            "inter_ca",
            "-revoke",
            &cert,
            "-crl_reason",
            reason,
        ]);
        self.gencrl();
    }

    /// Writes `inter.crl` (leaves) and `root.crl`, and `crls.pem` with both.
    pub fn gencrl(&self) {
        self.run(&[
            "ca",
            "-config",
            "openssl.cnf",
            "-name",
            "inter_ca",
            "-gencrl",
            "-out",
            "inter.crl",
        ]);
        self.run(&[
            "ca",
            "-config",
            "openssl.cnf",
            "-name",
            "root_ca",
            "-gencrl",
            "-out",
            "root.crl",
        ]);
        let both = format!(
            "{}{}",
            std::fs::read_to_string(self.dir.join("inter.crl")).unwrap(),
            std::fs::read_to_string(self.dir.join("root.crl")).unwrap()
        );
        std::fs::write(self.dir.join("crls.pem"), both).unwrap();
    }

    /// A TSA certificate chain signed by this root (`tsa-chain.pem`: TSA cert, then root) and
    /// an `openssl ts` configuration for it.
    pub fn tsa(&self) -> PathBuf {
        self.run(&[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            "tsa.key",
        ]);
        self.run(&[
            "req",
            "-new",
            "-key",
            "tsa.key",
            "-out",
            "tsa.csr",
            "-subj",
            "/CN=Test TSA",
            "-config",
            "openssl.cnf",
        ]);
        self.run(&[
            "ca",
            "-batch",
            "-config",
            "openssl.cnf",
            "-name",
            "root_ca",
            "-extensions",
            "v3_tsa",
            "-days",
            "365",
            "-in",
            "tsa.csr",
            "-out",
            "tsa.pem",
            "-notext",
        ]);
        let chain = format!(
            "{}{}",
            std::fs::read_to_string(self.dir.join("tsa.pem")).unwrap(),
            std::fs::read_to_string(self.dir.join("root.pem")).unwrap()
        );
        std::fs::write(self.dir.join("tsa-chain.pem"), chain).unwrap();
        std::fs::write(self.dir.join("tsaserial"), "01\n").unwrap();
        let config = format!(
            "[ tsa ]\ndefault_tsa = tsa1\n[ tsa1 ]\ndir = {dir}\nserial = $dir/tsaserial\n\
             signer_cert = $dir/tsa.pem\nsigner_key = $dir/tsa.key\nsigner_digest = sha256\n\
             default_policy = 1.2.3.4.1\ndigests = sha256, sha384, sha512\naccuracy = secs:1\n\
             ordering = yes\ntsa_name = no\ness_cert_id_chain = no\ness_cert_id_alg = sha256\n",
            dir = self.dir.display()
        );
        std::fs::write(self.dir.join("tsa.cnf"), config).unwrap();
        self.dir.join("tsa-chain.pem")
    }
}

/// Serves `openssl ts -reply` over HTTP on a loopback port (one thread per request) and returns
/// the URL. Runs until the process ends.
pub fn serve_tsa(dir: &Path) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/tsr", listener.local_addr().unwrap());
    let dir = dir.to_path_buf();
    std::thread::spawn(move || {
        for (n, stream) in listener.incoming().enumerate() {
            let Ok(stream) = stream else { continue };
            let dir = dir.clone();
            std::thread::spawn(move || answer(stream, &dir, n));
        }
    });
    url
}

fn answer(mut stream: std::net::TcpStream, dir: &Path, n: usize) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body).unwrap();
    let (query, reply) = (format!("q{n}.tsq"), format!("r{n}.tsr"));
    std::fs::write(dir.join(&query), &body).unwrap();
    openssl(
        dir,
        &[
            "ts",
            "-reply",
            "-config",
            "tsa.cnf",
            "-queryfile",
            &query,
            "-out",
            &reply,
        ],
        &[],
    );
    let response = std::fs::read(dir.join(&reply)).unwrap();
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/timestamp-reply\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        response.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&response).unwrap();
}

/// chmod 600.
pub fn set_private(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
}
