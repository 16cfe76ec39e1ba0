//! CSV for spreadsheets and programs: the document's tables only (prose is derived from
//! them), each cell's plain value. Every row starts with its table's name, so one file holds
//! every table and a reader filters by the first column; tables of the same name and
//! columns that follow each other are one table (a criteria table per bid becomes one).
//! Tables are separated by an empty line.

use crate::report::doc::{Block, Doc};

/// Render `doc`'s tables as CSV.
pub(crate) fn render(doc: &Doc) -> String {
    let mut blocks: Vec<csv::Writer<Vec<u8>>> = Vec::new();
    let mut previous: Option<(&str, Vec<&str>)> = None;
    for block in &doc.blocks {
        let Block::Table(t) = block else { continue };
        let keys: Vec<&str> = t.columns.iter().map(|c| c.key.as_str()).collect();
        let continues = previous.as_ref().is_some_and(|(name, k)| *name == t.name && *k == keys);
        if !continues || blocks.is_empty() {
            let mut w = csv::WriterBuilder::new().flexible(true).terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
            let mut header = vec!["table"];
            header.extend(&keys);
            let _ = w.write_record(&header);
            blocks.push(w);
        }
        if let Some(w) = blocks.last_mut() {
            for row in &t.rows {
                let mut record = vec![t.name.as_str()];
                record.extend(row.iter().map(|c| c.data()));
                let _ = w.write_record(&record);
            }
        }
        previous = Some((t.name.as_str(), keys));
    }
    let texts: Vec<String> =
        blocks.into_iter().map(|w| String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()).collect();
    texts.join("\n")
}
