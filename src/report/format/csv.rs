//! CSV for spreadsheets and programs: the document's tables only (prose is derived from
//! them), each cell's plain value. Every row starts with its table's name, so one file holds
//! every table and a reader filters by the first column; tables with the same name and
//! columns are one table wherever they appear (a criteria table per bid becomes one table
//! with a `bidder` column), in the order they first appear. Tables are separated by an empty
//! line; a table with no rows is left out.

use crate::report::doc::{Block, Doc, Table};

/// Render `doc`'s tables as CSV.
pub(crate) fn render(doc: &Doc) -> String {
    // (name, keys, tables) in order of first appearance.
    let mut groups: Vec<(&str, Vec<&str>, Vec<&Table>)> = Vec::new();
    for block in &doc.blocks {
        let Block::Table(t) = block else { continue };
        let keys: Vec<&str> = t.columns.iter().map(|c| &*c.key).collect();
        match groups.iter_mut().find(|(name, k, _)| *name == t.name && *k == keys) {
            Some((_, _, tables)) => tables.push(t),
            None => groups.push((t.name.as_str(), keys, vec![t])),
        }
    }
    let mut texts = Vec::new();
    for (name, keys, tables) in groups {
        if tables.iter().all(|t| t.rows.is_empty()) {
            continue;
        }
        let mut w = csv::WriterBuilder::new().flexible(true).terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
        let mut header = vec!["table"];
        header.extend(&keys);
        let _ = w.write_record(&header);
        for row in tables.iter().flat_map(|t| &t.rows) {
            let mut record = vec![name];
            record.extend(row.iter().map(|c| c.data()));
            let _ = w.write_record(&record);
        }
        texts.push(String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default());
    }
    texts.join("\n")
}
