//! Markdown (CommonMark with GitHub tables), for issue trackers, wikis and documents.
//! Control characters in any text are escaped as `\u{1b}` before the Markdown escaping (so
//! the backslash shows), and a line feed is kept only in a table cell, as `<br>`.

use std::fmt::Write as _;

use crate::diag::{Keep, escape_controls, escape_line};
use crate::report::doc::{Align, Block, Doc, Table};

/// Render `doc` as Markdown.
pub(crate) fn render(doc: &Doc) -> String {
    let mut o = String::new();
    let mut in_list = false;
    // Data-only tables are for CSV; they take no place here.
    for block in doc.blocks.iter().filter(|b| !matches!(b, Block::Table(t) if !t.shown())) {
        let item = matches!(block, Block::Item { .. });
        if in_list && !item {
            o.push('\n');
        }
        in_list = item;
        match block {
            Block::Title(s) => {
                let _ = writeln!(o, "# {}\n", escape(s));
            }
            Block::Heading(s) => {
                let _ = writeln!(o, "## {}\n", escape(s));
            }
            Block::Text(s) => {
                let _ = writeln!(o, "{}\n", escape(s));
            }
            Block::Item { indent, text } => {
                // Two levels: top-level items, and items under a numbered line.
                let nest = if *indent >= 3 { "  " } else { "" };
                let _ = writeln!(o, "{nest}- {}", escape(text));
            }
            Block::Command { text, .. } => {
                let _ = writeln!(o, "```sh\n$ {}\n```\n", escape_line(text));
            }
            Block::Table(t) if t.shown() => table(&mut o, t),
            Block::Table(_) | Block::Blank => {}
        }
    }
    if in_list {
        o.push('\n');
    }
    // One trailing newline, however the last block ended.
    while o.ends_with("\n\n") {
        o.pop();
    }
    o
}

/// One line of text as Markdown: control characters escaped (a line feed too), then
/// [`markup`].
fn escape(s: &str) -> String {
    markup(&escape_line(s))
}

/// Text as Markdown: backticks stay code spans; what would turn into markup does not (`<`,
/// `*`, `\\`, and `_` where it could open or close emphasis: not inside a word).
fn markup(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut code = false;
    for (i, &c) in chars.iter().enumerate() {
        let word = |j: Option<usize>| j.and_then(|j| chars.get(j)).is_some_and(|x| x.is_alphanumeric());
        match c {
            '`' => {
                code = !code;
                out.push(c);
            }
            '<' if !code => out.push_str("&lt;"),
            '_' if !code && word(i.checked_sub(1)) && word(i.checked_add(1)) => out.push(c),
            '*' | '_' | '\\' if !code => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

fn cell(s: &str) -> String {
    markup(&escape_controls(s, Keep::LineFeeds)).replace('|', "\\|").replace('\n', "<br>")
}

fn table(o: &mut String, t: &Table) {
    let shown: Vec<usize> = t.columns.iter().enumerate().filter(|(_, c)| c.shown).map(|(i, _)| i).collect();
    let header: Vec<String> = shown.iter().filter_map(|&i| t.columns.get(i)).map(|c| cell(&c.header)).collect();
    let rule: Vec<&str> =
        shown.iter().filter_map(|&i| t.columns.get(i)).map(|c| if c.align == Align::Right { "---:" } else { "---" }).collect();
    let _ = writeln!(o, "| {} |", header.join(" | "));
    let _ = writeln!(o, "| {} |", rule.join(" | "));
    for row in &t.rows {
        let cells: Vec<String> = shown.iter().map(|&i| row.get(i).map(|c| cell(&c.text)).unwrap_or_default()).collect();
        let _ = writeln!(o, "| {} |", cells.join(" | "));
    }
    o.push('\n');
}
