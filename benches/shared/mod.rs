//! What both benchmarks build tenders from.

/// One rule of every kind (the linear one twice, both directions), as criteria use them.
pub(crate) const RULES: [(&str, &str); 10] = [
    ("linear", "{ kind = \"linear\", zero_at = 0, full_at = 100 }"),
    ("steps", "{ kind = \"steps\", steps = [{ at_least = 10, score = 0.5 }, { at_least = 50, score = 1 }] }"),
    ("choice", "{ kind = \"choice\", scores = { owned = 1, affiliate = 0.9, leased = 0.3 } }"),
    ("flag", "{ kind = \"flag\" }"),
    ("date", "{ kind = \"date\", full_by = 2025-12-31, zero_from = 2026-07-01 }"),
    ("relative", "{ kind = \"relative\", better = \"higher\" }"),
    ("lower", "{ kind = \"relative\", better = \"lower\" }"),
    ("price", "{ kind = \"kr-price\", estimated = 1000000 }"),
    ("linear", "{ kind = \"linear\", zero_at = 100, full_at = 10 }"),
    ("panel", "{ kind = \"panel\", scale = 10 }"),
];
