//! A real SoftHSM2 token for tests: a private token folder and configuration per test process,
//! tokens made with `softhsm2-util`. A missing SoftHSM2 fails the test with the command that
//! installs it, unless `SIGVERIFY_SKIP_SOFTHSM` is set (an explicit, announced skip: `None`).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The user PIN of every test token.
pub const PIN: &str = "82736455";
/// The security officer PIN of every test token.
const SO_PIN: &str = "51515151";

/// Where the SoftHSM2 module is installed on Debian/Ubuntu, Fedora, macOS (Homebrew).
const MODULES: &[&str] = &[
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib64/pkcs11/libsofthsm2.so",
    "/usr/lib64/softhsm/libsofthsm2.so",
    "/opt/homebrew/lib/softhsm/libsofthsm2.so",
    "/usr/local/lib/softhsm/libsofthsm2.so",
];

/// A token folder with its configuration file.
pub struct SoftHsm {
    /// Keeps the folder alive.
    _dir: tempfile::TempDir,
    /// The configuration file (`SOFTHSM2_CONF`).
    pub conf: PathBuf,
    /// The module to load.
    pub module: PathBuf,
}

impl SoftHsm {
    /// Sets up a token folder with one initialised token per label.
    pub fn start(labels: &[&str]) -> Option<SoftHsm> {
        let Some(module) = MODULES.iter().map(PathBuf::from).find(|p| p.exists()) else {
            return missing("the SoftHSM2 module (libsofthsm2.so) is not installed");
        };
        if Command::new("softhsm2-util")
            .arg("--version")
            .output()
            .is_err()
        {
            return missing("softhsm2-util is not on PATH");
        }
        let dir = tempfile::tempdir().unwrap();
        let tokens = dir.path().join("tokens");
        std::fs::create_dir(&tokens).unwrap();
        let conf = dir.path().join("softhsm2.conf");
        let text = format!(
            "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n",
            tokens.display()
        );
        std::fs::write(&conf, text).unwrap();
        let hsm = SoftHsm {
            _dir: dir,
            conf,
            module,
        };
        for label in labels {
            hsm.init_token(label);
        }
        Some(hsm)
    }

    fn init_token(&self, label: &str) {
        let out = Command::new("softhsm2-util")
            .env("SOFTHSM2_CONF", &self.conf)
            .args(["--init-token", "--free", "--label", label])
            .args(["--pin", PIN, "--so-pin", SO_PIN])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "softhsm2-util --init-token: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// `pkcs11:token=TOKEN;object=OBJECT?module-path=...` (no PIN: it comes from a file or env).
    pub fn uri(&self, token: &str, object: &str) -> String {
        format!(
            "pkcs11:token={token};object={object}?module-path={}",
            self.module.display()
        )
    }

    /// Writes the PIN to a private file and returns its path (for `pin-source=`).
    pub fn pin_file(&self, dir: &Path) -> PathBuf {
        let path = dir.join("token.pin");
        std::fs::write(&path, format!("{PIN}\n")).unwrap();
        path
    }
}

fn missing(what: &str) -> Option<SoftHsm> {
    if std::env::var_os("SIGVERIFY_SKIP_SOFTHSM").is_some() {
        eprintln!("SKIPPED (SIGVERIFY_SKIP_SOFTHSM is set): {what}");
        return None;
    }
    panic!(
        "{what}: install SoftHSM2 (Debian/Ubuntu: `sudo apt-get install softhsm2`, macOS: \
         `brew install softhsm`), or set SIGVERIFY_SKIP_SOFTHSM=1 to skip the token tests knowingly"
    );
}
