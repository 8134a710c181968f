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
        args::Command::Seal(seal_args) => return seal_commands::seal(&seal_args),
        args::Command::Unseal(seal_args) => return seal_commands::unseal(&seal_args),
        _ => {}
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        match cli.command {
            args::Command::Serve(serve_args) => {
                serve::run(settings::ServeSettings::resolve(serve_args)?).await
            }
            args::Command::Client(cmd) => {
                client_commands::run(settings::ClientSettings::resolve(&cli.client)?, cmd).await
            }
            args::Command::Seal(_) | args::Command::Unseal(_) => Ok(ExitCode::SUCCESS),
        }
    })
}
