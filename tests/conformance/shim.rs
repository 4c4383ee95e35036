//! The one place the suite calls logconf's public API: load `config.yaml`
//! from the working directory, build it, bridge the `log` crate, and run the
//! scenario's events under the built subscriber.

/// Runs `emit` under the subscriber built from `./config.yaml`, then flushes
/// and drops everything logconf built. Returns what `emit` returned (false:
/// no such scenario), or the error logconf reported.
pub(crate) fn run(emit: impl FnOnce() -> bool) -> Result<bool, String> {
    // A `fileConfig` scenario brings `config.ini` instead.
    let path = if std::path::Path::new("config.ini").exists() {
        "config.ini"
    } else {
        "config.yaml"
    };
    let config = logconf::Config::from_path(path).map_err(|e| e.to_string())?;
    let built = config.build().map_err(|e| e.to_string())?;
    logconf::install_log_bridge().map_err(|e| e.to_string())?;
    let found = tracing::subscriber::with_default(built.subscriber(), emit);
    built.flush();
    drop(built);
    Ok(found)
}
