//! `bidscore path-to-win`: the smallest changes that make a bid selected, each with the
//! `bidscore whatif` command that demonstrates it.

use std::fmt::Write as _;

use serde::Serialize;

use crate::analysis::{PathToWin, WinPath};

/// Quote a word for a POSIX shell when it needs it.
fn shell(word: &str) -> String {
    if !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:,@%+".contains(c)) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// The `bidscore whatif` command for a path. `inputs` are the criteria and bid arguments
/// as the user gave them.
pub fn whatif_command(inputs: &[String], bidder: &str, path: &WinPath) -> String {
    let mut words = vec![String::from("bidscore"), String::from("whatif")];
    words.extend(inputs.iter().map(|w| shell(w)));
    words.push(String::from("--bid"));
    words.push(shell(bidder));
    for c in &path.changes {
        words.push(String::from("--set"));
        words.push(shell(&format!("{}={}", c.field, c.to)));
    }
    words.join(" ")
}

/// The paths for people.
pub fn path_to_win_table(p: &PathToWin, inputs: &[String]) -> String {
    let mut o = String::new();
    match &p.reason {
        Some(r) if p.paths.is_empty() => {
            let _ = writeln!(o, "No path to win for `{}` within {} changes: {r}.", p.bidder, p.max_changes);
        }
        _ => {
            let n = p.paths.first().map_or(0, |x| x.changes.len());
            let _ = writeln!(
                o,
                "`{}` is selected with {} change{} (the smallest number; {} shown, least change first, each verified by re-scoring):\n",
                p.bidder,
                n,
                if n == 1 { "" } else { "s" },
                p.paths.len()
            );
            for (i, path) in p.paths.iter().enumerate() {
                let _ = writeln!(
                    o,
                    "{}. then rank {}, {} points",
                    i + 1,
                    path.rank.map_or_else(|| String::from("—"), |r| r.to_string()),
                    path.total
                );
                for c in &path.changes {
                    let _ = writeln!(o, "   {}: {} → {}", c.field, c.from.as_deref().unwrap_or("(absent)"), c.to);
                }
                let _ = writeln!(o, "   $ {}\n", whatif_command(inputs, &p.bidder, path));
            }
        }
    }
    let n: usize = p.candidates.iter().map(|c| c.values.len()).sum();
    if p.truncated && !p.paths.is_empty() {
        o.push_str("The search stopped at its limit: cheaper paths of the same size may exist.\n");
    }
    let _ = writeln!(
        o,
        "Searched {} combinations of {n} candidate values (rule and gate breakpoints) over {} fields.",
        p.evaluated,
        p.candidates.iter().filter(|c| !c.values.is_empty()).count()
    );
    o
}

#[derive(Serialize)]
struct Json<'a> {
    bid: &'a str,
    max_changes: usize,
    paths: Vec<PathJson<'a>>,
    reason: Option<&'a str>,
    evaluated: usize,
    truncated: bool,
}

#[derive(Serialize)]
struct PathJson<'a> {
    changes: Vec<ChangeJson<'a>>,
    rank: Option<u32>,
    total: &'a str,
    command: String,
}

#[derive(Serialize)]
struct ChangeJson<'a> {
    field: &'a str,
    from: Option<&'a str>,
    to: &'a str,
}

/// The paths as pretty JSON, ending in a newline.
pub fn path_to_win_json(p: &PathToWin, inputs: &[String]) -> String {
    let j = Json {
        bid: &p.bidder,
        max_changes: p.max_changes,
        paths: p
            .paths
            .iter()
            .map(|path| PathJson {
                changes: path.changes.iter().map(|c| ChangeJson { field: &c.field, from: c.from.as_deref(), to: &c.to }).collect(),
                rank: path.rank,
                total: &path.total,
                command: whatif_command(inputs, &p.bidder, path),
            })
            .collect(),
        reason: if p.paths.is_empty() { p.reason.as_deref() } else { None },
        evaluated: p.evaluated,
        truncated: p.truncated,
    };
    let mut s = serde_json::to_string_pretty(&j).unwrap_or_default();
    s.push('\n');
    s
}
