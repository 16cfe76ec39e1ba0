//! Plain text for a terminal: lines as they are, tables drawn with comfy-table to the width
//! given. This is the `table` format. Control characters in any text (a bidder's name, a
//! title) are escaped as `\u{1b}`, so nothing read from a file reaches the terminal raw; a
//! line feed is kept only inside a table cell, whose lines the table draws.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Cell, CellAlignment, ContentArrangement};

use crate::diag::{Keep, escape_controls, escape_line};
use crate::report::doc::{Align, Block, Doc, Table};

/// Render `doc` with tables wrapped to `width` columns.
pub(crate) fn render(doc: &Doc, width: u16) -> String {
    let mut o = String::new();
    for block in &doc.blocks {
        match block {
            Block::Title(s) | Block::Heading(s) | Block::Text(s) => line(&mut o, 0, s),
            Block::Item { indent, text } => line(&mut o, *indent, text),
            Block::Command { indent, text } => line(&mut o, *indent, &format!("$ {text}")),
            Block::Table(t) if t.shown() => {
                o.push_str(&table(t, width).to_string());
                o.push('\n');
            }
            Block::Table(_) => {}
            Block::Blank => o.push('\n'),
        }
    }
    o
}

fn line(o: &mut String, indent: usize, s: &str) {
    o.extend(std::iter::repeat_n(' ', indent));
    o.push_str(&escape_line(s));
    o.push('\n');
}

fn cell(text: &str, align: Align) -> Cell {
    let c = Cell::new(escape_controls(text, Keep::LineFeeds));
    match align {
        Align::Right => c.set_alignment(CellAlignment::Right),
        Align::Left => c,
    }
}

fn table(t: &Table, width: u16) -> comfy_table::Table {
    let mut out = comfy_table::Table::new();
    out.load_style(UTF8_FULL_CONDENSED).force_no_tty().set_content_arrangement(ContentArrangement::Dynamic).set_width(width);
    let shown: Vec<usize> = t.columns.iter().enumerate().filter(|(_, c)| c.shown).map(|(i, _)| i).collect();
    out.set_header(shown.iter().filter_map(|&i| t.columns.get(i)).map(|c| cell(&c.header, c.align)).collect::<Vec<_>>());
    for row in &t.rows {
        out.add_row(shown.iter().filter_map(|&i| Some(cell(&row.get(i)?.text, t.columns.get(i)?.align))).collect::<Vec<_>>());
    }
    out
}
