//! How Coupang's 2025 GPU bid compares, criterion by criterion, with each selected bid.
//!
//! Uses only the library API: load, evaluate, read the outcome. Run with
//! `cargo run --example coupang_vs_winners`.
#![allow(clippy::print_stdout, reason = "an example prints its result")]
#![allow(clippy::arithmetic_side_effects, reason = "differences of points, which are at most max_points")]

use std::process::ExitCode;

use bidscore::{BidStatus, evaluate, load_paths};

fn main() -> ExitCode {
    let inputs = match load_paths("criteria/msit-2025-gpu.toml", &["bids/msit-2025"]) {
        Ok(i) => i,
        Err(d) => {
            println!("{}", d.render_human(false));
            return ExitCode::FAILURE;
        }
    };
    let outcome = evaluate(&inputs);
    let Some(coupang) = outcome.standing("coupang") else {
        println!("no bid `coupang` in bids/msit-2025");
        return ExitCode::FAILURE;
    };
    let rank = coupang.rank.map_or_else(|| String::from("unranked"), |r| format!("rank {r}"));
    println!("Coupang: {} points, {rank}, {}\n", coupang.total, coupang.status.as_str());

    // Compare with every selected bid, and with the lowest-ranked bid above Coupang.
    let mut rivals: Vec<&bidscore::Standing> = outcome.standings.iter().filter(|s| s.status == BidStatus::Selected).collect();
    if let Some(next) = outcome.standings.iter().rfind(|s| s.rank.is_some() && s.rank < coupang.rank && s.status != BidStatus::Selected) {
        rivals.push(next);
    }
    for rival in rivals {
        let gap = rival.total.decimal() - coupang.total.decimal();
        println!("vs {} ({}, rank {}): {} points behind", rival.name, rival.status.as_str(), rival.rank.unwrap_or(0), gap);
        println!("  {:<24} {:>9} {:>9} {:>9}", "criterion", "coupang", &rival.bidder, "gap");
        let mut rows: Vec<(String, rust_decimal::Decimal, rust_decimal::Decimal)> = outcome
            .criteria
            .iter()
            .zip(coupang.points.iter().zip(&rival.points))
            .map(|(id, (mine, theirs))| (id.clone(), mine.decimal(), theirs.decimal()))
            .collect();
        // Largest loss first.
        rows.sort_by(|a, b| (b.2 - b.1).cmp(&(a.2 - a.1)).then(a.0.cmp(&b.0)));
        for (id, mine, theirs) in rows {
            let assumed = inputs.tender.criterion(&id).and_then(|c| c.field.as_ref()).is_some_and(|f| {
                let f = f.to_string();
                coupang.assumed.iter().chain(&rival.assumed).any(|a| *a == f)
            });
            println!("  {:<24} {:>9} {:>9} {:>+9}{}", id, mine, theirs, mine - theirs, if assumed { "  (assumed input)" } else { "" });
        }
        println!();
    }
    ExitCode::SUCCESS
}
