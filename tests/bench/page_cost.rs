//! Where one 1000-entry ListObjectVersions page spends its time: rendering in the
//! emulator versus parsing in the client. Run: `cargo bench --bench page_cost`.

use std::time::Instant;

use ossweep::emulator::seed::{self, Seed};
use ossweep::oss::parse;

fn main() {
    let text = "[[bucket]]\nname = \"page-cost\"\nversioning = \"Enabled\"\npattern = [{ prefix = \"data/2025/obj-\", suffix = \".bin\", count = 500, versions = 2 }]\n";
    let mut store = seed::build(&Seed::Inline(text.into()), "cn-hangzhou").unwrap();
    let faults = ossweep::emulator::Faults::new(std::time::Duration::ZERO, 0.0, 1);
    let req = ossweep::oss::request::list_object_versions("page-cost", None, None, None, 1000);
    let r = ossweep::emulator::ops::Request {
        method: "GET".into(),
        host: "127.0.0.1".into(),
        bucket: req.bucket.clone(),
        key: None,
        query: req.query.clone(),
        headers: vec![],
        body: vec![],
        region: None,
        vectors: None,
    };
    let rounds = 200;
    let t = Instant::now();
    let mut body = Vec::new();
    for _ in 0..rounds {
        let mut ctx = ossweep::emulator::ops::Ctx {
            store: &mut store,
            faults: &faults,
            now: 0,
            now_ms: 0,
            access_point_delay_ms: 0,
            default_region: "cn-hangzhou",
            list_v1_only: false,
        };
        body = ossweep::emulator::ops::handle(&mut ctx, &r).unwrap().body;
    }
    let render = t.elapsed().as_secs_f64() / rounds as f64;
    let text = String::from_utf8(body).unwrap();
    let t = Instant::now();
    for _ in 0..rounds {
        assert_eq!(
            parse::list_object_versions(&text).unwrap().entries.len(),
            1000
        );
    }
    let parse_t = t.elapsed().as_secs_f64() / rounds as f64;
    println!(
        "1000-entry ListObjectVersions page ({} KiB): render {:.2} ms, parse {:.2} ms",
        text.len() / 1024,
        render * 1e3,
        parse_t * 1e3
    );
}
