//! Where passwords come from: `COSIGN_PASSWORD`, or a prompt on a terminal (never a pipe).

use crate::error::KeyError;
use std::io::IsTerminal;
use zeroize::Zeroizing;

/// The environment variable cosign reads the key password from.
pub const PASSWORD_ENV: &str = "COSIGN_PASSWORD";

/// Reads the key password: `COSIGN_PASSWORD` if set (an empty value means an empty password,
/// as in cosign), otherwise a prompt on the terminal. With `confirm`, the prompt asks twice.
///
/// Without a terminal on stdin and no `COSIGN_PASSWORD`, this fails instead of blocking on a
/// pipe, so CI jobs get a clear error.
pub fn read_password(confirm: bool) -> Result<Zeroizing<String>, KeyError> {
    if let Ok(value) = std::env::var(PASSWORD_ENV) {
        return Ok(Zeroizing::new(value));
    }
    if !std::io::stdin().is_terminal() {
        return Err(KeyError::NoPassword(format!(
            "{PASSWORD_ENV} is not set and stdin is not a terminal, so no password can be asked for"
        )));
    }
    let first = prompt("Enter password for private key: ")?;
    if confirm {
        let second = prompt("Enter password for private key again: ")?;
        if *first != *second {
            return Err(KeyError::NoPassword(
                "the two passwords do not match".into(),
            ));
        }
    }
    Ok(first)
}

fn prompt(text: &str) -> Result<Zeroizing<String>, KeyError> {
    rpassword::prompt_password(text)
        .map(Zeroizing::new)
        .map_err(|e| {
            KeyError::NoPassword(format!("cannot read the password from the terminal: {e}"))
        })
}
