//! Starts a throwaway `redis-server` on a free loopback port.
// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `redis-server`, killed when dropped.
pub struct RedisServer {
    child: Child,
    /// The loopback port it listens on.
    pub port: u16,
}

/// A free loopback port (nothing listens on it once this returns).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn redis_installed() -> bool {
    let probe = Command::new("redis-server")
        .arg("--version")
        .stdout(Stdio::null())
        .status();
    probe.map(|s| s.success()).unwrap_or(false)
}

impl RedisServer {
    /// Starts a server. A missing `redis-server` fails the test with the command that installs
    /// it, unless `SIGVERIFY_SKIP_REDIS` is set (an explicit, announced skip: `None`).
    pub fn start(extra: &[&str]) -> Option<RedisServer> {
        if !redis_installed() {
            if std::env::var_os("SIGVERIFY_SKIP_REDIS").is_some() {
                eprintln!("SKIPPED (SIGVERIFY_SKIP_REDIS is set): redis-server is not on PATH");
                return None;
            }
            panic!(
                "redis-server is not on PATH: install it (Debian/Ubuntu: `sudo apt-get install redis-server`, \
                 macOS: `brew install redis`), or set SIGVERIFY_SKIP_REDIS=1 to skip the Redis tests knowingly"
            );
        }
        let port = free_port();
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .args(extra)
            .stdout(Stdio::null())
            .spawn()
            .expect("spawn redis-server");
        let server = RedisServer { child, port };
        server.wait_ready();
        Some(server)
    }

    /// `redis://127.0.0.1:<port>` plus `rest` (e.g. `/3`).
    pub fn url(&self, rest: &str) -> String {
        format!("redis://127.0.0.1:{}{rest}", self.port)
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) {
                let mut reply = [0u8; 1];
                // Any reply (+PONG, or -NOAUTH with a password) means it serves.
                if stream.write_all(b"PING\r\n").is_ok()
                    && stream.read(&mut reply).unwrap_or(0) == 1
                {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("redis-server on port {} did not start", self.port);
    }

    /// Kills the server now (simulates Redis dying mid-run).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Sends a signal (`STOP` freezes the server: it accepts but never answers).
    pub fn signal(&self, name: &str) {
        let pid = self.child.id().to_string();
        let status = Command::new("kill")
            .args([&format!("-{name}"), &pid])
            .status()
            .unwrap();
        assert!(status.success(), "kill -{name} {pid}");
    }

    /// A plain synchronous connection for checking what the cache wrote.
    pub fn raw(&self, rest: &str) -> redis::Connection {
        redis::Client::open(self.url(rest))
            .unwrap()
            .get_connection()
            .unwrap()
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}
