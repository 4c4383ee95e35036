//! The seed's `deployVpc.py`, in Rust: create a VPC and an Internet Gateway,
//! then remove them again, logging through logconf.
//!
//! No AWS account is needed: the "SDK" here is a stand-in that logs under
//! the targets the real AWS SDK for Rust uses (`aws_config`, `aws_sdk_ec2`,
//! `aws_smithy_runtime`, `hyper_util`, and `rustls` through the `log` crate),
//! at the levels it really uses, so the config's routing can be seen.
//!
//! ```text
//! cargo run --example deploy_vpc              # logconf::init(): screen shows ERROR+
//! cargo run --example deploy_vpc -- --debug   # logconf::init_debug()
//! LOG_PROFILE=debug cargo run --example deploy_vpc
//! LOG_CFG=my.yaml cargo run --example deploy_vpc
//! ```
//! The log file is `logs/deploy_vpc.log`.

use std::process::ExitCode;

use tracing::{debug, error, info, instrument, warn};

/// A stand-in for `aws_sdk_ec2::Client`: logs what the real one logs.
struct Ec2;

impl Ec2 {
    fn connect() -> Ec2 {
        // aws_config logs credential resolution at INFO with profile files.
        info!(target: "aws_config::profile::credentials", "loaded base credentials provider=ProfileFile");
        debug!(target: "aws_config::meta::region", "region resolved region=us-east-1");
        log::debug!(target: "rustls::webpki::anchors", "add_parsable_certificates processed 145 valid and 0 invalid certs");
        Ec2
    }

    fn call(&self, operation: &str, id: &str) -> Result<String, String> {
        debug!(target: "aws_sdk_ec2::operation", operation, "sending request");
        debug!(target: "aws_smithy_runtime::client::orchestrator", "beginning attempt #1");
        debug!(target: "hyper_util::client::legacy::pool", "reuse idle connection for (\"https\", ec2.us-east-1.amazonaws.com)");
        debug!(target: "aws_sigv4::http_request::sign", "signing request");
        if operation == "CreateTags" {
            warn!(target: "aws_smithy_runtime::client::retries::strategy::standard", "throttled; retrying after 120ms");
            return Err(
                "UnauthorizedOperation: You are not authorized to perform this operation"
                    .to_owned(),
            );
        }
        debug!(target: "aws_sdk_ec2::operation", request_id = "7f3c9a1e-example", "received response");
        Ok(id.to_owned())
    }
}

#[instrument(skip(ec2))]
fn create_vpc(ec2: &Ec2, cidr: &str) -> Result<String, String> {
    let vpc = ec2.call("CreateVpc", "vpc-0a1b2c3d")?;
    info!("VPC created: {vpc} ({cidr})");
    if let Err(e) = ec2.call("CreateTags", &vpc) {
        error!("could not tag {vpc}: {e}");
    }
    Ok(vpc)
}

#[instrument(skip(ec2))]
fn create_igw(ec2: &Ec2, vpc: &str) -> Result<String, String> {
    let igw = ec2.call("CreateInternetGateway", "igw-0e5f6a7b")?;
    info!("Internet Gateway created: {igw}");
    ec2.call("AttachInternetGateway", &igw)?;
    info!("Internet Gateway {igw} attached to {vpc}");
    Ok(igw)
}

#[instrument(skip(ec2))]
fn cleanup(ec2: &Ec2, vpc: &str, igw: &str) -> Result<(), String> {
    debug!("removing {igw} and {vpc}");
    ec2.call("DetachInternetGateway", igw)?;
    ec2.call("DeleteInternetGateway", igw)?;
    info!("Internet Gateway {igw} deleted");
    ec2.call("DeleteVpc", vpc)?;
    info!("VPC {vpc} deleted");
    Ok(())
}

fn main() -> ExitCode {
    let debug = std::env::args().skip(1).any(|a| a == "--debug");
    let guard = if debug {
        logconf::init_debug()
    } else {
        logconf::init()
    };
    let guard = match guard {
        Ok(guard) => guard,
        Err(e) => {
            eprintln!("deploy_vpc: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Which file (or embedded default) `init` chose depends on LOG_CFG and
    // the working directory: say so.
    info!("logging config: {}", guard.source());

    let ec2 = Ec2::connect();
    info!("EC2 Session object created");
    let result = create_vpc(&ec2, "10.0.0.0/16")
        .and_then(|vpc| create_igw(&ec2, &vpc).map(|igw| (vpc, igw)))
        .and_then(|(vpc, igw)| cleanup(&ec2, &vpc, &igw));
    match result {
        Ok(()) => {
            info!("done");
            ExitCode::SUCCESS
        }
        Err(e) => {
            error!("deployment failed: {e}");
            ExitCode::FAILURE
        }
    }
}
