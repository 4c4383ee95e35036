//! Table-driven tests of the compiled hierarchy.

use super::*;
use crate::handler::null::NullHandler;
use crate::model::{HandlerSpec, Model};

fn logger(name: &str, level: Level, handlers: &[usize], propagate: bool) -> LoggerSpec {
    LoggerSpec {
        name: name.to_owned(),
        pattern: NamePattern::parse(name).expect("valid name"),
        level,
        handlers: handlers.to_vec(),
        filters: Vec::new(),
        propagate,
    }
}

fn handler(name: &str, level: Level) -> HandlerSpec {
    HandlerSpec {
        name: name.to_owned(),
        pos: crate::tree::Pos::default(),
        class: "logging.NullHandler",
        settings: std::sync::Arc::new(NullHandler),
        terminator: "\n".to_owned(),
        level,
        formatter: None,
        filters: Vec::new(),
        downstream: Vec::new(),
    }
}

fn model(loggers: Vec<LoggerSpec>, root: LoggerSpec, handlers: Vec<HandlerSpec>) -> Model {
    Model {
        source: "<test>".to_owned(),
        formatters: Vec::new(),
        filters: Vec::new(),
        handlers,
        loggers,
        root,
        quiet_dependencies: true,
        live: crate::model::LiveOptions::default(),
        env_levels: Vec::new(),
    }
}

fn handlers_of(route: &Route) -> Vec<usize> {
    route.deliveries.iter().map(|d| d.handler).collect()
}

#[test]
fn effective_level_is_nearest_configured_ancestor() {
    let m = model(
        vec![
            logger("a", Level::WARNING, &[1], true),
            logger("a::b", Level::DEBUG, &[], true),
            logger("a::b::c", Level::NOTSET, &[0], false),
        ],
        logger("", Level::INFO, &[0], true),
        vec![
            handler("top", Level::NOTSET),
            handler("a_file", Level::NOTSET),
        ],
    );
    let r = Router::new(&m);
    let cases: &[(&str, Level, &[usize], Option<Level>)] = &[
        ("a", Level::WARNING, &[1, 0], Some(Level::WARNING)),
        ("a::b", Level::DEBUG, &[1, 0], Some(Level::DEBUG)),
        ("a.b", Level::DEBUG, &[1, 0], Some(Level::DEBUG)),
        ("a::b::c", Level::DEBUG, &[0], Some(Level::DEBUG)),
        ("a::b::c::d", Level::DEBUG, &[0], Some(Level::DEBUG)),
        ("a::bb", Level::WARNING, &[1, 0], Some(Level::WARNING)),
        ("z", Level::INFO, &[0], Some(Level::INFO)),
    ];
    for &(target, effective, handlers, threshold) in cases {
        let route = r.route(target);
        assert_eq!(route.effective, effective, "{target}");
        assert_eq!(handlers_of(&route), handlers, "{target}");
        assert_eq!(route.threshold, threshold, "{target}");
        assert!(!route.last_resort, "{target}");
    }
}

#[test]
fn root_defaults_and_notset_root() {
    let m = model(
        Vec::new(),
        logger("", Level::NOTSET, &[0], true),
        vec![handler("h", Level::NOTSET)],
    );
    let route = Router::new(&m).route("anything");
    assert_eq!(route.effective, Level::NOTSET);
    assert!(route.enabled(Level::TRACE));
}

#[test]
fn handler_levels_set_the_threshold() {
    let m = model(
        vec![logger("app", Level::DEBUG, &[0, 1], false)],
        logger("", Level::WARNING, &[], true),
        vec![
            handler("file", Level::INFO),
            handler("screen", Level::ERROR),
        ],
    );
    let route = Router::new(&m).route("app::db");
    assert_eq!(route.threshold, Some(Level::INFO));
    assert!(!route.enabled(Level::DEBUG));
}

#[test]
fn last_resort_only_when_no_handler_exists_in_the_chain() {
    let m = model(
        vec![
            logger("quiet", Level::DEBUG, &[], false),
            logger("picky", Level::DEBUG, &[0], false),
        ],
        logger("", Level::INFO, &[], true),
        vec![handler("errors_only", Level::ERROR)],
    );
    let r = Router::new(&m);
    let quiet = r.route("quiet");
    assert!(quiet.last_resort);
    assert_eq!(quiet.threshold, Some(Level::WARNING));
    let loud = r.route("loud");
    assert!(loud.last_resort);
    assert_eq!(loud.threshold, Some(Level::WARNING));
    // A handler that rejects the record's level still counts: no lastResort.
    let picky = r.route("picky");
    assert!(!picky.last_resort);
    assert_eq!(picky.threshold, Some(Level::ERROR));
}

#[test]
fn a_handler_on_two_loggers_in_the_chain_receives_twice() {
    let m = model(
        vec![logger("app", Level::NOTSET, &[0], true)],
        logger("", Level::DEBUG, &[0], true),
        vec![handler("h", Level::NOTSET)],
    );
    assert_eq!(handlers_of(&Router::new(&m).route("app::x")), vec![0, 0]);
}

#[test]
fn quiet_preset_applies_unless_the_config_names_the_target() {
    let m = model(
        vec![logger("aws_sdk_ec2", Level::DEBUG, &[], true)],
        logger("", Level::DEBUG, &[0], true),
        vec![handler("h", Level::NOTSET)],
    );
    let r = Router::new(&m);
    assert_eq!(
        r.route("aws_sdk_s3::client").threshold,
        Some(Level::WARNING)
    );
    assert_eq!(
        r.route("aws_smithy_runtime").threshold,
        Some(Level::WARNING)
    );
    assert_eq!(
        r.route("hyper_util::client").threshold,
        Some(Level::WARNING)
    );
    assert_eq!(r.route("aws_sdk_ec2::client").threshold, Some(Level::DEBUG));
    assert_eq!(r.route("awsome").threshold, Some(Level::DEBUG));
    assert_eq!(r.route("hyperx").threshold, Some(Level::DEBUG));

    let mut off = m;
    off.quiet_dependencies = false;
    assert_eq!(
        Router::new(&off).route("aws_sdk_s3").threshold,
        Some(Level::DEBUG)
    );
}

#[test]
fn config_globs_beat_the_preset_and_literals_beat_globs() {
    let m = model(
        vec![
            logger("aws_*", Level::DEBUG, &[], true),
            logger("aws_sdk_s3", Level::ERROR, &[], true),
        ],
        logger("", Level::INFO, &[0], true),
        vec![handler("h", Level::NOTSET)],
    );
    let r = Router::new(&m);
    assert_eq!(r.route("aws_sdk_ec2").effective, Level::DEBUG);
    assert_eq!(r.route("aws_sdk_s3::x").effective, Level::ERROR);
}

#[test]
fn filters_on_the_origin_and_on_handlers() {
    let mut m = model(
        vec![
            logger("a", Level::DEBUG, &[0], true),
            logger("a::b", Level::NOTSET, &[], true),
        ],
        logger("", Level::DEBUG, &[1], true),
        vec![
            handler("only_a_b", Level::NOTSET),
            handler("all", Level::NOTSET),
        ],
    );
    m.filters = vec![
        FilterSpec {
            name: "ab".into(),
            logger: "a.b".into(),
            check: None,
        },
        FilterSpec {
            name: "x".into(),
            logger: "x".into(),
            check: None,
        },
    ];
    m.handlers[0].filters = vec![0];
    // Logger filter on `a` applies only to records whose origin is `a`.
    m.loggers[0].filters = vec![1];
    let r = Router::new(&m);
    assert_eq!(
        r.route("a").threshold,
        None,
        "origin filter `x` rejects `a`"
    );
    assert_eq!(handlers_of(&r.route("a::b")), vec![0, 1]);
    assert_eq!(handlers_of(&r.route("a::c")), vec![1]);
    assert_eq!(handlers_of(&r.route("a::bc")), vec![1]);
}

#[test]
fn explain_names_the_chain() {
    let m = model(
        vec![logger("app", Level::INFO, &[0], false)],
        logger("", Level::WARNING, &[0], true),
        vec![handler("logfile", Level::DEBUG)],
    );
    let text = Router::new(&m).explain("app::db");
    assert!(text.contains("logger `app` (config): level INFO"), "{text}");
    assert!(
        text.contains("-> handler `logfile` (level DEBUG, formatter the default `%(message)s`)"),
        "{text}"
    );
    assert!(!text.contains("root:"), "{text}");
    let sdk = Router::new(&m).explain("aws_sdk_ec2");
    assert!(sdk.contains("quiet preset"), "{sdk}");
}

#[test]
fn a_handler_listed_twice_on_one_logger_is_attached_once() {
    let m = model(
        vec![logger("a", Level::NOTSET, &[0, 0], false)],
        logger("", Level::INFO, &[0, 0], true),
        vec![handler("h", Level::NOTSET)],
    );
    let r = Router::new(&m);
    assert_eq!(handlers_of(&r.route("a")), vec![0]);
    assert_eq!(handlers_of(&r.route("z")), vec![0]);
}

#[test]
fn lowest_output_is_the_most_verbose_threshold() {
    // The quiet preset's WARNING is not below the root's DEBUG.
    let m = model(
        Vec::new(),
        logger("", Level::DEBUG, &[0], true),
        vec![handler("h", Level::NOTSET)],
    );
    assert_eq!(Router::new(&m).lowest_output(), Level::DEBUG);
    // A verbose logger lowers it; a NOTSET one does not.
    let m = model(
        vec![
            logger("app", Level::TRACE, &[], true),
            logger("lib", Level::NOTSET, &[], true),
        ],
        logger("", Level::WARNING, &[0], true),
        vec![handler("h", Level::NOTSET)],
    );
    assert_eq!(Router::new(&m).lowest_output(), Level::TRACE);
    // Handler levels hold it up: DEBUG loggers, INFO handlers.
    let m = model(
        vec![logger("app", Level::DEBUG, &[1], true)],
        logger("", Level::DEBUG, &[0], true),
        vec![handler("a", Level::INFO), handler("b", Level::ERROR)],
    );
    assert_eq!(Router::new(&m).lowest_output(), Level::INFO);
    // A NOTSET root lets everything through.
    let m = model(
        Vec::new(),
        logger("", Level::NOTSET, &[0], true),
        vec![handler("h", Level::NOTSET)],
    );
    assert_eq!(Router::new(&m).lowest_output(), Level::NOTSET);
    // `RUST_LOG` levels count.
    let mut m = model(
        Vec::new(),
        logger("", Level::WARNING, &[0], true),
        vec![handler("h", Level::NOTSET)],
    );
    m.env_levels = crate::env_levels::parse("app::db=trace", "RUST_LOG").expect("valid");
    assert_eq!(Router::new(&m).lowest_output(), Level::TRACE);
    // `off` leaves the quiet preset's WARNING (those loggers have their
    // own level); without the preset nothing is written.
    m.env_levels = crate::env_levels::parse("off", "RUST_LOG").expect("valid");
    assert_eq!(Router::new(&m).lowest_output(), Level::WARNING);
    m.quiet_dependencies = false;
    assert_eq!(Router::new(&m).lowest_output(), crate::env_levels::OFF);
}

mod lowest_output_bounds {
    use super::*;
    use proptest::prelude::*;

    const NAMES: &[&str] = &["a", "a::b", "a::b::c", "b", "a_*", "aws_sdk_ec2", "x::*"];
    const TARGETS: &[&str] = &[
        "",
        "a",
        "a::b",
        "a::b::c",
        "a::b::c::d",
        "a::bb",
        "a_z",
        "b::q",
        "aws_sdk_ec2::client",
        "aws_sdk_s3",
        "hyper",
        "x::y::z",
        "zzz",
    ];
    const LEVELS: &[Level] = &[
        Level::NOTSET,
        Level::TRACE,
        Level::DEBUG,
        Level::from_number(15),
        Level::INFO,
        Level::WARNING,
        Level::ERROR,
        Level::CRITICAL,
    ];

    fn level() -> impl Strategy<Value = Level> {
        prop::sample::select(LEVELS)
    }

    fn spec() -> impl Strategy<Value = (usize, Level, Vec<usize>, bool)> {
        (
            0..NAMES.len(),
            level(),
            prop::collection::vec(0..3usize, 0..3),
            any::<bool>(),
        )
    }

    proptest! {
        /// No target's threshold is below `lowest_output`.
        #[test]
        fn no_route_is_below_it(
            loggers in prop::collection::vec(spec(), 0..5),
            root in (level(), prop::collection::vec(0..3usize, 0..3)),
            handler_levels in prop::collection::vec(level(), 3),
            quiet in any::<bool>(),
            rust_log in prop::sample::select(vec!["", "a::b=trace", "warn", "off,b=debug", "zzz=error"]),
        ) {
            let mut seen = Vec::new();
            let loggers: Vec<LoggerSpec> = loggers
                .into_iter()
                .filter(|(n, ..)| {
                    let fresh = !seen.contains(n);
                    seen.push(*n);
                    fresh
                })
                .map(|(n, level, handlers, propagate)| logger(NAMES[n], level, &handlers, propagate))
                .collect();
            let handlers = handler_levels
                .iter()
                .enumerate()
                .map(|(i, &l)| handler(&format!("h{i}"), l))
                .collect();
            let mut m = model(loggers, logger("", root.0, &root.1, true), handlers);
            m.quiet_dependencies = quiet;
            m.env_levels = crate::env_levels::parse(rust_log, "RUST_LOG").expect("valid");
            let r = Router::new(&m);
            let bound = r.lowest_output();
            for target in TARGETS {
                if let Some(threshold) = r.route(target).threshold {
                    prop_assert!(threshold >= bound, "{target}: {threshold:?} < {bound:?}");
                }
            }
        }
    }
}
