//! A private PostgreSQL server for one test, which the test may stop and start again (never
//! the shared one): `initdb` into a temporary directory, `pg_ctl` on a free port with its
//! socket in that directory. Stopped and removed when dropped, even when the test fails.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

/// Where Debian and Ubuntu install the PostgreSQL server binaries.
const INSTALL_ROOT: &str = "/usr/lib/postgresql";

pub struct PgInstance {
    bin: PathBuf,
    port: u16,
    /// `initdb` refuses to run as root: then every tool runs as the `postgres` user.
    as_postgres: bool,
    dir: TempDir,
}

impl PgInstance {
    /// Creates and starts a server. Panics when the PostgreSQL binaries are not installed.
    pub fn start() -> Self {
        let bin = server_binaries().unwrap_or_else(|| {
            panic!(
                "the PostgreSQL server binaries (initdb, pg_ctl) are not installed under \
                 {INSTALL_ROOT}/<version>/bin: install postgresql, or unset \
                 HALLPASS_TEST_DATABASE_URL to skip the PostgreSQL tests"
            )
        });
        let dir = crate::support::tempdir();
        let as_postgres = is_root(dir.path());
        if as_postgres {
            run(Command::new("chown")
                .arg("postgres:postgres")
                .arg(dir.path()));
        }
        let port = free_port();
        let instance = Self {
            bin,
            port,
            as_postgres,
            dir,
        };
        instance.tool(
            "initdb",
            &[
                "-D",
                &instance.data(),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        instance.restart();
        instance
    }

    /// The URL of its `postgres` database.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Starts the (stopped) server again, on the same port and data.
    pub fn restart(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("postgres.log");
        self.tool(
            "pg_ctl",
            &[
                "-D",
                &self.data(),
                "-l",
                &log.display().to_string(),
                "-o",
                &options,
                "-w",
                "start",
            ],
        );
    }

    /// Stops the server at once, like a crash: connections are cut without goodbye.
    pub fn stop_immediately(&self) {
        self.tool(
            "pg_ctl",
            &["-D", &self.data(), "-m", "immediate", "-w", "stop"],
        );
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn command(&self, tool: &str) -> Command {
        let path = self.bin.join(tool);
        if self.as_postgres {
            let mut cmd = Command::new("runuser");
            cmd.args(["-u", "postgres", "--"]).arg(path);
            cmd
        } else {
            Command::new(path)
        }
    }

    fn tool(&self, tool: &str, args: &[&str]) -> Output {
        let mut cmd = self.command(tool);
        cmd.args(args).current_dir(self.dir.path());
        let out = run(&mut cmd);
        assert!(
            out.status.success(),
            "{tool} {args:?} failed: {}{}\nserver log:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(self.dir.path().join("postgres.log")).unwrap_or_default()
        );
        out
    }
}

impl Drop for PgInstance {
    fn drop(&mut self) {
        // Already stopped is fine; the directory goes with `dir`.
        let _ = self
            .command("pg_ctl")
            .args(["-D", &self.data(), "-m", "immediate", "-w", "stop"])
            .current_dir(self.dir.path())
            .output();
    }
}

fn run(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

/// The `bin` directory of the newest installed PostgreSQL server.
fn server_binaries() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir(INSTALL_ROOT)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            (bin.join("initdb").exists() && bin.join("pg_ctl").exists()).then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

/// Whether this process runs as root: it then owns what it creates as uid 0.
fn is_root(created: &Path) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    std::fs::metadata(created).is_ok_and(|m| m.uid() == 0)
}

/// A port nothing listens on right now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}
