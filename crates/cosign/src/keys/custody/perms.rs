//! Private key files must be private: like ssh, refuse a key file group or others can read.

use crate::error::KeyError;
use std::path::Path;

/// Fails with [`KeyError::Permissions`] when the file's mode lets group or others read, write
/// or execute it (any bit of 0o077). A missing file is reported by the read that follows.
#[cfg(unix)]
pub fn check_private_key_file(path: &Path) -> Result<(), KeyError> {
    use std::os::unix::fs::PermissionsExt;
    let Ok(metadata) = std::fs::metadata(path) else {
        return Ok(());
    };
    let mode = metadata.permissions().mode() & 0o7777;
    if mode & 0o077 != 0 {
        return Err(KeyError::Permissions {
            path: path.display().to_string(),
            mode,
        });
    }
    Ok(())
}

/// Windows ACLs are not mode bits; nothing to check here.
#[cfg(not(unix))]
pub fn check_private_key_file(_path: &Path) -> Result<(), KeyError> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn group_or_world_readable_keys_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("k.key");
        std::fs::write(&key, "x").unwrap();
        for (mode, ok) in [(0o600, true), (0o400, true), (0o640, false), (0o604, false)] {
            std::fs::set_permissions(&key, std::fs::Permissions::from_mode(mode)).unwrap();
            let result = check_private_key_file(&key);
            assert_eq!(result.is_ok(), ok, "mode {mode:o}");
            if let Err(e) = result {
                assert_eq!(crate::Coded::code(&e), "EKEYPERMISSIONS");
                assert!(e.to_string().contains(&format!("{mode:04o}")), "{e}");
            }
        }
    }
}
