//! A QR code as SVG: the `qrcode` crate makes the module matrix, and each dark module is one square
//! of a single path (no `innerHTML`, one element however long the text).

use dioxus::prelude::*;
use qrcode::{Color, QrCode as Matrix};

/// The quiet zone around the code, in modules: scanners need it.
const QUIET: usize = 4;

#[component]
pub fn QrCode(text: String, label: String) -> Element {
    let Ok(code) = Matrix::new(text.as_bytes()) else {
        return rsx! {};
    };
    let width = code.width();
    let size = width + 2 * QUIET;
    let mut path = String::new();
    for (i, color) in code.to_colors().into_iter().enumerate() {
        if color == Color::Dark {
            let (x, y) = (i % width + QUIET, i / width + QUIET);
            path.push_str(&format!("M{x} {y}h1v1h-1z"));
        }
    }
    rsx! {
        svg {
            class: "qr",
            role: "img",
            "aria-label": "{label}",
            view_box: "0 0 {size} {size}",
            "shape-rendering": "crispEdges",
            rect { width: "{size}", height: "{size}", fill: "#fff" }
            path { d: "{path}", fill: "#000" }
        }
    }
}
