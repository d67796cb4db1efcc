//! The list's window (`shared/src/replica/window.rs`): any window of a long list, in each order and
//! filter, is exactly that slice of the whole list, however it was reached; rows arriving above keep
//! the rows on the screen; a window around an issue holds it; bad requests are bounded.

use serde_json::json;
use shared::Actor;
use shared::issue::{IssueFilter, Seen, Sort};
use shared::mutations::fields::Status;
use shared::replica::{Issue, ListCursor, MAX_WINDOW, Replica, Storage, WindowRequest};
use uuid::Uuid;

const WORKSPACE: Uuid = Uuid::from_u128(0x7a11_0000_0000_4000_8000_0000_0000_0001);
const ME: Uuid = Uuid::from_u128(0x7a11_0000_0000_4000_8000_0000_0000_0002);

/// A small, repeatable pseudo-random sequence (no dependency for a test's dice).
struct Dice(u64);

impl Dice {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n.max(1)
    }
}

fn mutate(replica: &mut Replica, name: &str, args: serde_json::Value) {
    replica.mutate(name, &args, 1).expect(name);
}

/// `n` issues, three to a creation time (so the id breaks ties), with mixed statuses, priorities and
/// change times, and "needle" in every seventh title. Their ids, oldest first.
fn replica_with(n: u64, dice: &mut Dice) -> (Replica, Vec<Uuid>) {
    let mut replica = Replica::open(&Storage::Memory, Actor::new(WORKSPACE, ME)).expect("open");
    let mut ids = Vec::new();
    for i in 0..n {
        let id = Uuid::new_v4();
        ids.push(id);
        let title = if i % 7 == 0 {
            format!("needle {i}")
        } else {
            format!("issue {i}")
        };
        mutate(
            &mut replica,
            "createIssue",
            json!({"id": id, "title": title, "description": "", "owner": "ada", "createdAt": 1000 + i / 3}),
        );
        if dice.below(3) == 0 {
            let status = ["in progress", "done"][dice.below(2) as usize];
            mutate(
                &mut replica,
                "updateIssueStatus",
                json!({"id": id, "status": status, "updatedAt": 5000 + dice.below(n)}),
            );
        }
        if dice.below(2) == 0 {
            let priority = ["low", "medium", "high", "urgent", "none"][dice.below(5) as usize];
            mutate(
                &mut replica,
                "setIssuePriority",
                json!({"id": id, "priority": priority, "updatedAt": 5000 + dice.below(n)}),
            );
        }
    }
    (replica, ids)
}

fn filters() -> Vec<IssueFilter> {
    let mut filters = Vec::new();
    for sort in Sort::ALL {
        filters.push(IssueFilter {
            sort,
            ..IssueFilter::default()
        });
        filters.push(IssueFilter {
            sort,
            status: Some(Status::NotStarted),
            ..IssueFilter::default()
        });
        filters.push(IssueFilter {
            sort,
            search: Some("NEEDLE".into()),
            ..IssueFilter::default()
        });
    }
    filters
}

fn ids(issues: &[Issue]) -> Vec<Uuid> {
    issues.iter().map(|issue| issue.id).collect()
}

fn at(start: u64, len: u32) -> WindowRequest {
    WindowRequest {
        start,
        len,
        around: None,
        seen: None,
    }
}

#[test]
fn every_window_is_its_slice_of_the_whole_list_however_it_was_reached() {
    let mut dice = Dice(7);
    let (replica, _) = replica_with(600, &mut dice);
    for filter in filters() {
        let whole = replica.issues(&filter).expect("the whole list");
        let mut cursor = ListCursor::default();
        // Small steps (scrolling, read from the last window), long jumps (from the top or the
        // bottom), the very ends, and past the end.
        let mut starts = vec![0, 1, 2, 40, 39, 0, 599, 580, 300, 310, 290, 5000];
        starts.extend((0..40).map(|_| dice.below(whole.len() as u64 + 10)));
        for start in starts {
            let window = replica
                .window(&mut cursor, &filter, at(start, 37), false)
                .expect("a window");
            assert_eq!(window.matching, whole.len() as u64, "{filter:?}");
            let from = (window.start as usize).min(whole.len());
            let to = (from + 37).min(whole.len());
            assert_eq!(
                ids(&window.issues),
                ids(&whole[from..to]),
                "{filter:?} at {start}"
            );
            if (start as usize) + 37 <= whole.len() {
                assert_eq!(
                    window.start, start,
                    "{filter:?}: a window inside the list starts where asked"
                );
            } else {
                assert_eq!(
                    window.start as usize,
                    whole.len().saturating_sub(37),
                    "{filter:?}: the last rows"
                );
            }
        }
    }
}

#[test]
fn rows_arriving_above_leave_the_rows_on_the_screen_where_they_were() {
    let mut dice = Dice(11);
    let (mut replica, _) = replica_with(300, &mut dice);
    let filter = IssueFilter::default();
    let mut cursor = ListCursor::default();
    let before = replica
        .window(&mut cursor, &filter, at(120, 30), false)
        .expect("a window");
    let mut top = ListCursor::default();
    let top_before = replica
        .window(&mut top, &filter, at(0, 30), false)
        .expect("the top");

    // 50 newer issues: above every row.
    for i in 0..50 {
        mutate(
            &mut replica,
            "createIssue",
            json!({"id": Uuid::new_v4(), "title": format!("new {i}"), "description": "", "owner": "ada", "createdAt": 9000 + i}),
        );
    }
    let after = replica
        .window(&mut cursor, &filter, at(120, 30), true)
        .expect("kept");
    assert_eq!(
        after.start, 170,
        "the first row moved down by the 50 rows above it"
    );
    assert_eq!(ids(&after.issues), ids(&before.issues), "the same rows");
    assert_eq!(after.matching, 350);
    assert_eq!(
        after.counts.total(),
        350,
        "counts read again after the change"
    );

    let top_after = replica
        .window(&mut top, &filter, at(0, 30), true)
        .expect("top");
    assert_eq!(top_after.start, 0, "a window at the top stays there");
    assert_eq!(
        top_after.issues[0].title, "new 49",
        "and shows the new rows"
    );
    assert_ne!(ids(&top_after.issues), ids(&top_before.issues));

    // The first row itself deleted: the window keeps its place, by the row's key.
    let first = after.issues[0].id;
    mutate(&mut replica, "deleteIssue", json!({"id": first}));
    let gone = replica
        .window(&mut cursor, &filter, at(170, 30), true)
        .expect("kept");
    assert_eq!(gone.start, 170);
    assert_eq!(ids(&gone.issues)[..29], ids(&after.issues)[1..]);
}

#[test]
fn a_window_asked_for_on_older_data_moves_with_the_rows_it_was_measured_on() {
    // The UI shows a window, scrolls, and asks for the next one from where it is; rows arrived
    // above in between, and the view that moved its screen was replaced before it came. Its
    // positions are 50 rows behind: the answer is the rows it had on the screen, not the ones now
    // at those positions.
    let mut dice = Dice(13);
    let (mut replica, _) = replica_with(300, &mut dice);
    let filter = IssueFilter::default();
    let mut cursor = ListCursor::default();
    let shown = replica
        .window(&mut cursor, &filter, at(120, 30), false)
        .expect("a window");
    for i in 0..50 {
        mutate(
            &mut replica,
            "createIssue",
            json!({"id": Uuid::new_v4(), "title": format!("new {i}"), "description": "", "owner": "ada", "createdAt": 9000 + i}),
        );
    }
    let kept = replica
        .window(&mut cursor, &filter, at(120, 30), true)
        .expect("the view after the change");
    assert_ne!(kept.version, shown.version, "the data changed");
    let on_screen = shown.issues[5].id;
    let measured = |window: &shared::replica::Window, start: u64| WindowRequest {
        seen: Some(Seen {
            version: window.version,
            id: on_screen,
            at: 125,
        }),
        ..at(start, 30)
    };

    let moved = replica
        .window(&mut cursor, &filter, measured(&shown, 130), false)
        .expect("asked on the older window");
    assert_eq!(moved.start, 180, "ten rows on from where that row is now");
    assert_eq!(moved.issues[0].id, shown.issues[10].id);

    // Measured on the window of the data as it is: taken as asked.
    let current = replica
        .window(&mut cursor, &filter, measured(&kept, 130), false)
        .expect("asked on the current window");
    assert_eq!(current.start, 130);

    // The row the UI measured on is gone: the positions are taken as they are.
    mutate(&mut replica, "deleteIssue", json!({"id": on_screen}));
    let gone = replica
        .window(&mut cursor, &filter, measured(&shown, 130), false)
        .expect("its row deleted");
    assert_eq!(gone.start, 130);

    // At the top, the UI stays at the top, where new issues show.
    let mut top = ListCursor::default();
    let first = replica
        .window(&mut top, &filter, at(0, 30), false)
        .expect("the top");
    mutate(
        &mut replica,
        "createIssue",
        json!({"id": Uuid::new_v4(), "title": "newest", "description": "", "owner": "ada", "createdAt": 99_000}),
    );
    let request = WindowRequest {
        seen: Some(Seen {
            version: first.version,
            id: first.issues[0].id,
            at: 0,
        }),
        ..at(0, 30)
    };
    let top_now = replica
        .window(&mut top, &filter, request, false)
        .expect("the top again");
    assert_eq!(top_now.start, 0);
    assert_eq!(top_now.issues[0].title, "newest");
}

#[test]
fn a_window_around_an_issue_holds_it_in_its_middle() {
    let mut dice = Dice(13);
    let (replica, ids_oldest_first) = replica_with(400, &mut dice);
    for filter in filters() {
        let whole = replica.issues(&filter).expect("the whole list");
        let target = &whole[whole.len() * 3 / 4];
        let mut cursor = ListCursor::default();
        let request = WindowRequest {
            start: 0,
            len: 40,
            around: Some(target.id),
            seen: None,
        };
        let window = replica
            .window(&mut cursor, &filter, request, false)
            .expect("around");
        let position = whole
            .iter()
            .position(|i| i.id == target.id)
            .expect("listed") as u64;
        assert_eq!(
            window.start,
            position.saturating_sub(20).min(whole.len() as u64 - 40)
        );
        assert!(ids(&window.issues).contains(&target.id), "{filter:?}");
    }
    // Filtered out, or unknown: the window is where the request's start says.
    let filter = IssueFilter {
        search: Some("needle".into()),
        ..IssueFilter::default()
    };
    let hidden = ids_oldest_first[1];
    for around in [hidden, Uuid::new_v4()] {
        let request = WindowRequest {
            start: 3,
            len: 10,
            around: Some(around),
            seen: None,
        };
        let window = replica
            .window(&mut ListCursor::default(), &filter, request, false)
            .expect("a window");
        assert_eq!(window.start, 3);
        assert!(!ids(&window.issues).contains(&around));
    }
}

#[test]
fn a_request_for_too_many_rows_or_rows_past_the_end_is_bounded() {
    let mut dice = Dice(17);
    let (replica, _) = replica_with(700, &mut dice);
    let filter = IssueFilter::default();
    let mut cursor = ListCursor::default();
    let huge = replica
        .window(&mut cursor, &filter, at(0, u32::MAX), false)
        .expect("a window");
    assert_eq!(huge.issues.len(), MAX_WINDOW as usize);
    let past = replica
        .window(&mut cursor, &filter, at(u64::MAX, 10), false)
        .expect("a window");
    assert_eq!(past.start, 690);
    assert_eq!(past.issues.len(), 10);
    let none = replica
        .window(&mut cursor, &filter, at(5, 0), false)
        .expect("a window");
    assert!(none.issues.is_empty());
    assert_eq!(none.matching, 700);
}

#[test]
fn counts_and_matching_are_read_again_after_any_change_of_the_data() {
    let mut dice = Dice(19);
    let (mut replica, ids) = replica_with(60, &mut dice);
    let filter = IssueFilter {
        search: Some("needle".into()),
        ..IssueFilter::default()
    };
    let mut cursor = ListCursor::default();
    let first = replica
        .window(&mut cursor, &filter, at(0, 10), false)
        .expect("a window");
    assert_eq!(first.matching, 9);
    mutate(&mut replica, "deleteIssue", json!({"id": ids[0]}));
    let fresh = replica
        .window(&mut cursor, &filter, at(0, 10), false)
        .expect("a window");
    assert_eq!(fresh.matching, 8);
    assert_eq!(fresh.counts.total(), 59);
}

#[test]
fn status_counts_follow_every_create_status_change_and_delete() {
    let mut dice = Dice(23);
    let (mut replica, ids) = replica_with(200, &mut dice);
    let counted = |replica: &Replica| {
        let issues = replica.issues(&IssueFilter::default()).expect("the list");
        let of = |s| issues.iter().filter(|i| i.status == s).count() as u64;
        (
            of(Status::NotStarted),
            of(Status::InProgress),
            of(Status::Done),
        )
    };
    let kept = |replica: &Replica| {
        let c = replica.status_counts().expect("counts");
        (c.not_started, c.in_progress, c.done)
    };
    assert_eq!(kept(&replica), counted(&replica));
    for (i, id) in ids.iter().enumerate() {
        match dice.below(4) {
            0 => mutate(&mut replica, "deleteIssue", json!({"id": id})),
            1 => {
                // The same status again changes nothing.
                let status = ["not started", "in progress", "done"][i % 3];
                for _ in 0..2 {
                    mutate(
                        &mut replica,
                        "updateIssueStatus",
                        json!({"id": id, "status": status, "updatedAt": 9000 + i}),
                    );
                }
            }
            2 => mutate(
                &mut replica,
                "updateIssue",
                json!({"id": id, "title": format!("renamed {i}"), "updatedAt": 9000 + i}),
            ),
            _ => {}
        }
    }
    assert_eq!(kept(&replica), counted(&replica));
    assert!(kept(&replica).0 > 0 && kept(&replica).1 > 0 && kept(&replica).2 > 0);
}

#[test]
fn a_search_finds_its_text_anywhere_in_any_case_and_takes_like_wildcards_literally() {
    let mut replica = Replica::open(&Storage::Memory, Actor::new(WORKSPACE, ME)).expect("open");
    let titles = [
        "Done 50% of it",
        "Done 500 of it",
        "a_b in the title",
        "axb in the title",
        "back\\slash",
        "Ünïcode Straße",
    ];
    for (i, title) in titles.iter().enumerate() {
        mutate(
            &mut replica,
            "createIssue",
            json!({"id": Uuid::new_v4(), "title": title, "description": if i == 1 { "Found IN the description" } else { "" }, "owner": "ada", "createdAt": i}),
        );
    }
    let found = |text: &str| -> Vec<String> {
        let filter = IssueFilter {
            search: Some(text.into()),
            ..IssueFilter::default()
        };
        let mut titles: Vec<String> = replica
            .issues(&filter)
            .expect("a search")
            .into_iter()
            .map(|issue| issue.title)
            .collect();
        titles.sort();
        let window = replica
            .window(&mut ListCursor::default(), &filter, at(0, 10), false)
            .expect("a window");
        assert_eq!(window.matching as usize, titles.len(), "{text}: the count");
        titles
    };
    assert_eq!(found("50%"), ["Done 50% of it"]);
    assert_eq!(found("DONE"), ["Done 50% of it", "Done 500 of it"]);
    assert_eq!(found("a_b"), ["a_b in the title"]);
    assert_eq!(found("k\\s"), ["back\\slash"]);
    assert_eq!(found("in the desc"), ["Done 500 of it"]);
    assert_eq!(found("  straße "), ["Ünïcode Straße"], "trimmed");
    assert_eq!(found("%"), ["Done 50% of it"], "a literal %");
    assert_eq!(found("_"), ["a_b in the title"], "a literal _");
    assert!(found("nothing like it").is_empty());
}

/// Typing narrows a search and erasing widens it again; each step's matches come from the last
/// steps' (`shared/src/replica/matches.rs`), and must be what counting afresh finds, also when the
/// data changes between keystrokes.
#[test]
fn typing_and_erasing_a_search_finds_what_a_fresh_count_finds() {
    let mut dice = Dice(29);
    let (mut replica, made) = replica_with(600, &mut dice);
    let mut cursor = ListCursor::default();
    let mut step = |replica: &Replica, text: &str, status: Option<Status>| {
        let filter = IssueFilter {
            search: Some(text.into()),
            status,
            sort: Sort::ALL[text.len() % 3],
            ..IssueFilter::default()
        };
        let whole = ids(&replica.issues(&filter).expect("the whole list"));
        for start in [0, 30] {
            let window = replica
                .window(&mut cursor, &filter, at(start, 25), false)
                .expect("a window");
            assert_eq!(window.matching, whole.len() as u64, "{filter:?}");
            let from = (window.start as usize).min(whole.len());
            let to = (from + 25).min(whole.len());
            assert_eq!(
                ids(&window.issues),
                whole[from..to],
                "{filter:?} at {start}"
            );
        }
        whole.len()
    };
    let typed = [
        "1",
        "12",
        "12 ",
        "120",
        "12",
        "1",
        "",
        "n",
        "ne",
        "needle 1",
        "NEEDLE 12",
    ];
    let found: Vec<usize> = typed.iter().map(|t| step(&replica, t, None)).collect();
    assert!(
        found[0] > found[1] && found[1] > found[3] && found[3] > 0,
        "{found:?}"
    );
    // A status narrows too, and dropping it widens again.
    step(&replica, "needle 1", Some(Status::Done));
    step(&replica, "needle 1", None);
    // The data changes between keystrokes: an issue that "needle 12" finds arrives, and "needle 14"
    // goes.
    let before = step(&replica, "needle 1", None);
    mutate(
        &mut replica,
        "createIssue",
        json!({"id": Uuid::new_v4(), "title": "needle 12 arrived", "description": "", "owner": "ada", "createdAt": 1}),
    );
    mutate(&mut replica, "deleteIssue", json!({"id": made[14]}));
    assert_eq!(step(&replica, "needle 1", None), before);
    let narrowed = step(&replica, "needle 12", None);
    assert_eq!(narrowed, found[10] + 1);
}
