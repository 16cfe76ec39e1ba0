//! What a report says, before any format: a document of lines, lists and tables. Views build
//! one per subject; each writer in `format/` renders any document. Cells carry the text a
//! person reads and, where it differs, the plain value a program reads (`8,000` and `8000`).

/// A report's content.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Doc {
    /// The blocks, in order.
    pub blocks: Vec<Block>,
}

/// One block of a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    /// The report's first line.
    Title(String),
    /// A section's first line.
    Heading(String),
    /// A line of prose.
    Text(String),
    /// A line of a list, indented by `indent` spaces in plain text.
    Item {
        /// Spaces before it in plain text.
        indent: usize,
        /// The line.
        text: String,
    },
    /// A shell command, shown after `$ `.
    Command {
        /// Spaces before it in plain text.
        indent: usize,
        /// The command line.
        text: String,
    },
    /// A table.
    Table(Table),
    /// An empty line between parts.
    Blank,
}

/// A table: named for programs (the CSV's first column), with columns that people see,
/// programs see, or both.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    /// A stable name, such as `ranking` or `criteria`.
    pub name: String,
    /// The columns.
    pub columns: Vec<Column>,
    /// The rows, one cell per column.
    pub rows: Vec<Vec<Cell>>,
}

/// A column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    /// The header people read (may span lines).
    pub header: String,
    /// The header programs read: one line, stable.
    pub key: String,
    /// Where the text sits.
    pub align: Align,
    /// Whether people see the column (`false`: data only, in CSV).
    pub shown: bool,
}

/// Horizontal alignment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    /// Text.
    Left,
    /// Numbers.
    Right,
}

/// One cell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cell {
    /// What a person reads.
    pub text: String,
    /// What a program reads, when it differs from `text`.
    pub data: Option<String>,
}

impl Cell {
    /// A cell that reads the same for people and programs.
    pub fn text(s: impl Into<String>) -> Cell {
        Cell { text: s.into(), data: None }
    }

    /// A cell with a plain value for programs.
    pub fn with_data(text: impl Into<String>, data: impl Into<String>) -> Cell {
        Cell { text: text.into(), data: Some(data.into()) }
    }

    /// No value: a dash for people, empty for programs.
    pub fn none() -> Cell {
        Cell::with_data("—", "")
    }

    /// A whole number, grouped for people (`13,136`), plain for programs.
    pub fn count(n: u64) -> Cell {
        Cell::with_data(group(n), n.to_string())
    }

    /// What a program reads.
    pub fn data(&self) -> &str {
        self.data.as_deref().unwrap_or(&self.text)
    }
}

impl Column {
    /// A column people and programs see, with one header for both.
    pub fn new(header: impl Into<String>, align: Align) -> Column {
        let header = header.into();
        Column { key: header.to_lowercase(), header, align, shown: true }
    }

    /// A column with a different header for programs.
    pub fn keyed(header: impl Into<String>, key: impl Into<String>, align: Align) -> Column {
        Column { header: header.into(), key: key.into(), align, shown: true }
    }

    /// A column only programs see.
    pub fn data(key: impl Into<String>) -> Column {
        let key = key.into();
        Column { header: key.clone(), key, align: Align::Left, shown: false }
    }
}

impl Table {
    /// An empty table.
    pub fn new(name: impl Into<String>, columns: Vec<Column>) -> Table {
        Table { name: name.into(), columns, rows: Vec::new() }
    }

    /// Whether people see any of it.
    pub fn shown(&self) -> bool {
        self.columns.iter().any(|c| c.shown)
    }
}

impl Doc {
    /// An empty document.
    pub fn new() -> Doc {
        Doc::default()
    }

    /// Add a block.
    pub fn push(&mut self, block: Block) {
        self.blocks.push(block);
    }

    /// Add a line of prose.
    pub fn text(&mut self, s: impl Into<String>) {
        self.blocks.push(Block::Text(s.into()));
    }

    /// Add a list line.
    pub fn item(&mut self, indent: usize, s: impl Into<String>) {
        self.blocks.push(Block::Item { indent, text: s.into() });
    }

    /// Add an empty line.
    pub fn blank(&mut self) {
        self.blocks.push(Block::Blank);
    }

    /// Add a table.
    pub fn table(&mut self, t: Table) {
        self.blocks.push(Block::Table(t));
    }
}

/// 13136 → "13,136".
pub(crate) fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && s.len().saturating_sub(i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
