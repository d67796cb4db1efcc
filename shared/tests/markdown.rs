//! Markdown to the tree the app renders: what each construct becomes, and what hostile text does.

use shared::markdown::{Align, Kind, MAX_DEPTH, Node, parse, plain_text, toggle_task, web_address};
use uuid::Uuid;

fn text(s: &str) -> Node {
    Node::Text(s.into())
}

fn element(kind: Kind, children: Vec<Node>) -> Node {
    Node::Element { kind, children }
}

fn paragraph(children: Vec<Node>) -> Node {
    element(Kind::Paragraph, children)
}

#[test]
fn commonmark_and_its_extensions_map_to_elements() {
    assert_eq!(
        parse("# Title\n\nSome *em*, **strong**, ~~gone~~ and `code`."),
        vec![
            element(Kind::Heading(1), vec![text("Title")]),
            paragraph(vec![
                text("Some "),
                element(Kind::Emphasis, vec![text("em")]),
                text(", "),
                element(Kind::Strong, vec![text("strong")]),
                text(", "),
                element(Kind::Strike, vec![text("gone")]),
                text(" and "),
                Node::Code("code".into()),
                text("."),
            ]),
        ]
    );
    assert_eq!(
        parse("```rust\nfn main() {}\n```"),
        vec![element(
            Kind::CodeBlock {
                language: Some("rust".into())
            },
            vec![text("fn main() {}\n")]
        )]
    );
    assert_eq!(
        parse("| a | b |\n|:--|--:|\n| 1 | 2 |"),
        vec![element(
            Kind::Table {
                align: vec![Align::Left, Align::Right]
            },
            vec![
                element(
                    Kind::TableHead,
                    vec![
                        element(Kind::TableCell { head: true }, vec![text("a")]),
                        element(Kind::TableCell { head: true }, vec![text("b")]),
                    ]
                ),
                element(
                    Kind::TableRow,
                    vec![
                        element(Kind::TableCell { head: false }, vec![text("1")]),
                        element(Kind::TableCell { head: false }, vec![text("2")]),
                    ]
                ),
            ]
        )]
    );
    assert_eq!(
        parse("3. three\n4. four"),
        vec![element(
            Kind::List { start: Some(3) },
            vec![
                element(Kind::Item, vec![text("three")]),
                element(Kind::Item, vec![text("four")]),
            ]
        )]
    );
    assert_eq!(
        parse("> quoted\n\n---"),
        vec![
            element(Kind::Quote, vec![paragraph(vec![text("quoted")])]),
            Node::Rule
        ]
    );
}

#[test]
fn links_go_only_to_web_and_mail_addresses() {
    let link =
        |href: &str, label: &str| element(Kind::Link { href: href.into() }, vec![text(label)]);
    assert_eq!(
        parse("[site](https://example.com) [mail](mailto:a@example.com) <https://auto.example>"),
        vec![paragraph(vec![
            link("https://example.com", "site"),
            text(" "),
            link("mailto:a@example.com", "mail"),
            text(" "),
            link("https://auto.example", "https://auto.example"),
        ])]
    );
    for hostile in [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:x",
        "/relative",
    ] {
        let source = format!("[click]({hostile})");
        let nodes = parse(&source);
        assert!(
            matches!(&nodes[..], [Node::Element { kind: Kind::Paragraph, children }]
                if matches!(&children[..], [Node::Element { kind: Kind::Unlinked { .. }, .. }])),
            "{hostile}: {nodes:?}"
        );
        assert_eq!(web_address(hostile), None);
    }
    // A bare address is a link; one inside a link's text is not a second link.
    assert_eq!(
        parse("see https://example.com/x."),
        vec![paragraph(vec![
            text("see "),
            link("https://example.com/x", "https://example.com/x"),
            text(".")
        ])]
    );
    assert_eq!(
        parse("[https://a.example](https://b.example)"),
        vec![paragraph(vec![link(
            "https://b.example",
            "https://a.example"
        )])]
    );
}

#[test]
fn raw_html_is_text_and_images_are_never_loaded() {
    assert_eq!(
        parse("<script>alert(1)</script>"),
        vec![text("<script>alert(1)</script>")]
    );
    assert_eq!(
        parse("a <b onclick=\"x()\">bold</b>"),
        vec![paragraph(vec![
            text("a "),
            text("<b onclick=\"x()\">"),
            text("bold"),
            text("</b>"),
        ])]
    );
    assert_eq!(
        parse("![a cat](https://example.com/cat.png) ![x](javascript:y)"),
        vec![paragraph(vec![
            element(
                Kind::Image {
                    href: Some("https://example.com/cat.png".into())
                },
                vec![text("a cat")]
            ),
            text(" "),
            element(Kind::Image { href: None }, vec![text("x")]),
        ])]
    );
}

#[test]
fn mentions_and_references_are_their_own_nodes() {
    let ada = Uuid::from_u128(7);
    let source = format!(
        "{} see #12 and TRK-3, not `#4` nor [#5](https://x.example)",
        shared::references::mention(ada, "Ada")
    );
    let nodes = parse(&source);
    let [
        Node::Element {
            kind: Kind::Paragraph,
            children,
        },
    ] = &nodes[..]
    else {
        panic!("{nodes:?}");
    };
    assert_eq!(children[0], element(Kind::Mention(ada), vec![text("@Ada")]));
    assert!(children.contains(&Node::Reference {
        key: None,
        number: 12,
        text: "#12".into()
    }));
    assert!(children.contains(&Node::Reference {
        key: Some("TRK".into()),
        number: 3,
        text: "TRK-3".into()
    }));
    assert!(children.contains(&Node::Code("#4".into())));
    assert!(
        !children
            .iter()
            .any(|n| matches!(n, Node::Reference { number: 5 | 4, .. }))
    );
    // A mention's address must be exactly an id.
    let nodes = parse("[@x](mention:not-an-id)");
    assert!(matches!(&nodes[..], [Node::Element { children, .. }]
        if matches!(&children[..], [Node::Element { kind: Kind::Unlinked { .. }, .. }])));
}

#[test]
fn a_task_box_is_toggled_by_editing_the_text() {
    let source = "- [ ] write\n- [x] test\n";
    let nodes = parse(source);
    let mut tasks = Vec::new();
    collect_tasks(&nodes, &mut tasks);
    assert_eq!(tasks, vec![(false, 2), (true, 14)]);
    let checked = toggle_task(source, 2).expect("a box");
    assert_eq!(checked, "- [x] write\n- [x] test\n");
    assert_eq!(
        toggle_task(&checked, 14).expect("a box"),
        "- [x] write\n- [ ] test\n"
    );
    assert_eq!(toggle_task(source, 0), None, "no box there");
    assert_eq!(toggle_task(source, 1000), None);
    assert_eq!(toggle_task("é[ ]", 1), None, "not a character boundary");
}

fn collect_tasks(nodes: &[Node], out: &mut Vec<(bool, usize)>) {
    for node in nodes {
        match node {
            Node::Task { checked, at } => out.push((*checked, *at)),
            Node::Element { children, .. } => collect_tasks(children, out),
            _ => {}
        }
    }
}

fn depth(nodes: &[Node]) -> usize {
    nodes
        .iter()
        .map(|n| match n {
            Node::Element { children, .. } => 1 + depth(children),
            _ => 0,
        })
        .max()
        .unwrap_or(0)
}

#[test]
fn hostile_text_is_bounded() {
    // Deep nesting: the tree is at most MAX_DEPTH deep, and nothing is lost.
    let quotes = format!("{} deep", ">".repeat(5_000));
    let nodes = parse(&quotes);
    assert!(depth(&nodes) <= MAX_DEPTH, "{}", depth(&nodes));
    assert_eq!(plain_text(&nodes).trim(), "deep");
    let lists: String = (0..2_000)
        .map(|i| format!("{}- item {i}\n", "  ".repeat(i)))
        .collect();
    let nodes = parse(&lists);
    assert!(depth(&nodes) <= MAX_DEPTH);
    assert!(plain_text(&nodes).contains("item 1999"));
    // 10,000 backticks (the longest a description may be), and unclosed delimiters: shown as
    // they were written.
    // (A line of backticks alone opens an empty fenced code block, as CommonMark says.)
    assert_eq!(depth(&parse(&"`".repeat(10_000))), 1);
    for source in [
        format!("x {}", "`".repeat(9_998)),
        "[".repeat(10_000),
        "<".repeat(10_000),
        "*a".repeat(5_000),
    ] {
        let started = std::time::Instant::now();
        let nodes = parse(&source);
        assert!(started.elapsed().as_secs() < 5, "{}", &source[..2]);
        assert!(depth(&nodes) <= MAX_DEPTH);
        let shown = plain_text(&nodes);
        assert!(
            shown.trim().len() >= 5_000,
            "{}: {}",
            &source[..2],
            shown.len()
        );
    }
}
