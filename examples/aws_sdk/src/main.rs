//! logconf with the real AWS SDK for Rust: `sts_whoami` asks STS
//! `GetCallerIdentity` who two credential profiles are, and logs its story
//! through logconf.
//!
//! Nothing leaves the machine: STS is a stand-in on a loopback port started
//! by the program itself (`stand_in.rs`); the SDK is pointed at it with
//! `endpoint_url`, the region is fixed, and the credentials come from an
//! in-memory profile file with example keys, so neither the region chain
//! nor the credentials chain (and with them IMDS) ever runs.
//!
//! ```text
//! cargo run -p logconf-aws-example                      # the screen shows errors only
//! cargo run -p logconf-aws-example -- --debug           # the debug profile
//! LOG_PROFILE=debug cargo run -p logconf-aws-example    # the same
//! cargo run -p logconf-aws-example -- --explain aws_config::profile::credentials
//! LOG_CFG=my.yaml cargo run -p logconf-aws-example      # any config file wins
//! ```
//!
//! The log file is `logs/sts_whoami.log` in the working directory. The
//! configs are `configs/logger_config.yaml` and
//! `configs/logger_config_debug.yaml` next to this crate's `Cargo.toml`,
//! compiled in; the choice between them follows `logconf::init()`'s rules
//! (`LOG_CFG` wins, then `--debug` or `LOG_PROFILE=debug`).

mod stand_in;

use std::env;
use std::process::ExitCode;
use std::time::Duration;

use aws_config::profile::ProfileFileCredentialsProvider;
use aws_config::provider_config::ProviderConfig;
use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, future};
use aws_runtime::env_config::file::{EnvConfigFileKind, EnvConfigFiles};
use aws_sdk_sts::error::{DisplayErrorContext, ProvideErrorMetadata as _};
use aws_sdk_sts::operation::RequestId as _;
use logconf::Config;
use logconf::sources::{LOG_CFG, LOG_PROFILE};
use tracing::{debug, error, info, instrument};

use crate::stand_in::StandIn;

/// The default profile: the screen shows errors, the file the app's INFO.
const CONFIG: &str = include_str!("../configs/logger_config.yaml");
/// The debug profile: the app and the SDK at DEBUG in the file.
const CONFIG_DEBUG: &str = include_str!("../configs/logger_config_debug.yaml");

/// The credentials file the SDK reads (from memory, not `~/.aws`). The keys
/// are AWS's documentation examples; `retired` is a key STS no longer knows.
const CREDENTIALS: &str = "\
[deploy]
aws_access_key_id = AKIDEXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY

[retired]
aws_access_key_id = AKIDEXAMPLERETIRED
aws_secret_access_key = je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY
";

/// The region, fixed so the SDK never looks for one (IMDS included).
const REGION: &str = "us-east-1";

const USAGE: &str = "\
usage: sts_whoami [--debug] [--explain TARGET]...

  --debug           the debug profile (also LOG_PROFILE=debug)
  --explain TARGET  print how records from TARGET are routed, then run
                    (e.g. --explain aws_config::profile::credentials)

LOG_CFG=FILE selects another logging config.";

/// The command line.
#[derive(Debug, Default)]
struct Args {
    debug: bool,
    explain: Vec<String>,
    help: bool,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut parsed = Args::default();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--debug" => parsed.debug = true,
            "-h" | "--help" => parsed.help = true,
            "--explain" => match args.next() {
                Some(target) => parsed.explain.push(target),
                None => return Err("--explain needs a target".to_owned()),
            },
            other => match other.strip_prefix("--explain=") {
                Some(target) => parsed.explain.push(target.to_owned()),
                None => return Err(format!("unknown argument `{other}`")),
            },
        }
    }
    Ok(parsed)
}

/// The config `logconf::init()` would pick, with this example's own files
/// in place of `init()`'s search of the working directory: the file named
/// by `LOG_CFG`; else the debug profile with `--debug` or
/// `LOG_PROFILE=debug`; else the default profile.
///
/// Not `init()` itself: run from the repository's root, its search finds
/// the `deploy_vpc` example's `configs/logger_config.yaml`; and `--explain`
/// needs the `Config` (`init()` returns only the guard). Loading, then
/// `build()?.install()?`, is what `init()` does.
fn load_config(debug: bool) -> Result<Config, logconf::Error> {
    if let Some(path) = env::var_os(LOG_CFG).filter(|path| !path.is_empty()) {
        return Config::from_path(path);
    }
    let debug =
        debug || env::var(LOG_PROFILE).is_ok_and(|profile| profile.eq_ignore_ascii_case("debug"));
    Config::from_yaml_str(if debug { CONFIG_DEBUG } else { CONFIG })
}

/// A credentials source that never answers: stands in for the ones a
/// profile could name (`credential_source = Ec2InstanceMetadata` or
/// `EcsContainer`), so that no IMDS or ECS client is even built.
#[derive(Debug)]
struct Disabled(&'static str);

impl ProvideCredentials for Disabled {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::ready(Err(CredentialsError::not_loaded(format!(
            "{} is disabled in this example",
            self.0
        ))))
    }
}

/// The SDK config for one profile of [`CREDENTIALS`], pointed at the stand-in.
async fn sdk_config(profile: &str, endpoint: &str) -> SdkConfig {
    // Plain HTTP to loopback: the SDK's hyper 1.x client without TLS, so no
    // TLS stack is compiled. (`build_http` is public but hidden from the
    // docs; the documented `build_https` needs a TLS feature, which brings
    // rustls and aws-lc-rs, a C library, into the build.)
    let http_client = aws_smithy_http_client::Builder::new().build_http();
    let files = EnvConfigFiles::builder()
        .with_contents(EnvConfigFileKind::Credentials, CREDENTIALS)
        .build();
    // Set explicitly, so the default credentials chain (environment,
    // profile, web identity, ECS, IMDS) is never built.
    let credentials = ProfileFileCredentialsProvider::builder()
        .configure(
            &ProviderConfig::without_region()
                .with_region(Some(Region::new(REGION)))
                .with_http_client(http_client.clone()),
        )
        .with_custom_provider("Ec2InstanceMetadata", Disabled("IMDS"))
        .with_custom_provider("EcsContainer", Disabled("the ECS credentials endpoint"))
        .profile_files(files.clone())
        .profile_name(profile)
        .build();
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(REGION))
        .endpoint_url(endpoint)
        .http_client(http_client)
        .profile_files(files)
        .profile_name(profile)
        .credentials_provider(credentials)
        // The stand-in's 503 is retried after 50 ms rather than up to 1 s.
        .retry_config(RetryConfig::standard().with_initial_backoff(Duration::from_millis(50)))
        .load()
        .await
}

/// Calls `GetCallerIdentity` `calls` times with `profile`'s credentials;
/// returns how many calls succeeded.
#[instrument(skip(endpoint))]
async fn check_profile(profile: &str, endpoint: &str, calls: usize) -> usize {
    let client = aws_sdk_sts::Client::new(&sdk_config(profile, endpoint).await);
    info!("profile {profile}: STS client ready (region {REGION})");
    let mut succeeded = 0;
    for call in 1..=calls {
        match client.get_caller_identity().send().await {
            Ok(identity) => {
                succeeded += 1;
                info!(
                    "profile {profile}: call {call}: account {}, {}",
                    identity.account().unwrap_or("?"),
                    identity.arn().unwrap_or("?"),
                );
                debug!(
                    "profile {profile}: call {call}: user id {}, request id {}",
                    identity.user_id().unwrap_or("?"),
                    identity.request_id().unwrap_or("?"),
                );
            }
            Err(err) => match (err.code(), err.message()) {
                (Some(code), Some(message)) => {
                    error!("profile {profile}: GetCallerIdentity refused: {code}: {message}");
                }
                _ => error!(
                    "profile {profile}: GetCallerIdentity failed: {}",
                    DisplayErrorContext(&err)
                ),
            },
        }
    }
    succeeded
}

fn main() -> ExitCode {
    let args = match parse_args(env::args().skip(1)) {
        Ok(args) if args.help => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Ok(args) => args,
        Err(message) => {
            eprintln!("sts_whoami: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("sts_whoami: {err}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let config = load_config(args.debug)?;
    for target in &args.explain {
        println!("{}", config.explain(target));
    }
    let _guard = config.build()?.install()?;

    let stand_in = StandIn::start()?;
    let endpoint = stand_in.url();
    info!("STS stand-in listening on {endpoint} (loopback only)");

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let calls = [("deploy", 5), ("retired", 1)];
    let mut succeeded = 0;
    for (profile, n) in calls {
        succeeded += runtime.block_on(check_profile(profile, &endpoint, n));
    }
    let total: usize = calls.iter().map(|(_, n)| n).sum();
    info!(
        "done: {succeeded} of {total} calls succeeded; the stand-in answered {} requests (the SDK retried its 503)",
        stand_in.requests()
    );
    Ok(())
}
