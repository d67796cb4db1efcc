//! The client replica's benchmark, written once and run wherever the replica runs: natively on files
//! (`cargo bench -p replica-bench --bench replica`) and in a browser's Web Worker on OPFS (the
//! engine's `bench` feature, driven by `app/bench/browser.mjs`). Each figure is the median of many
//! runs beside a floor measured in the same run: the same statements applied with plain rusqlite to
//! one database in one transaction.

pub mod report;
mod workload;

pub use workload::{Host, run};
