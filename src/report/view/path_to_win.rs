//! `bidscore path-to-win`: the smallest changes that make a bid selected, each with the
//! `bidscore whatif` command that demonstrates it.

use serde::Serialize;

use super::json_text;
use crate::analysis::{PathToWin, WinPath};
use crate::report::doc::{Block, Cell, Column, Doc, Table};
use crate::report::{View, prose};

/// A path-to-win answer as a report. `arguments` are the criteria and bid arguments as the
/// user gave them, for the `whatif` commands it shows.
#[derive(Clone, Copy, Debug)]
pub struct PathToWinReport<'a> {
    /// The answer.
    pub result: &'a PathToWin,
    /// The criteria and bid arguments, as given.
    pub arguments: &'a [String],
}

/// Quote a word for a POSIX shell when it needs it.
pub(super) fn shell(word: &str) -> String {
    if !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:,@%+".contains(c)) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// The `bidscore whatif` command for a path. `arguments` are the criteria and bid arguments
/// as the user gave them.
pub fn whatif_command(arguments: &[String], bidder: &str, path: &WinPath) -> String {
    let mut words = vec![String::from("bidscore"), String::from("whatif")];
    words.extend(arguments.iter().map(|w| shell(w)));
    words.push(String::from("--bid"));
    words.push(shell(bidder));
    for c in &path.changes {
        words.push(String::from("--set"));
        words.push(shell(&format!("{}={}", c.field, c.to)));
    }
    words.join(" ")
}

impl View for PathToWinReport<'_> {
    fn doc(&self) -> Doc {
        let p = self.result;
        let mut d = Doc::new();
        let mut paths =
            Table::new("paths", vec![Column::data("path"), Column::data("rank"), Column::data("total"), Column::data("command")]);
        let mut changes =
            Table::new("changes", vec![Column::data("path"), Column::data("field"), Column::data("from"), Column::data("to")]);
        match &p.reason {
            Some(r) if p.paths.is_empty() => {
                d.text(format!("No path to win for `{}` within {} changes: {}.", p.bidder, p.max_changes, prose::no_path(&p.bidder, r)));
            }
            _ => {
                let n = p.paths.first().map_or(0, |x| x.changes.len());
                d.text(format!(
                    "`{}` is selected with {} change{} (the smallest number; {} shown, least change first, each verified by re-scoring):",
                    p.bidder,
                    n,
                    if n == 1 { "" } else { "s" },
                    p.paths.len()
                ));
                d.blank();
                for (i, path) in p.paths.iter().enumerate() {
                    let rank = path.rank.map_or_else(|| String::from("—"), |r| r.to_string());
                    d.text(format!("{}. then rank {rank}, {} points", i.saturating_add(1), path.total));
                    for c in &path.changes {
                        d.item(3, format!("{}: {} → {}", c.field, c.from.as_deref().unwrap_or("(absent)"), c.to));
                        changes.rows.push(vec![
                            Cell::text(i.saturating_add(1).to_string()),
                            Cell::text(&c.field),
                            Cell::text(c.from.clone().unwrap_or_default()),
                            Cell::text(&c.to),
                        ]);
                    }
                    let command = whatif_command(self.arguments, &p.bidder, path);
                    d.push(Block::Command { indent: 3, text: command.clone() });
                    d.blank();
                    paths.rows.push(vec![
                        Cell::text(i.saturating_add(1).to_string()),
                        Cell::text(path.rank.map(|r| r.to_string()).unwrap_or_default()),
                        Cell::text(path.total.to_string()),
                        Cell::text(command),
                    ]);
                }
            }
        }
        d.table(paths);
        d.table(changes);
        let n: usize = p.candidates.iter().map(|c| c.values.len()).sum();
        if p.truncated && !p.paths.is_empty() {
            d.text("The search stopped at its limit: cheaper paths of the same size may exist.");
        }
        d.text(format!(
            "Searched {} combinations of {n} candidate values (rule and gate breakpoints) over {} fields.",
            p.evaluated,
            p.candidates.iter().filter(|c| !c.values.is_empty()).count()
        ));
        d
    }

    fn json(&self) -> String {
        let p = self.result;
        let reason = if p.paths.is_empty() { p.reason.as_ref().map(|r| prose::no_path(&p.bidder, r)) } else { None };
        json_text(&Json {
            bid: &p.bidder,
            max_changes: p.max_changes,
            paths: p
                .paths
                .iter()
                .map(|path| PathJson {
                    changes: path.changes.iter().map(|c| ChangeJson { field: &c.field, from: c.from.as_deref(), to: &c.to }).collect(),
                    rank: path.rank,
                    total: path.total.to_string(),
                    command: whatif_command(self.arguments, &p.bidder, path),
                })
                .collect(),
            reason,
            evaluated: p.evaluated,
            truncated: p.truncated,
        })
    }
}

#[derive(Serialize)]
struct Json<'a> {
    bid: &'a str,
    max_changes: usize,
    paths: Vec<PathJson<'a>>,
    reason: Option<String>,
    evaluated: usize,
    truncated: bool,
}

#[derive(Serialize)]
struct PathJson<'a> {
    changes: Vec<ChangeJson<'a>>,
    rank: Option<u32>,
    total: String,
    command: String,
}

#[derive(Serialize)]
struct ChangeJson<'a> {
    field: &'a str,
    from: Option<&'a str>,
    to: &'a str,
}
