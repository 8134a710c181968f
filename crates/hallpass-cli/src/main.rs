//! The `hallpass` binary: `serve` runs the service; the other commands call a running server.
//!
//! One exit point: `main` calls [`run`], which parses raw arguments ([`args`]), resolves them
//! into settings ([`settings`]) and dispatches. Errors print once and exit non-zero.

mod args;
mod client_commands;
mod output;
mod seal_commands;
mod serve;
mod settings;

use std::process::ExitCode;

use clap::Parser as _;

/// mimalloc rather than the system allocator: a request allocates and frees many small
/// objects across threads, which glibc's malloc serves markedly slower (docs/BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> anyhow::Result<ExitCode> {
    let cli = args::Cli::parse();
    match cli.command {
        args::Command::Seal(seal_args) => seal_commands::seal(&seal_args),
        args::Command::Unseal(seal_args) => seal_commands::unseal(&seal_args),
        args::Command::Serve(serve_args) => {
            let settings = settings::ServeSettings::resolve(serve_args)?;
            block_on(serve::run(settings))
        }
        args::Command::Client(cmd) => {
            let settings = settings::ClientSettings::resolve(&cli.client)?;
            block_on(client_commands::run(settings, cmd))
        }
    }
}

/// Runs `work` on a multi-threaded runtime (the server and the HTTP client need one; `seal`
/// and `unseal` do not).
fn block_on(work: impl Future<Output = anyhow::Result<ExitCode>>) -> anyhow::Result<ExitCode> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(work)
}
