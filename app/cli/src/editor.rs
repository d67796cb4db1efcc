//! Writing longer text in the user's editor (`$VISUAL`, `$EDITOR`, else `vi`), as git does for
//! commit messages: the text between the top and the scissors line is kept.

use std::process::Command;

use crate::error::{CliError, Code, Result, io};

const SCISSORS: &str = "# ------------------------ >8 ------------------------";

/// Opens the editor on `text` followed by the scissors line and `help`; answers what is above the
/// scissors line, trimmed at its end.
pub fn edit(text: &str, help: &str) -> Result<String> {
    let path = std::env::temp_dir().join(format!("tracker-{}.md", uuid::Uuid::new_v4()));
    let contents = format!("{text}\n{SCISSORS}\n# {}\n", help.replace('\n', "\n# "));
    std::fs::write(&path, contents).map_err(|err| io(&path, err))?;
    let editor = std::env::var("VISUAL")
        .ok()
        .or_else(|| std::env::var("EDITOR").ok())
        .filter(|editor| !editor.trim().is_empty())
        .unwrap_or_else(|| "vi".to_owned());
    // Through the shell, so `EDITOR="code --wait"` works as it does for git.
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(&path)
        .status()
        .map_err(|err| CliError::failed(format!("starting the editor {editor:?}: {err}")))?;
    let written = std::fs::read_to_string(&path).map_err(|err| io(&path, err));
    let _ = std::fs::remove_file(&path);
    if !status.success() {
        return Err(CliError::new(
            Code::Usage,
            format!("the editor {editor:?} exited with {status}: nothing changed"),
        ));
    }
    let written = written?;
    let kept = written
        .split_once(SCISSORS)
        .map_or(written.as_str(), |(kept, _)| kept);
    Ok(kept.trim_end().to_owned())
}

/// A title on the first line, a blank line, then the description: split.
pub fn title_and_description(text: &str) -> (String, String) {
    let (title, rest) = text.split_once('\n').unwrap_or((text, ""));
    (title.trim().to_owned(), rest.trim_matches('\n').to_owned())
}
