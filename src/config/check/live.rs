//! logconf's keys for a running process, under `logconf:`:
//!
//! | key | value | default |
//! |---|---|---|
//! | `watch` | seconds between checks of the file for changes (above 0, at most a day) | no watching |
//! | `reload_on_sighup` | reload when the process receives `SIGHUP` (cargo feature `sighup`) | `false` |
//! | `rust_log` | whether [`init`](fn@crate::init) applies `RUST_LOG` over the file's levels | `true` |
//! | `env` | whether `${VAR}` in string values is replaced (read before the check, see [`crate::config`]'s `subst`) | `false` |

use crate::args::Args;
use crate::model::LiveOptions;

/// The longest `watch:` period, in seconds.
const MAX_WATCH_SECONDS: f64 = 86_400.0;

/// The options of a config without a `logconf:` section.
pub(super) fn defaults() -> LiveOptions {
    LiveOptions {
        watch: None,
        reload_on_sighup: false,
        rust_log: true,
    }
}

/// Reads the keys of the table above from `logconf:`.
pub(super) fn parse(args: &mut Args<'_, '_>) -> LiveOptions {
    let watch = args.seconds("watch", MAX_WATCH_SECONDS);
    let reload_on_sighup = args.truthy("reload_on_sighup", false);
    if reload_on_sighup && !cfg!(all(feature = "sighup", unix)) {
        let help = if cfg!(unix) {
            "build logconf with the cargo feature `sighup`, or call `Guard::reload` yourself"
        } else {
            "signals are a Unix feature; call `Guard::reload` yourself"
        };
        args.report(
            "reload_on_sighup",
            "reloading on `SIGHUP` is not built in".into(),
            Some(help.into()),
        );
    }
    let rust_log = args.truthy("rust_log", true);
    // Read (before the check) by the substitution pass; checked here.
    let _ = args.truthy("env", false);
    LiveOptions {
        watch,
        reload_on_sighup,
        rust_log,
    }
}
