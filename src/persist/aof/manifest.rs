//! Redis 7.0's AOF manifest (aof.c's `aofManifest`): which files of the append-only
//! directory make up the dataset. Sans-IO: [`Manifest::to_text`] is
//! `getAofManifestAsString`, [`Manifest::parse`] is `aofLoadManifestFromFile` with its
//! exact errors; the files' names are made here too (`getNewBaseFileName...`,
//! `getNewIncrAofName`, `getTempIncrAofName`).
//!
//! ```text
//! file appendonly.aof.2.base.rdb seq 2 type b
//! file appendonly.aof.1.incr.aof seq 1 type h
//! file appendonly.aof.3.incr.aof seq 3 type i
//! ```

/// `MANIFEST_MAX_LINE`: fgets reads at most this many bytes of a line.
const MANIFEST_MAX_LINE: usize = 1024;

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum FileType {
    Base,
    History,
    Incr,
}

impl FileType {
    fn letter(self) -> char {
        match self {
            FileType::Base => 'b',
            FileType::History => 'h',
            FileType::Incr => 'i',
        }
    }
}

/// One line of the manifest (`aofInfo`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AofInfo {
    pub file_name: String,
    pub file_seq: i64,
    pub file_type: FileType,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Manifest {
    pub base: Option<AofInfo>,
    /// Incremental files, in sequence order: loaded after the base.
    pub incr: Vec<AofInfo>,
    /// Files a rewrite made obsolete, to delete.
    pub history: Vec<AofInfo>,
    pub curr_base_file_seq: i64,
    pub curr_incr_file_seq: i64,
    /// Changed since it was last persisted.
    pub dirty: bool,
}

/// A manifest Redis refuses to start with: what it logs before `exit(1)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManifestError {
    /// The line number and the trimmed line, when the error is about one.
    pub line: Option<(usize, String)>,
    pub reason: &'static str,
}

impl ManifestError {
    /// The warnings Redis logs, in order.
    pub fn log_lines(&self) -> Vec<String> {
        let mut lines = vec!["\n*** FATAL AOF MANIFEST FILE ERROR ***\n".to_string()];
        if let Some((number, text)) = &self.line {
            lines.push(format!("Reading the manifest file, at line {number}\n"));
            lines.push(format!(">>> '{text}'\n"));
        }
        lines.push(format!("{}\n", self.reason));
        lines
    }
}

/// `sdsneedsrepr`: a name with a space, quote, backslash or unprintable byte is written
/// quoted, so `sdssplitargs` reads it back.
fn needs_repr(name: &[u8]) -> bool {
    name.iter().any(|&b| {
        matches!(b, b'\\' | b'"' | b'\n' | b'\r' | b'\t' | 7 | 8)
            || !(0x20..=0x7e).contains(&b)
            || b == b' '
            || b == 0x0b
            || b == 0x0c
    })
}

impl Manifest {
    /// `getAofManifestAsString`: base, then history, then incremental files.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let lines = self.base.iter().chain(&self.history).chain(&self.incr);
        for info in lines {
            let name = if needs_repr(info.file_name.as_bytes()) {
                let mut quoted = Vec::new();
                crate::util::sds_repr(info.file_name.as_bytes(), &mut quoted);
                String::from_utf8_lossy(&quoted).into_owned()
            } else {
                info.file_name.clone()
            };
            out.push_str(&format!(
                "file {name} seq {} type {}\n",
                info.file_seq,
                info.file_type.letter()
            ));
        }
        out
    }

    /// `aofLoadManifestFromFile`, on the file's bytes.
    pub fn parse(data: &[u8]) -> Result<Manifest, ManifestError> {
        let mut am = Manifest::default();
        let mut maxseq = 0i64;
        let mut linenum = 0usize;
        let mut rest = data;
        let error = |line: Option<(usize, &[u8])>, reason| ManifestError {
            line: line.map(|(n, l)| (n, String::from_utf8_lossy(l).into_owned())),
            reason,
        };
        loop {
            if rest.is_empty() {
                if linenum == 0 {
                    return Err(error(None, "Found an empty AOF manifest"));
                }
                return Ok(am);
            }
            // fgets: up to and including a newline, at most MANIFEST_MAX_LINE bytes.
            let take = match rest.iter().position(|&b| b == b'\n') {
                Some(nl) if nl < MANIFEST_MAX_LINE => nl + 1,
                _ => rest.len().min(MANIFEST_MAX_LINE),
            };
            let (chunk, after) = rest.split_at(take);
            rest = after;
            linenum += 1;
            // What follows is read as a C string: it ends at a NUL.
            let buf = crate::util::c_str(chunk);
            if buf.first() == Some(&b'#') {
                continue;
            }
            if !buf.contains(&b'\n') {
                return Err(error(None, "The AOF manifest file contains too long line"));
            }
            let line = trim(buf);
            let here = Some((linenum, line));
            if line.is_empty() {
                return Err(error(here, "Invalid AOF manifest file format"));
            }
            let argv = match crate::resp::parse::split_args(line) {
                Some(argv) if argv.len() >= 6 && argv.len() % 2 == 0 => argv,
                _ => return Err(error(here, "Invalid AOF manifest file format")),
            };
            let (mut name, mut seq, mut file_type) = (None, 0i64, 0u8);
            for pair in argv.chunks_exact(2) {
                let (key, value) = (&pair[0], &pair[1]);
                if key.eq_ignore_ascii_case(b"file") {
                    let value = crate::util::c_str(value);
                    if value.contains(&b'/') || value.contains(&b'\\') {
                        return Err(error(here, "File can't be a path, just a filename"));
                    }
                    name = Some(String::from_utf8_lossy(value).into_owned());
                } else if key.eq_ignore_ascii_case(b"seq") {
                    seq = crate::util::int::strtoll(crate::util::c_str(value)).0;
                } else if key.eq_ignore_ascii_case(b"type") {
                    file_type = value.first().copied().unwrap_or(0);
                }
            }
            let name = match name {
                Some(name) if seq != 0 && file_type != 0 => name,
                _ => return Err(error(here, "Invalid AOF manifest file format")),
            };
            match file_type {
                b'b' => {
                    if am.base.is_some() {
                        return Err(error(here, "Found duplicate base file information"));
                    }
                    am.curr_base_file_seq = seq;
                    am.base = Some(AofInfo {
                        file_name: name,
                        file_seq: seq,
                        file_type: FileType::Base,
                    });
                }
                b'h' => am.history.push(AofInfo {
                    file_name: name,
                    file_seq: seq,
                    file_type: FileType::History,
                }),
                b'i' => {
                    if seq <= maxseq {
                        return Err(error(here, "Found a non-monotonic sequence number"));
                    }
                    am.incr.push(AofInfo {
                        file_name: name,
                        file_seq: seq,
                        file_type: FileType::Incr,
                    });
                    am.curr_incr_file_seq = seq;
                    maxseq = seq;
                }
                _ => return Err(error(here, "Unknown AOF file type")),
            }
        }
    }

    /// `getNewBaseFileNameAndMarkPreAsHistory`.
    pub fn new_base_file(&mut self, aof_filename: &str, rdb_preamble: bool) -> String {
        if let Some(mut old) = self.base.take() {
            old.file_type = FileType::History;
            self.history.insert(0, old);
        }
        self.curr_base_file_seq = self.curr_base_file_seq.saturating_add(1);
        let format = if rdb_preamble { ".rdb" } else { ".aof" };
        let name = format!("{aof_filename}.{}.base{format}", self.curr_base_file_seq);
        self.base = Some(AofInfo {
            file_name: name.clone(),
            file_seq: self.curr_base_file_seq,
            file_type: FileType::Base,
        });
        self.dirty = true;
        name
    }

    /// `getNewIncrAofName`.
    pub fn new_incr_file(&mut self, aof_filename: &str) -> String {
        self.curr_incr_file_seq = self.curr_incr_file_seq.saturating_add(1);
        let name = format!("{aof_filename}.{}.incr.aof", self.curr_incr_file_seq);
        self.incr.push(AofInfo {
            file_name: name.clone(),
            file_seq: self.curr_incr_file_seq,
            file_type: FileType::Incr,
        });
        self.dirty = true;
        name
    }

    /// `getLastIncrAofName`: the last incremental file, or a new one.
    pub fn last_incr_file(&mut self, aof_filename: &str) -> String {
        match self.incr.last() {
            Some(info) => info.file_name.clone(),
            None => self.new_incr_file(aof_filename),
        }
    }

    /// `markRewrittenIncrAofAsHistory`: every incremental file but the one being written
    /// (when `keep_last`, AOF on) becomes history.
    pub fn mark_rewritten_incr_as_history(&mut self, keep_last: bool) {
        if self.incr.is_empty() {
            return;
        }
        let keep = usize::from(keep_last).min(self.incr.len());
        let moved: Vec<AofInfo> = self.incr.drain(..self.incr.len() - keep).collect();
        // Redis walks from the tail and adds each at the head: the order is kept.
        for (i, mut info) in moved.into_iter().enumerate() {
            info.file_type = FileType::History;
            self.history.insert(i, info);
        }
        self.dirty = true;
    }

    /// The files to load: base first, then the incremental ones.
    pub fn files_to_load(&self) -> impl Iterator<Item = &AofInfo> {
        self.base.iter().chain(&self.incr)
    }
}

/// `getAofManifestFileName`.
pub fn manifest_file_name(aof_filename: &str) -> String {
    format!("{aof_filename}.manifest")
}

/// `getTempAofManifestFileName`.
pub fn temp_manifest_file_name(aof_filename: &str) -> String {
    format!("temp-{aof_filename}.manifest")
}

/// `getTempIncrAofName`: where writes go while AOF waits for its first rewrite.
pub fn temp_incr_file_name(aof_filename: &str) -> String {
    format!("temp-{aof_filename}.incr")
}

/// `sdstrim(line, " \t\r\n")`.
fn trim(line: &[u8]) -> &[u8] {
    let is_trim = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    let start = line.iter().position(|b| !is_trim(b)).unwrap_or(line.len());
    let end = line
        .iter()
        .rposition(|b| !is_trim(b))
        .map_or(start, |e| e + 1);
    &line[start..end.max(start)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_round_trips_in_redis_order() {
        let mut am = Manifest::default();
        am.new_base_file("appendonly.aof", true);
        am.new_incr_file("appendonly.aof");
        am.new_incr_file("appendonly.aof");
        // A rewrite while AOF is on: the current file stays incremental.
        am.new_incr_file("appendonly.aof");
        am.new_base_file("appendonly.aof", true);
        am.mark_rewritten_incr_as_history(true);
        let text = am.to_text();
        assert_eq!(
            text,
            "file appendonly.aof.2.base.rdb seq 2 type b\n\
             file appendonly.aof.1.incr.aof seq 1 type h\n\
             file appendonly.aof.2.incr.aof seq 2 type h\n\
             file appendonly.aof.1.base.rdb seq 1 type h\n\
             file appendonly.aof.3.incr.aof seq 3 type i\n"
        );
        let mut parsed = Manifest::parse(text.as_bytes()).unwrap();
        parsed.dirty = am.dirty;
        assert_eq!(parsed, am);
    }

    #[test]
    fn names_that_need_quoting_are_quoted() {
        let mut am = Manifest::default();
        am.new_base_file("my file.aof", false);
        assert_eq!(
            am.to_text(),
            "file \"my file.aof.1.base.aof\" seq 1 type b\n"
        );
        let parsed = Manifest::parse(am.to_text().as_bytes()).unwrap();
        assert_eq!(parsed.base.unwrap().file_name, "my file.aof.1.base.aof");
    }

    fn reason(text: &[u8]) -> &'static str {
        Manifest::parse(text).unwrap_err().reason
    }

    #[test]
    fn bad_manifests_get_redis_errors() {
        assert_eq!(reason(b""), "Found an empty AOF manifest");
        assert_eq!(
            Manifest::parse(b"# only a comment\n"),
            Ok(Manifest::default())
        );
        assert_eq!(
            reason(b"file a seq 1 type b"),
            "The AOF manifest file contains too long line"
        );
        assert_eq!(reason(b"\n"), "Invalid AOF manifest file format");
        assert_eq!(
            reason(b"file a seq 1\n"),
            "Invalid AOF manifest file format"
        );
        assert_eq!(
            reason(b"file a seq 0 type b\n"),
            "Invalid AOF manifest file format"
        );
        assert_eq!(
            reason(b"file a/b seq 1 type b\n"),
            "File can't be a path, just a filename"
        );
        assert_eq!(
            reason(b"file a seq 1 type b\nfile b seq 2 type b\n"),
            "Found duplicate base file information"
        );
        assert_eq!(
            reason(b"file a seq 2 type i\nfile b seq 2 type i\n"),
            "Found a non-monotonic sequence number"
        );
        assert_eq!(reason(b"file a seq 1 type x\n"), "Unknown AOF file type");
        let long = [b"file ".as_slice(), &[b'a'; 1100], b" seq 1 type b\n"].concat();
        assert_eq!(
            reason(&long),
            "The AOF manifest file contains too long line"
        );
        let err = Manifest::parse(b"file a seq 1 type b\nfile b\n").unwrap_err();
        assert_eq!(
            err.log_lines(),
            vec![
                "\n*** FATAL AOF MANIFEST FILE ERROR ***\n",
                "Reading the manifest file, at line 2\n",
                ">>> 'file b'\n",
                "Invalid AOF manifest file format\n"
            ]
        );
    }

    #[test]
    fn unknown_keys_and_comments_are_skipped() {
        let am = Manifest::parse(b"# hi\nfile a seq 3 type i extra x\n").unwrap();
        assert_eq!(am.incr.len(), 1);
        assert_eq!(am.curr_incr_file_seq, 3);
    }
}
