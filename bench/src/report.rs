//! What every benchmark prints: a figure made from timed samples (median, min, max, p99) and one
//! markdown table shape beside a baseline measured in the same run, so the server's and the
//! replica's reports read alike. Times are in milliseconds.

/// The median of timed runs, with the fastest, the slowest and the 99th percentile.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figure {
    pub median: f64,
    pub min: f64,
    pub max: f64,
    pub p99: f64,
}

impl Figure {
    /// The figure of `samples` (milliseconds); at least one sample.
    pub fn of(samples: &[f64]) -> Figure {
        let mut sorted = samples.to_vec();
        sorted.sort_by(f64::total_cmp);
        let at = |p: f64| sorted[((sorted.len() as f64 - 1.0) * p).round() as usize];
        Figure {
            median: at(0.5),
            min: sorted[0],
            max: sorted[sorted.len() - 1],
            p99: at(0.99),
        }
    }
}

/// `1.234 ms`
pub fn ms(millis: f64) -> String {
    format!("{millis:.3} ms")
}

/// A markdown table: figure, median, min to max, the baseline's median, and their ratio.
pub struct Table {
    baseline: String,
    rows: Vec<String>,
    notes: Vec<String>,
}

impl Table {
    /// A table whose baseline column is called `baseline` (what the same work costs without us).
    pub fn new(baseline: &str) -> Table {
        Table {
            baseline: baseline.to_owned(),
            rows: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// A figure beside its baseline's (or none).
    pub fn figure(&mut self, what: &str, figure: Figure, baseline: Option<Figure>) {
        let (baseline_text, ratio) = match baseline {
            Some(b) => (
                ms(b.median),
                format!("{:.1}x", figure.median / b.median.max(1e-9)),
            ),
            None => ("-".to_owned(), "-".to_owned()),
        };
        let spread = format!("{} to {}", ms(figure.min), ms(figure.max));
        self.row(what, &ms(figure.median), &spread, &baseline_text, &ratio);
    }

    /// A row of already formatted values (a p99, a throughput).
    pub fn row(&mut self, what: &str, value: &str, spread: &str, baseline: &str, ratio: &str) {
        self.rows.push(format!(
            "| {what} | {value} | {spread} | {baseline} | {ratio} |"
        ));
    }

    /// A line printed under the table.
    pub fn note(&mut self, note: String) {
        self.notes.push(note);
    }

    pub fn render(&self, quick: bool) -> String {
        let mut out = String::new();
        if quick {
            out.push_str("Quick run (small sizes, few runs): figures are only indicative.\n\n");
        }
        out.push_str(&format!(
            "| figure | median | min to max | {} (median) | ratio |\n| --- | --- | --- | --- | --- |\n",
            self.baseline
        ));
        for row in &self.rows {
            out.push_str(row);
            out.push('\n');
        }
        for note in &self.notes {
            out.push_str(&format!("\n{note}\n"));
        }
        out
    }
}
