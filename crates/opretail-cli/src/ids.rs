//! The ids a command is about: from `--id` flags and an ids file, checked, in input order, and
//! which of them are the same; or every store of the user with `--all-stores`.

use std::collections::HashMap;
use std::fmt;
use std::io::BufRead;
use std::path::{Path, PathBuf};

use opretail_model::EntityId;

use crate::diag::say;
use crate::escape;
use crate::failure::Failure;

/// Which ids a command is about: ids given, or every store of the user.
#[derive(Debug, clap::Args)]
pub struct IdSource {
    /// A store id (`S_1001`); repeat for more.
    #[arg(long = "id", value_name = "ID", value_parser = parse_id,
          required_unless_present_any = ["ids_file", "all_stores"])]
    pub ids: Vec<EntityId>,

    /// Read more ids from a file, one a line (`-` for stdin; blank lines and `#` comments skipped).
    #[arg(long, value_name = "FILE|-")]
    pub ids_file: Option<PathBuf>,

    /// Every store the user can see (from the store list).
    #[arg(long, conflicts_with_all = ["ids", "ids_file"])]
    pub all_stores: bool,
}

/// The ids of a command, read and checked before anything is sent.
#[derive(Debug)]
pub enum Ids {
    /// The ids given.
    Given(Batch),
    /// Every store of the user, from the store list once the gateway is reached.
    AllStores,
}

impl IdSource {
    /// The ids of the `--id` flags and the ids file, checked, in input order; none at all is
    /// an error unless they come from the store list.
    pub fn read(&self) -> Result<Ids, Failure> {
        if self.all_stores {
            return Ok(Ids::AllStores);
        }
        let mut batch = Batch::default();
        for (n, id) in self.ids.iter().enumerate() {
            batch.push(id.clone(), Origin::Flag(n + 1));
        }
        if let Some(path) = &self.ids_file {
            if path == Path::new("-") {
                read_ids(std::io::stdin().lock(), "stdin", &mut batch)?;
            } else {
                let file = std::fs::File::open(path).map_err(|e| {
                    Failure::usage(format!("cannot read the ids file {}: {e}", path.display()))
                })?;
                read_ids(
                    std::io::BufReader::new(file),
                    &path.display().to_string(),
                    &mut batch,
                )?;
            }
        }
        if batch.rows == 0 {
            return Err(Failure::usage(
                "no ids: give --id S_1001 (or O_42), ids in --ids-file, or --all-stores",
            ));
        }
        Ok(Ids::Given(batch))
    }
}

/// Where an id was given, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The n-th `--id` flag (from 1).
    Flag(usize),
    /// A line (from 1) of the ids file.
    Line(usize),
    /// The n-th store (from 1) of the store list.
    Listed(usize),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Flag(n) => write!(f, "--id #{n}"),
            Origin::Line(n) => write!(f, "line {n}"),
            Origin::Listed(n) => write!(f, "store #{n} of the store list"),
        }
    }
}

/// Every id in input order, and the distinct ids to call.
#[derive(Debug, Default)]
pub struct Batch {
    /// Each distinct id once, in the order of its first appearance.
    pub unique: Vec<EntityId>,
    /// For each distinct id, the positions (in input order, from 0) that show its result.
    pub positions: Vec<Vec<usize>>,
    /// How many ids were given, duplicates included: the number of output rows.
    pub rows: usize,
    /// Where each id was given, in input order.
    origins: Vec<Origin>,
    index: HashMap<EntityId, usize>,
}

impl Batch {
    /// Adds an id given at `origin`.
    pub fn push(&mut self, id: EntityId, origin: Origin) {
        let position = self.rows;
        self.rows += 1;
        self.origins.push(origin);
        match self.index.get(&id) {
            Some(&unique) => self.positions[unique].push(position),
            None => {
                self.index.insert(id.clone(), self.unique.len());
                self.unique.push(id);
                self.positions.push(vec![position]);
            }
        }
    }

    /// Says on stderr which ids were given more than once and where (each is called once).
    pub fn report_duplicates(&self) {
        const SHOWN: usize = 20;
        let mut duplicated = self
            .positions
            .iter()
            .enumerate()
            .filter(|(_, positions)| positions.len() > 1);
        for (unique, positions) in duplicated.by_ref().take(SHOWN) {
            let mut places: Vec<String> = positions
                .iter()
                .take(10)
                .map(|&p| self.origins[p].to_string())
                .collect();
            if positions.len() > 10 {
                places.push(format!("and {} more", positions.len() - 10));
            }
            say!(
                "warning: {} is given {} times ({}); it is called once and its result repeated",
                self.unique[unique],
                positions.len(),
                places.join(", ")
            );
        }
        let rest = duplicated.count();
        if rest > 0 {
            say!("warning: {rest} more ids are given more than once");
        }
    }
}

/// Checks one id as written by a user: the SDK's checks, and no invisible or bidi control
/// characters (the SDK accepts them; here they can only be a copy-and-paste accident that
/// would make the id look like another).
pub fn parse_id(text: &str) -> Result<EntityId, String> {
    if let Some((at, c)) = text
        .chars()
        .enumerate()
        .find(|&(_, c)| escape::is_invisible(c))
    {
        return Err(format!(
            "`{}` holds an invisible or bidi control character (U+{:04X}, character {}); \
             retype the id or remove the character",
            escape::for_terminal(text, 120),
            u32::from(c),
            at + 1
        ));
    }
    if let Some(c) = text.chars().find(|c| matches!(c, ',' | '&' | '=')) {
        return Err(format!(
            "`{}` holds `{c}`, which would make one call about several stores or change its \
             parameters: give each id on its own (--id S_1001 --id S_1002, or one a line in \
             --ids-file)",
            escape::for_terminal(text, 120)
        ));
    }
    text.parse::<EntityId>()
        .map_err(|e| escape::for_terminal(&e.to_string(), 300).into_owned())
}

/// Reads ids, one a line, from `reader` (named `name` in messages) into `batch`. Blank lines
/// and `#` comments are skipped; a UTF-8 byte-order mark at the start (as spreadsheets and
/// some editors write) is ignored.
pub fn read_ids(reader: impl BufRead, name: &str, batch: &mut Batch) -> Result<(), Failure> {
    for (n, line) in reader.lines().enumerate() {
        let line =
            line.map_err(|e| Failure::usage(format!("cannot read the ids from {name}: {e}")))?;
        let line = if n == 0 {
            line.strip_prefix('\u{FEFF}').unwrap_or(&line)
        } else {
            &line
        };
        let text = line.trim();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        let id =
            parse_id(text).map_err(|e| Failure::usage(format!("{name}, line {}: {e}", n + 1)))?;
        batch.push(id, Origin::Line(n + 1));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(text: &str) -> Result<Batch, Failure> {
        let mut batch = Batch::default();
        read_ids(text.as_bytes(), "ids.txt", &mut batch).map(|()| batch)
    }

    #[test]
    fn a_byte_order_mark_is_ignored() {
        let b = batch("\u{FEFF}S_1\r\nO_2\r\n").expect("valid");
        let ids: Vec<&str> = b.unique.iter().map(EntityId::as_str).collect();
        assert_eq!(ids, ["S_1", "O_2"]);
    }

    #[test]
    fn invisible_characters_are_refused_with_the_line() {
        for bad in ["S_1\u{202E}2", "S_\u{200B}1", "S_1\u{FEFF}"] {
            let text = format!("S_0\n{bad}\n");
            match batch(&text) {
                Err(Failure::Usage(m)) => {
                    assert!(m.contains("line 2") && m.contains("invisible"), "{m}");
                    assert!(!m.chars().any(escape::is_unsafe), "{m:?}");
                }
                other => panic!("{bad:?} accepted: {other:?}"),
            }
        }
    }

    #[test]
    fn separators_in_an_id_are_refused() {
        for bad in ["S_1001,S_1002", "S_1&x=1", "S_1="] {
            let message = parse_id(bad).unwrap_err();
            assert!(message.contains("on its own"), "{message}");
        }
        assert!(batch("S_1,S_2\n").is_err());
    }

    #[test]
    fn duplicates_are_called_once_and_keep_every_position() {
        let b = batch("S_1\nO_2\nS_1\n\nS_1\n").expect("valid");
        assert_eq!(b.rows, 4);
        assert_eq!(b.unique.len(), 2);
        assert_eq!(b.positions, vec![vec![0, 2, 3], vec![1]]);
        assert_eq!(b.origins[3], Origin::Line(5));
    }
}
