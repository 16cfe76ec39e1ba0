//! The 2025 GPU award as it really happened, beside the model: the negotiation record checked
//! against the ranking, the reported outcome compared with the award, and the same tender
//! with the record set aside (the rank-order fill of the proposals).
//!
//! Uses only the library API. Run with `cargo run --example negotiated_award`.
#![allow(clippy::print_stdout, reason = "an example prints its result")]

use std::process::ExitCode;

use bidscore::{Awarded, Outcome, evaluate, load_paths};

fn award(a: Awarded) -> String {
    match a {
        Awarded::No => String::from("—"),
        Awarded::Yes => String::from("yes"),
        Awarded::Quantity(q) => q.to_string(),
    }
}

fn show(title: &str, outcome: &Outcome) {
    println!("{title}");
    for s in &outcome.standings {
        let rank = s.rank.map_or_else(|| String::from("-"), |r| r.to_string());
        println!("  {rank:>2}  {:<12} {:<9} {:>6}", s.bidder, s.status.as_str(), award(s.award));
    }
    if let Some(r) = &outcome.reported {
        println!("  reproduces the reported decision: {}", r.reproduces);
        for row in r.rows.iter().filter(|x| !(x.same_status && x.same_quantity)) {
            let gap = row.difference().map_or_else(|| String::from("status"), |d| format!("{d:+}"));
            println!(
                "    {:<12} modelled {} {}, reported {} {} ({gap})",
                row.bidder,
                row.status.as_str(),
                award(row.award),
                row.reported.as_str(),
                row.quantity.map_or_else(|| String::from("—"), |q| q.to_string())
            );
        }
    }
    println!();
}

fn main() -> ExitCode {
    let inputs = match load_paths("criteria/msit-2025-gpu.toml", &["bids/msit-2025"]) {
        Ok(i) => i,
        Err(d) => {
            println!("{}", d.render_human(false));
            return ExitCode::FAILURE;
        }
    };
    let outcome = evaluate(&inputs);
    show("With the negotiation record (the award is the record's, checked against the ranking):", &outcome);
    if let Some(check) = &outcome.negotiation {
        println!("  departures from the rules: {}", check.departures.len());
        for d in &check.departures {
            println!("    {} [{}]", d.message(), d.code());
        }
        for row in check.rows.iter().filter(|r| r.above_offer.is_some()) {
            println!("  {} agreed {} against an offer of {}", row.bidder, row.quantity.unwrap_or(0), row.above_offer.unwrap_or(0));
        }
        println!();
    }
    // The same files with the record set aside: what a rank-order fill of the proposals gives.
    let Some(aside) = inputs.without_negotiation() else {
        println!("bids/msit-2025 has no negotiation record");
        return ExitCode::FAILURE;
    };
    show("With the record set aside (a rank-order fill of the proposed quantities):", &evaluate(&aside));
    ExitCode::SUCCESS
}
