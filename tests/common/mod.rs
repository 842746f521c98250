//! Test support: start the real `seedis-server` binary (or a real `redis-server`) on a
//! free loopback port and talk to it over TCP, as users do.

#![allow(dead_code)]

pub mod diff;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A server process, killed when dropped.
pub struct Server {
    child: Child,
    pub port: u16,
    /// Its working directory (`--dir`), a fresh one per server unless the test gave
    /// one: a server loads any dump.rdb it finds there at startup.
    pub dir: std::path::PathBuf,
    /// The directory is the harness's, removed with the server.
    owns_dir: bool,
}

/// A new empty directory under the system's temp dir, unique to this process and call.
pub fn fresh_dir(label: &str) -> std::path::PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("seedis-{label}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create a temp dir");
    dir
}

/// A port nobody listens on right now (the OS picks it; we release it at once).
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    listener.local_addr().expect("local addr").port()
}

impl Server {
    /// Starts seedis-server with extra command-line arguments. Without save points
    /// (as the real Redis below): a SHUTDOWN would otherwise save a dump.rdb in the
    /// working directory that the next server loads. Tests of persistence pass their
    /// own `--save` and `--dir`, which come later and win.
    pub fn start(args: &[&str]) -> Server {
        Self::spawn(
            env!("CARGO_BIN_EXE_seedis-server"),
            args,
            &["--seed", "1", "--loglevel", "warning", "--save", ""],
        )
    }

    /// Starts a real redis-server, or returns None when it is not installed.
    pub fn start_redis(args: &[&str]) -> Option<Server> {
        let path = which("redis-server")?;
        Some(Self::spawn(
            &path,
            args,
            &["--save", "", "--appendonly", "no", "--loglevel", "warning"],
        ))
    }

    fn spawn(program: &str, args: &[&str], defaults: &[&str]) -> Server {
        let given_dir = args
            .iter()
            .position(|a| *a == "--dir")
            .and_then(|at| args.get(at + 1))
            .map(std::path::PathBuf::from);
        let owns_dir = given_dir.is_none();
        let dir = given_dir.unwrap_or_else(|| fresh_dir("server"));
        for _attempt in 0..5 {
            let port = free_port();
            let mut child = Command::new(program)
                .arg("--port")
                .arg(port.to_string())
                .arg("--dir")
                .arg(&dir)
                .args(defaults)
                .args(args)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("spawn server");
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    // Another test's server may hold the port (it was free when picked,
                    // not when bound): then ours exits at once on "address in use".
                    std::thread::sleep(Duration::from_millis(50));
                    if let Ok(None) = child.try_wait() {
                        return Server {
                            child,
                            port,
                            dir,
                            owns_dir,
                        };
                    }
                    break;
                }
                if let Ok(Some(_)) = child.try_wait() {
                    break; // Lost the port race: try another.
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("{program} did not start listening");
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// A `redis` crate connection.
    pub fn client(&self) -> redis::Connection {
        let client = redis::Client::open(self.url()).expect("client");
        let conn = client.get_connection().expect("connect");
        conn.set_read_timeout(Some(Duration::from_secs(30)))
            .expect("timeout");
        conn
    }

    /// A raw TCP connection with a read timeout.
    pub fn raw(&self) -> TcpStream {
        let stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        stream.set_nodelay(true).expect("nodelay");
        stream
    }

    /// Waits for the process to exit by itself (SHUTDOWN), at most `limit`.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if self.owns_dir {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

pub fn which(name: &str) -> Option<String> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
        .map(|p| p.to_string_lossy().into_owned())
}

/// True when tests that need Redis's own tools must not be skipped (CI installs them).
pub fn tools_required() -> bool {
    std::env::var_os("CI").is_some()
}

/// Encodes a command as a RESP multibulk request.
pub fn resp_command(argv: &[&[u8]]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", argv.len()).into_bytes();
    for arg in argv {
        out.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// Reads until the peer closes or `limit` passes; returns what arrived and whether the
/// connection was closed by the peer.
pub fn read_until_close(stream: &mut TcpStream, limit: Duration) -> (Vec<u8>, bool) {
    let deadline = Instant::now() + limit;
    stream
        .set_read_timeout(Some(Duration::from_millis(100)))
        .expect("timeout");
    let mut data = Vec::new();
    let mut buf = [0u8; 65536];
    while Instant::now() < deadline {
        match stream.read(&mut buf) {
            Ok(0) => return (data, true),
            Ok(n) => data.extend_from_slice(&buf[..n]),
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(_) => return (data, true),
        }
    }
    (data, false)
}

/// Reads exactly `n` bytes.
pub fn read_exactly(stream: &mut TcpStream, n: usize) -> Vec<u8> {
    let mut data = vec![0u8; n];
    stream.read_exact(&mut data).expect("read");
    data
}

/// Sends raw bytes and reads exactly one complete RESP reply (any type).
pub fn roundtrip(stream: &mut TcpStream, request: &[u8]) -> Vec<u8> {
    stream.write_all(request).expect("write");
    read_reply(stream)
}

/// Reads one complete RESP2/RESP3 reply from the stream.
pub fn read_reply(stream: &mut TcpStream) -> Vec<u8> {
    let mut data = Vec::new();
    let mut buf = [0u8; 65536];
    loop {
        if let Some(len) = reply_len(&data, 0) {
            assert_eq!(
                len,
                data.len(),
                "more than one reply arrived: {:?}",
                String::from_utf8_lossy(&data)
            );
            return data;
        }
        let n = stream.read(&mut buf).expect("read reply");
        assert!(
            n > 0,
            "connection closed mid-reply: {:?}",
            String::from_utf8_lossy(&data)
        );
        data.extend_from_slice(&buf[..n]);
    }
}

/// Length of the complete reply starting at `at`, if it is complete.
pub fn reply_len(data: &[u8], at: usize) -> Option<usize> {
    let line_end = data[at..].windows(2).position(|w| w == b"\r\n")? + at;
    let kind = data[at];
    // Only lengths are parsed: a status or error line may carry any bytes.
    let header = || std::str::from_utf8(&data[at + 1..line_end]).ok();
    let after = line_end + 2;
    match kind {
        b'+' | b'-' | b':' | b'_' | b',' | b'#' | b'(' => Some(after - at),
        b'$' | b'=' | b'!' => {
            let n: i64 = header()?.parse().ok()?;
            if n < 0 {
                return Some(after - at);
            }
            let end = after + n as usize + 2;
            (data.len() >= end).then_some(end - at)
        }
        b'*' | b'~' | b'>' | b'%' | b'|' => {
            let n: i64 = header()?.parse().ok()?;
            let items = if kind == b'%' || kind == b'|' {
                n * 2
            } else {
                n
            };
            let mut pos = after;
            for _ in 0..items.max(0) {
                pos += reply_len(data, pos)?;
            }
            Some(pos - at)
        }
        _ => panic!(
            "not a RESP reply: {:?}",
            String::from_utf8_lossy(&data[at..])
        ),
    }
}
