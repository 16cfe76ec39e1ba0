//! Per rule kind: exact values and rounding boundaries. Each case is one criterion worth
//! `points`, scored under all three rounding modes.

use bidscore::evaluate;

use crate::load_ok;

/// Points of each bid (in bid order) on a one-criterion tender.
fn points(rule: &str, points: &str, places: u32, mode: &str, values: &[&str]) -> Vec<String> {
    points_with(rule, points, places, mode, values, None)
}

fn points_with(rule: &str, points: &str, places: u32, mode: &str, values: &[&str], panel: Option<&[&str]>) -> Vec<String> {
    let is_panel = rule.contains("\"panel\"");
    let field = if is_panel { String::new() } else { String::from("field = \"x\"\n") };
    let criteria = format!(
        "[tender]\nid = \"t\"\ntitle = \"T\"\n[evaluation]\nmax_points = {points}\nrounding = {{ places = {places}, mode = \"{mode}\" }}\n[award]\nwinners = \"all\"\n[[section]]\nid = \"s\"\ntitle = \"S\"\n[[criterion]]\nid = \"c\"\nsection = \"s\"\ntitle = \"C\"\npoints = {points}\n{field}rule = {rule}\n"
    );
    let mut others: Vec<String> =
        values.iter().enumerate().map(|(i, v)| format!("x = {v}\n[bidder]\nid = \"b{i}\"\nname = \"B{i}\"\n")).collect();
    if let Some(marks) = panel {
        let lines: Vec<String> = marks.iter().enumerate().map(|(i, m)| format!("b{i} = {m}")).collect();
        others.push(format!("[panel]\n[panel.marks.c]\n{}\n", lines.join("\n")));
    }
    let inputs = load_ok(&criteria, &others);
    let o = evaluate(&inputs);
    (0..values.len()).map(|i| o.points(&format!("b{i}"), "c").unwrap().to_string()).collect()
}

fn modes(rule: &str, pts: &str, places: u32, values: &[&str]) -> [Vec<String>; 3] {
    [
        points(rule, pts, places, "half-up", values),
        points(rule, pts, places, "half-even", values),
        points(rule, pts, places, "down", values),
    ]
}

fn v(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn linear_three_times_five_sixths_rounds_on_the_exact_half() {
    let [up, even, down] = modes("{ kind = \"linear\", zero_at = 0, full_at = 6 }", "3", 0, &["5"]);
    assert_eq!((up, even, down), (v(&["3"]), v(&["2"]), v(&["2"])));
}

#[test]
fn linear_lower_is_better_and_clamps() {
    let r = "{ kind = \"linear\", zero_at = 10, full_at = 4 }";
    assert_eq!(points(r, "12", 4, "half-up", &["4", "7", "10", "2", "12"]), v(&["12.0000", "6.0000", "0.0000", "12.0000", "0.0000"]));
}

#[test]
fn linear_reads_floats_exactly() {
    // 0.1 + 0.2 style trouble: 0.3 of the way exactly, times 10 points.
    let r = "{ kind = \"linear\", zero_at = 0.1, full_at = 1.1 }";
    assert_eq!(points(r, "10", 6, "down", &["0.4"]), v(&["3.000000"]));
}

#[test]
fn steps_take_the_most_demanding_step_met() {
    let r = "{ kind = \"steps\", steps = [{ at_least = 1, score = 0.5 }, { at_least = 3, score = 1 }], otherwise = 0.1 }";
    assert_eq!(points(r, "10", 2, "half-up", &["0", "1", "2.99", "3", "40"]), v(&["1.00", "5.00", "5.00", "10.00", "10.00"]));
    let r = "{ kind = \"steps\", steps = [{ at_most = 5, score = 0.5 }, { at_most = 2, score = 1 }] }";
    assert_eq!(points(r, "10", 0, "half-up", &["1", "2", "5", "6"]), v(&["10", "10", "5", "0"]));
}

#[test]
fn steps_round_on_the_half_boundary() {
    // 5 × 0.5 = 2.5.
    let r = "{ kind = \"steps\", steps = [{ at_least = 1, score = 0.5 }] }";
    let [up, even, down] = modes(r, "5", 0, &["1"]);
    assert_eq!((up, even, down), (v(&["3"]), v(&["2"]), v(&["2"])));
}

#[test]
fn choice_scores_by_key_and_rounds_on_the_half() {
    let r = "{ kind = \"choice\", scores = { owned = 1, leased = 0.5 } }";
    let [up, even, down] = modes(r, "7", 0, &["\"owned\"", "\"leased\""]);
    assert_eq!((up, even, down), (v(&["7", "4"]), v(&["7", "4"]), v(&["7", "3"])));
}

#[test]
fn flag_uses_its_defaults_and_rounds_on_the_half() {
    assert_eq!(points("{ kind = \"flag\" }", "3", 0, "half-up", &["true", "false"]), v(&["3", "0"]));
    let r = "{ kind = \"flag\", if_true = 0.5, if_false = 0.25 }";
    let [up, even, down] = modes(r, "5", 0, &["true", "false"]);
    assert_eq!((up, even, down), (v(&["3", "1"]), v(&["2", "1"]), v(&["2", "1"])));
}

#[test]
fn date_is_linear_in_days_between_the_dates() {
    // 6-day window: 1 day late leaves 5/6; 3 × 5/6 = 2.5.
    let r = "{ kind = \"date\", full_by = 2025-12-31, zero_from = 2026-01-06 }";
    let days = ["2025-12-01", "2026-01-01", "2026-01-06", "2026-02-01"];
    let [up, even, down] = modes(r, "3", 0, &days);
    assert_eq!((up, even, down), (v(&["3", "3", "0", "0"]), v(&["3", "2", "0", "0"]), v(&["3", "2", "0", "0"])));
    // Across a leap day: 2028-02-28 → 2028-03-01 is 2 days.
    let r = "{ kind = \"date\", full_by = 2028-02-28, zero_from = 2028-03-01 }";
    assert_eq!(points(r, "10", 1, "half-up", &["2028-02-29"]), v(&["5.0"]));
}

#[test]
fn relative_scores_against_the_best_eligible_bid() {
    // 3 × 5/6 = 2.5 for x = 5 against a best of 6.
    let r = "{ kind = \"relative\", better = \"higher\" }";
    let [up, even, down] = modes(r, "3", 0, &["5", "6", "0"]);
    assert_eq!((up, even, down), (v(&["3", "3", "0"]), v(&["2", "3", "0"]), v(&["2", "3", "0"])));
    // Lower is better: 6 against a best of 5 is 5/6.
    let r = "{ kind = \"relative\", better = \"lower\" }";
    let [up, even, down] = modes(r, "3", 0, &["6", "5"]);
    assert_eq!((up, even, down), (v(&["3", "3"]), v(&["2", "3"]), v(&["2", "3"])));
}

#[test]
fn relative_with_a_best_of_zero_scores_zero() {
    assert_eq!(points("{ kind = \"relative\", better = \"higher\" }", "10", 0, "half-up", &["0", "0"]), v(&["0", "0"]));
}

#[test]
fn panel_takes_the_trimmed_mean_and_rounds_on_the_half() {
    // Marks [9, 5, 1, 6, 4] → drop 1 and 9 → mean 5; scale 10 → 1/2; × 5 = 2.5.
    let r = "{ kind = \"panel\", scale = 10, trim = 1 }";
    let marks = ["[9, 5, 1, 6, 4]"];
    let got: Vec<Vec<String>> = ["half-up", "half-even", "down"].iter().map(|m| points_with(r, "5", 0, m, &["0"], Some(&marks))).collect();
    assert_eq!(got, vec![v(&["3"]), v(&["2"]), v(&["2"])]);
    // A mean that does not terminate: [1, 5, 5, 6, 8] → 16/3; scale 8 → 2/3 of 10 points.
    let r = "{ kind = \"panel\", scale = 8 }";
    let marks = ["[1, 5, 5, 6, 8]"];
    let got: Vec<Vec<String>> = ["half-up", "half-even", "down"].iter().map(|m| points_with(r, "10", 4, m, &["0"], Some(&marks))).collect();
    assert_eq!(got, vec![v(&["6.6667"]), v(&["6.6667"]), v(&["6.6666"])]);
    // A tie for the highest mark drops only one of them.
    let marks = ["[8, 8, 2, 4, 6]"];
    assert_eq!(points_with("{ kind = \"panel\", scale = 10 }", "12", 4, "half-up", &["0"], Some(&marks)), v(&["7.2000"]));
    // trim = 0 is the plain mean: (7 + 8) / 2 / 10 × 10.
    assert_eq!(points_with("{ kind = \"panel\", scale = 10, trim = 0 }", "10", 1, "half-up", &["0"], Some(&["[7, 8]"])), v(&["7.5"]));
}

#[test]
fn kr_price_at_or_above_eighty_percent_is_points_times_lowest_over_price() {
    // P = 20, E = 100: B = 90 with L = 80 → 20 × 80/90 = 17.777…
    let r = "{ kind = \"kr-price\", estimated = 100 }";
    assert_eq!(points(r, "20", 4, "half-up", &["90", "80"]), v(&["17.7778", "20.0000"]));
    // Exactly at 80%: B = 80, L = 80 → 20.
    assert_eq!(points(r, "20", 4, "half-up", &["80"]), v(&["20.0000"]));
    // The half boundary: P = 5, L = 80, B = 160 → 2.5.
    let [up, even, down] = modes(r, "5", 0, &["160", "80"]);
    assert_eq!((up, even, down), (v(&["3", "5"]), v(&["2", "5"]), v(&["2", "5"])));
}

#[test]
fn kr_price_below_eighty_percent_adds_the_band_bonus() {
    // B = 70, L = 70: 20 × 70/80 + 2 × (80 − 70)/20 = 17.5 + 1 = 18.5.
    let r = "{ kind = \"kr-price\", estimated = 100 }";
    assert_eq!(points(r, "20", 4, "half-up", &["70"]), v(&["18.5000"]));
    let [up, even, down] = modes(r, "20", 0, &["70"]);
    assert_eq!((up, even, down), (v(&["19"]), v(&["18"]), v(&["18"])));
    // B = 50 is counted at 60: 20 × 50/80 + 2 × 20/20 = 12.5 + 2 = 14.5.
    assert_eq!(points(r, "20", 4, "half-up", &["50"]), v(&["14.5000"]));
    // A bid below 80% that is not the lowest: B = 75, L = 50 → 12.5 + 2 × 5/20 = 13.
    assert_eq!(points(r, "20", 4, "half-up", &["75", "50"]), v(&["13.0000", "14.5000"]));
}

#[test]
fn kr_price_caps_at_the_points_unless_told_not_to() {
    // P = 1, E = 100, B = L = 70: 1 × 70/80 + 1 = 1.875 → capped at 1.
    assert_eq!(points("{ kind = \"kr-price\", estimated = 100 }", "1", 4, "half-up", &["70"]), v(&["1.0000"]));
    assert_eq!(points("{ kind = \"kr-price\", estimated = 100, cap = false }", "1", 4, "half-up", &["70"]), v(&["1.8750"]));
}
