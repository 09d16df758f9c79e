//! The YAML layer: granit-parser events become a small per-document arena in which every node
//! keeps its byte span. Nothing above this module sees the parser. Plain block documents, most
//! of them, get the same events from the fast path in `block_yaml` instead.
//!
//! A document is parsed on its own (see `split`), so one broken document never hides the others
//! and documents parse in parallel. Aliases are kept as references and merge keys (`<<`) are
//! folded into their mapping; the expanded size of every node is bounded at build time, so
//! consumers may follow aliases freely without a billion-laughs blow-up.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use granit_parser::{ErrorKind, Event, Options, Parser, ScalarStyle, StructureStyle};

use crate::source::{FileId, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

/// The text of a scalar. Kept small (12 bytes) because a document has one per scalar.
#[derive(Debug, Clone, Copy)]
pub enum Text {
    /// A range of the file's text, when the parser could hand out the source slice unchanged.
    Src(u32, u32),
    /// Index into `Document::owned`: text the parser had to rewrite (escapes, folding).
    Owned(u32),
}

/// A node's value. 20 bytes: collections are ranges of the document's shared lists
/// (`Document::pairs`, `Document::items`), and the rare owned texts and tags live beside the
/// nodes (`Document::owned`, `Document::tags`).
#[derive(Debug, Clone)]
pub enum Value {
    Scalar {
        text: Text,
        style: Style,
        tag: Option<TagId>,
    },
    /// The mapping's entries: a range of `Document::pairs` (merge keys already folded in).
    Map(Extent),
    /// The sequence's items: a range of `Document::items`.
    Seq(Extent),
    Alias(NodeId),
}

/// A range of one of a document's shared lists: where a collection's children are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Extent {
    pub start: u32,
    pub len: u32,
}

impl Extent {
    /// The range over a list that has grown from `start` to `end` entries. Lists longer than
    /// `u32::MAX` cannot be addressed; such a range comes out empty rather than wrong.
    fn new(start: usize, end: usize) -> Self {
        match (
            u32::try_from(start),
            u32::try_from(end.saturating_sub(start)),
        ) {
            (Ok(start), Ok(len)) if start.checked_add(len).is_some() => Extent { start, len },
            _ => Extent::default(),
        }
    }

    /// The part of `list` this range covers (empty if out of bounds).
    pub fn of<T>(self, list: &[T]) -> &[T] {
        let start = self.start as usize;
        list.get(start..start.saturating_add(self.len as usize))
            .unwrap_or(&[])
    }

    pub fn is_empty(self) -> bool {
        self.len == 0
    }
}

/// Index into `Document::tags` (plus one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TagId(std::num::NonZeroU32);

/// 32 bytes: the padding makes indexing a shift instead of a multiplication by 28, which the
/// accessors (every `doc.str`, `doc.get`) pay on each step.
#[derive(Debug, Clone)]
#[repr(align(8))]
pub struct Node {
    pub value: Value,
    pub span: Span,
}

/// A scalar resolved by the YAML 1.2 core schema (the schema Kubernetes' JSON decoding agrees with
/// for everything but a few YAML 1.1-isms, which rules may flag from the raw text).
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar<'a> {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(&'a str),
}

impl Scalar<'_> {
    pub fn type_name(&self) -> &'static str {
        match self {
            Scalar::Null => "null",
            Scalar::Bool(_) => "boolean",
            Scalar::Int(_) => "integer",
            Scalar::Float(_) => "number",
            Scalar::Str(_) => "string",
        }
    }
}

/// One YAML document with its nodes. Cheap to share: the text is reference-counted.
#[derive(Debug, Clone)]
pub struct Document {
    pub file: FileId,
    /// Position of the document in its file (0-based), for messages and stable ordering.
    pub index: u32,
    pub text: Arc<str>,
    pub nodes: Vec<Node>,
    /// The entries of every mapping, each mapping's a contiguous range (`Value::Map`).
    pub pairs: Vec<(NodeId, NodeId)>,
    /// The items of every sequence, each sequence's a contiguous range (`Value::Seq`).
    pub items: Vec<NodeId>,
    /// Scalar texts that are not a slice of the file (`Text::Owned`).
    pub owned: Vec<Box<str>>,
    /// Tags of scalars (`!!str`, `!custom`), by `TagId`.
    pub tags: Vec<Box<str>>,
    pub root: Option<NodeId>,
    pub span: Span,
    /// Helm's `# Source: chart/templates/x.yaml` comment in front of the document, if any.
    pub helm_source: Option<String>,
}

impl Document {
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.0 as usize]
    }

    /// Follows aliases to the node that holds the value.
    pub fn resolve(&self, mut id: NodeId) -> NodeId {
        // Aliases only point backwards at completed nodes, so this terminates; the bound is a
        // second line of defence.
        for _ in 0..64 {
            match self.nodes[id.0 as usize].value {
                Value::Alias(target) => id = target,
                _ => return id,
            }
        }
        id
    }

    pub fn value(&self, id: NodeId) -> &Value {
        &self.node(self.resolve(id)).value
    }

    /// Span of the node as written (an alias keeps its own span, not its anchor's).
    pub fn span(&self, id: NodeId) -> Span {
        self.node(id).span
    }

    pub fn is_map(&self, id: NodeId) -> bool {
        matches!(self.value(id), Value::Map(_))
    }

    pub fn entries(&self, id: NodeId) -> &[(NodeId, NodeId)] {
        match self.value(id) {
            Value::Map(extent) => extent.of(&self.pairs),
            _ => &[],
        }
    }

    pub fn items(&self, id: NodeId) -> &[NodeId] {
        match self.value(id) {
            Value::Seq(extent) => extent.of(&self.items),
            _ => &[],
        }
    }

    /// The raw text of a scalar (after YAML escapes), or `None` for collections.
    pub fn str(&self, id: NodeId) -> Option<&str> {
        match self.value(id) {
            Value::Scalar { text, .. } => Some(self.text_of(text)),
            _ => None,
        }
    }

    fn text_of<'a>(&'a self, text: &'a Text) -> &'a str {
        text_str(&self.text, &self.owned, text)
    }

    pub fn style(&self, id: NodeId) -> Option<Style> {
        match self.value(id) {
            Value::Scalar { style, .. } => Some(*style),
            _ => None,
        }
    }

    pub fn tag(&self, id: NodeId) -> Option<&str> {
        match self.value(id) {
            Value::Scalar { tag: Some(tag), .. } => {
                self.tags.get(tag.0.get() as usize - 1).map(|t| &**t)
            }
            _ => None,
        }
    }

    /// The scalar resolved by the core schema; `None` for collections.
    pub fn scalar(&self, id: NodeId) -> Option<Scalar<'_>> {
        let Value::Scalar { text, style, tag } = self.value(id) else {
            return None;
        };
        let raw = self.text_of(text);
        if let Some(tag) = tag.and_then(|t| self.tags.get(t.0.get() as usize - 1)) {
            return Some(match &**tag {
                "str" | "binary" | "timestamp" => Scalar::Str(raw),
                "null" => Scalar::Null,
                _ => resolve_plain(raw),
            });
        }
        if *style != Style::Plain {
            return Some(Scalar::Str(raw));
        }
        Some(resolve_plain(raw))
    }

    pub fn is_null(&self, id: NodeId) -> bool {
        matches!(self.scalar(id), Some(Scalar::Null))
    }

    /// The value of `key` in mapping `map`.
    pub fn get(&self, map: NodeId, key: &str) -> Option<NodeId> {
        self.get_entry(map, key).map(|(_, v)| v)
    }

    /// The key and value nodes of `key` in mapping `map`.
    pub fn get_entry(&self, map: NodeId, key: &str) -> Option<(NodeId, NodeId)> {
        self.entries(map)
            .iter()
            .copied()
            .find(|&(k, _)| self.str(k) == Some(key))
    }

    /// Walks a path of keys and sequence indices from `from`.
    pub fn path(&self, from: NodeId, path: &[PathSeg<'_>]) -> Option<NodeId> {
        let mut at = from;
        for seg in path {
            at = match seg {
                PathSeg::Key(k) => self.get(at, k)?,
                PathSeg::Index(i) => *self.items(at).get(*i)?,
            };
        }
        Some(at)
    }

    /// The scalar text at `key`, if it is a scalar that is not null.
    pub fn get_str(&self, map: NodeId, key: &str) -> Option<&str> {
        let v = self.get(map, key)?;
        match self.scalar(v)? {
            Scalar::Null => None,
            _ => self.str(v),
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub enum PathSeg<'a> {
    Key(&'a str),
    Index(usize),
}

/// YAML 1.2 core schema resolution of a plain scalar.
pub fn resolve_plain(raw: &str) -> Scalar<'_> {
    match raw {
        "" | "~" | "null" | "Null" | "NULL" => return Scalar::Null,
        "true" | "True" | "TRUE" => return Scalar::Bool(true),
        "false" | "False" | "FALSE" => return Scalar::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Scalar::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Scalar::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Scalar::Float(f64::NAN),
        _ => {}
    }
    let bytes = raw.as_bytes();
    let first = bytes[0];
    if !(first.is_ascii_digit() || first == b'-' || first == b'+' || first == b'.') {
        return Scalar::Str(raw);
    }
    if let Some(hex) = raw.strip_prefix("0x") {
        if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return i128::from_str_radix(hex, 16).map_or(Scalar::Str(raw), Scalar::Int);
        }
        return Scalar::Str(raw);
    }
    if let Some(oct) = raw.strip_prefix("0o") {
        if !oct.is_empty() && oct.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
            return i128::from_str_radix(oct, 8).map_or(Scalar::Str(raw), Scalar::Int);
        }
        return Scalar::Str(raw);
    }
    let digits = raw.strip_prefix(['-', '+']).unwrap_or(raw);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        // Integers too long for i128 still are integers; they saturate and fail range checks.
        return Scalar::Int(raw.parse::<i128>().unwrap_or(if raw.starts_with('-') {
            i128::MIN
        } else {
            i128::MAX
        }));
    }
    if is_core_float(digits)
        && let Ok(f) = raw.parse::<f64>()
    {
        return Scalar::Float(f);
    }
    Scalar::Str(raw)
}

/// `[-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?` without the sign.
fn is_core_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let int_digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    i += int_digits;
    let mut frac_digits = 0;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        frac_digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        i += frac_digits;
    }
    if int_digits == 0 && frac_digits == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
            i += 1;
        }
        let exp = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if exp == 0 {
            return false;
        }
        i += exp;
    }
    i == b.len()
}

/// What went wrong while turning text into documents.
#[derive(Debug, Clone, PartialEq)]
pub enum YamlProblem {
    /// The parser's own reason.
    Syntax(String),
    /// A budget was exceeded; the message names the budget and the flag that raises it.
    Budget(String),
    /// The same key twice in one mapping; `first` is the span of the earlier key.
    DuplicateKey { key: String, first: Span },
}

#[derive(Debug, Clone)]
pub struct YamlError {
    pub span: Span,
    pub problem: YamlProblem,
}

/// Limits that keep hostile input bounded in time and memory.
#[derive(Debug, Clone, Copy)]
pub struct Budgets {
    /// Largest file read, in bytes.
    pub max_file_bytes: usize,
    /// Most documents in one file.
    pub max_documents: usize,
    /// Most nodes in one document once aliases and merge keys are expanded.
    pub max_expanded_nodes: u64,
    /// Deepest nesting of collections.
    pub max_depth: usize,
    /// Longest single scalar, in bytes.
    pub max_scalar_bytes: usize,
    /// Most nodes in all the documents of one file together (aliases count once). Bounds memory:
    /// a file within `max_file_bytes` can otherwise hold one node per two bytes.
    pub max_file_nodes: u64,
}

impl Default for Budgets {
    fn default() -> Self {
        // Sized so that every realistic input goes through whole (a `helm template` stream of a
        // million documents, a GiB of YAML: what the typed model of that needs is about what a
        // machine running CI holds), while hostile input stops early: aliases are bounded per
        // document, nesting and scalars everywhere.
        Budgets {
            max_file_bytes: 1 << 30,
            max_documents: 10_000_000,
            max_expanded_nodes: 1_000_000,
            max_depth: 128,
            max_scalar_bytes: 8 << 20,
            max_file_nodes: 1 << 28,
        }
    }
}

/// A slice of a file that holds one document (split at `---` lines).
#[derive(Debug, Clone)]
pub struct Chunk {
    pub start: usize,
    pub end: usize,
    pub helm_source: Option<String>,
}

/// Splits a stream at `---` lines. YAML forbids such a line inside any scalar, so this is safe,
/// and it lets each document parse alone (in parallel, and with errors kept to it).
pub fn split(text: &str) -> Vec<Chunk> {
    let mut chunks = Vec::new();
    let mut start = 0;
    let mut helm_source: Option<String> = None;
    let mut seen_content = false;
    // Directives (`%YAML 1.2`, `%TAG ...`) belong to the document whose `---` follows them; they
    // may stand at the start of the stream or after a `...` document end.
    let mut directives_may_follow = true;
    let mut directives_from: Option<usize> = None;
    let mut pos = 0;
    for line in lines_inclusive(text) {
        let bare = line.trim_end_matches(['\n', '\r']);
        let is_marker = bare.starts_with("---")
            && bare[3..]
                .chars()
                .next()
                .is_none_or(|c| c == ' ' || c == '\t');
        let is_end = bare.starts_with("...")
            && bare[3..]
                .chars()
                .next()
                .is_none_or(|c| c == ' ' || c == '\t');
        let is_directive =
            bare.starts_with('%') && (directives_may_follow || directives_from.is_some());
        // Only needed before a document's content and around directives: a deeply indented
        // document must not cost a scan of every line's indentation.
        let needs_blank = !seen_content || directives_may_follow || directives_from.is_some();
        let is_blank = needs_blank && {
            let body = bare.trim_start_matches([' ', '\t']);
            body.is_empty() || body.starts_with('#')
        };
        if is_marker {
            let at = directives_from.take().unwrap_or(pos);
            if at > start {
                chunks.push(Chunk {
                    start,
                    end: at,
                    helm_source: helm_source.take(),
                });
                start = at;
                seen_content = false;
            }
        }
        if is_directive {
            directives_from.get_or_insert(pos);
        } else if is_end {
            directives_may_follow = true;
        } else if !is_blank {
            directives_may_follow = false;
            directives_from = None;
        }
        if !seen_content {
            if let Some(src) = bare.strip_prefix("# Source: ") {
                helm_source = Some(src.trim().to_string());
            } else if !is_marker && !is_directive && !is_blank {
                seen_content = true;
            }
        }
        pos += line.len();
    }
    if pos > start || chunks.is_empty() {
        chunks.push(Chunk {
            start,
            end: pos,
            helm_source,
        });
    }
    chunks
}

/// The lines of `text`, each with its `\n` (as `str::split_inclusive('\n')`, which costs ten times
/// more: it was 2% of a whole analysis).
fn lines_inclusive(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = memchr::memchr(b'\n', rest.as_bytes()).map_or(rest.len(), |i| i + 1);
        let (line, tail) = rest.split_at(end);
        rest = tail;
        Some(line)
    })
}

/// The result of parsing one chunk: normally one document, possibly none (only comments) or
/// several (an explicit `...` end followed by more content).
#[derive(Debug, Default)]
pub struct Parsed {
    pub documents: Vec<Document>,
    pub errors: Vec<YamlError>,
}

pub fn parse_chunk(
    file: FileId,
    text: &Arc<str>,
    chunk: &Chunk,
    first_index: u32,
    budgets: &Budgets,
) -> Parsed {
    parse_chunk_counted(
        file,
        text,
        chunk,
        first_index,
        budgets,
        &FileNodes::default(),
    )
}

/// Nodes built so far for one file, shared by the parallel parses of its documents. Once the
/// count passes `Budgets::max_file_nodes` every parse of that file stops early; the loader then
/// skips the whole file, so the outcome does not depend on which parse noticed first.
#[derive(Debug, Default)]
pub struct FileNodes(AtomicU64);

impl FileNodes {
    /// Whether the file's documents together exceed the budget. Exact once every parse of the
    /// file has returned: a parse stops early only after the count has already passed it.
    pub fn exceeded(&self, budgets: &Budgets) -> bool {
        self.0.load(Ordering::Relaxed) > budgets.max_file_nodes
    }
}

/// Nodes a builder counts locally before adding them to the file's shared count.
const NODE_BATCH: u64 = 4096;

/// `parse_chunk` with a node count shared by every document of the file.
pub fn parse_chunk_counted(
    file: FileId,
    text: &Arc<str>,
    chunk: &Chunk,
    first_index: u32,
    budgets: &Budgets,
    file_nodes: &FileNodes,
) -> Parsed {
    if file_nodes.exceeded(budgets) {
        return Parsed::default();
    }
    // The scratch buffers of this thread are reused from chunk to chunk (a chunk is usually one
    // small document): taken out and put back, so a nested call would only allocate anew.
    let scratch = SCRATCH.with(|s| std::mem::take(&mut *s.borrow_mut()));
    let mut builder = Builder::new(file, text, chunk, first_index, budgets, file_nodes, scratch);
    let kept = builder.run();
    let parsed = if kept {
        Parsed {
            documents: std::mem::take(&mut builder.documents),
            errors: std::mem::take(&mut builder.errors),
        }
    } else {
        // Over the file's budget: the loader reports the file as a whole; nothing is kept.
        Parsed::default()
    };
    builder.reset();
    let mut scratch = std::mem::take(&mut builder.scratch);
    scratch.trim();
    SCRATCH.with(|s| *s.borrow_mut() = scratch);
    parsed
}

/// granit's messages end with " at byte N line L column C"; we print our own position.
fn clean_parser_message(message: &str) -> String {
    let cut = [" at byte ", " at char ", " at line "]
        .iter()
        .filter_map(|p| message.find(p))
        .min();
    let core = cut.map_or(message, |i| &message[..i]);
    core.trim().to_string()
}

/// The tab the parser complains about: the first one in the indentation of the line of `at`, else
/// the one just before `at` (the parser reports the position after it).
fn tab_near(src: &str, at: usize) -> Option<usize> {
    let line_start = src.get(..at)?.rfind('\n').map_or(0, |i| i + 1);
    let indent_end = src[line_start..]
        .find(|c| c != ' ' && c != '\t')
        .map_or(src.len(), |i| line_start + i);
    src[line_start..indent_end]
        .find('\t')
        .map(|i| line_start + i)
        .or_else(|| src[..at].ends_with('\t').then(|| at - 1))
}

fn text_str<'a>(text: &'a str, owned: &'a [Box<str>], t: &Text) -> &'a str {
    match *t {
        Text::Src(start, end) => text.get(start as usize..end as usize).unwrap_or(""),
        Text::Owned(i) => owned.get(i as usize).map_or("", |s| s),
    }
}

/// A collection being built: its node and where its children start in `Scratch::children`.
struct Open {
    id: NodeId,
    map: bool,
    /// A flow collection (`[`, `{`).
    flow: bool,
    start: usize,
}

/// Buffers of the builder, kept per thread between chunks so that building a document allocates
/// only what the document keeps.
#[derive(Default)]
struct Scratch {
    nodes: Vec<Node>,
    /// Expanded size of each node once complete (aliases count their target's size); 0 while
    /// the node is still open.
    sizes: Vec<u64>,
    /// The node of each anchor; a later anchor of the same name replaces the earlier one.
    anchors: std::collections::HashMap<usize, NodeId>,
    stack: Vec<Open>,
    /// Children of the open collections, innermost last (a mapping's as key, value, key, ...).
    children: Vec<NodeId>,
    /// Entries of the closed mappings (`Document::pairs`).
    pairs: Vec<(NodeId, NodeId)>,
    /// Items of the closed sequences (`Document::items`).
    items: Vec<NodeId>,
    owned: Vec<Box<str>>,
    tags: Vec<Box<str>>,
    /// Events of the fast path (`block_yaml`), fed to the builder once the whole document is in
    /// its subset.
    fast: Vec<super::block_yaml::Token>,
}

impl Scratch {
    /// Nodes of capacity the scratch buffers keep between documents: plenty for Kubernetes
    /// resources, while one huge document does not pin its size for the rest of the run.
    const KEEP: usize = 1 << 14;

    fn trim(&mut self) {
        // Merge keys can make the entries outnumber the nodes.
        if self.pairs.capacity() > Self::KEEP {
            self.pairs.shrink_to(Self::KEEP);
        }
        if self.items.capacity() > Self::KEEP {
            self.items.shrink_to(Self::KEEP);
        }
        if self.nodes.capacity() > Self::KEEP {
            self.nodes.shrink_to(Self::KEEP);
            self.sizes.shrink_to(Self::KEEP);
            self.children.shrink_to(Self::KEEP);
            self.stack.shrink_to(Self::KEEP);
            self.anchors.shrink_to(Self::KEEP);
            self.owned.shrink_to(Self::KEEP);
            self.tags.shrink_to(Self::KEEP);
        }
        if self.fast.capacity() > Self::KEEP {
            self.fast.shrink_to(Self::KEEP);
        }
    }
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::default();
}

/// Mappings up to this many keys are checked for duplicate keys pairwise, larger ones by hashing.
const PAIRWISE_KEYS: usize = 24;

struct Builder<'a> {
    file: FileId,
    text: &'a Arc<str>,
    chunk: &'a Chunk,
    first_index: u32,
    next_index: u32,
    budgets: &'a Budgets,
    scratch: Scratch,
    /// Nodes of the document so far with every alias counted as its target's expanded size: an
    /// upper bound of the root's expanded size, known before the root closes.
    expanded: u64,
    root: Option<NodeId>,
    doc_start: usize,
    in_document: bool,
    documents: Vec<Document>,
    errors: Vec<YamlError>,
    file_nodes: &'a FileNodes,
    /// Nodes pushed since the last report to `file_nodes`.
    unreported: u64,
    /// Nodes pushed in this attempt at the chunk (a retry under `GoYaml` gives back what it
    /// reported).
    pushed: u64,
    over_file_budget: bool,
    /// Where go-yaml reads the chunk differently from granit-parser, and what it reads there.
    goyaml: GoYaml,
    /// End of the last event's span (absolute): where the next token starts looking.
    last_end: usize,
}

/// How go-yaml (through sigs.k8s.io/yaml, what `kubectl apply` reads) differs from the YAML 1.2
/// grammar granit-parser follows, for documents go-yaml accepts. The chunk is re-parsed from a
/// same-length copy of its text in which each difference is rewritten into something
/// granit-parser reads the go-yaml way; spans stay byte offsets of the original text.
#[derive(Debug, Default)]
struct GoYaml {
    /// Offsets of `:` that go-yaml keeps in a plain scalar of a flow collection because a flow
    /// indicator, not a space, follows (`[2001:db8::]`); YAML 1.2 reads a mapping there. They are
    /// rewritten to a plain character; the scalar's text is still the original's.
    flow_colons: Vec<usize>,
    /// Multi-line quoted scalars whose continuation lines are not indented past their block
    /// (`k: 'one\n  two'`), which go-yaml never checks: the offset of the opening quote, of the
    /// closing quote, and the value go-yaml reads. Their line breaks are rewritten to spaces.
    quoted: Vec<(usize, usize, Box<str>)>,
    /// Set while parsing when the chunk needs (another) rewritten parse.
    retry: bool,
}

/// Rewritten parses of one chunk at most: each fixes every difference seen so far.
const GOYAML_RETRIES: usize = 64;

impl GoYaml {
    fn is_empty(&self) -> bool {
        self.flow_colons.is_empty() && self.quoted.is_empty()
    }

    /// The chunk's text `src` (starting at `base` in the file) with the differences rewritten.
    fn rewrite(&self, src: &str, base: usize) -> String {
        let mut bytes = src.as_bytes().to_vec();
        for &at in &self.flow_colons {
            if let Some(b) = at.checked_sub(base).and_then(|i| bytes.get_mut(i)) {
                *b = b'_';
            }
        }
        for (open, close, _) in &self.quoted {
            let (Some(from), Some(to)) = (open.checked_sub(base), close.checked_sub(base)) else {
                continue;
            };
            for b in bytes.get_mut(from..to).unwrap_or(&mut []) {
                if matches!(*b, b'\n' | b'\r') {
                    *b = b' ';
                }
            }
        }
        // Only ASCII bytes were replaced by ASCII bytes.
        String::from_utf8(bytes).unwrap_or_else(|_| src.to_string())
    }

    /// The go-yaml value of the quoted scalar that starts at `at`, if it was rewritten.
    fn quoted_at(&self, span: Span) -> Option<&str> {
        self.quoted
            .iter()
            .find(|(open, _, _)| (span.start as usize..span.end as usize).contains(open))
            .map(|(_, _, value)| &**value)
    }
}

/// The quoted scalar that granit-parser rejected for the indentation of a continuation line at
/// `at`: it starts at the first quote after `from`. Returns the offsets of its quotes and its
/// value as go-yaml reads it, or `None` when this is not such a scalar (or go-yaml rejects it
/// too: a multi-line key).
fn underindented_quoted(text: &str, from: usize, at: usize) -> Option<(usize, usize, Box<str>)> {
    let b = text.as_bytes();
    let mut i = from;
    let open = loop {
        match *b.get(i)? {
            q @ (b'\'' | b'"') => break (i, q),
            b'#' if i == 0 || matches!(b.get(i - 1), Some(b' ' | b'\t' | b'\n')) => {
                i += memchr::memchr(b'\n', b.get(i..)?)?;
            }
            _ => i += 1,
        }
        if i >= at {
            return None;
        }
    };
    let (start, quote) = open;
    let mut j = start + 1;
    let close = loop {
        match *b.get(j)? {
            b'\\' if quote == b'"' => j += 2,
            b'\'' if quote == b'\'' && b.get(j + 1) == Some(&b'\'') => j += 2,
            q if q == quote => break j,
            _ => j += 1,
        }
    };
    if close < at {
        return None;
    }
    // A quoted key must stand on one line for go-yaml too.
    let rest = text.get(close + 1..)?.trim_start_matches([' ', '\t']);
    if rest.starts_with(':') && rest[1..].starts_with([' ', '\t', '\n', '\r']) || rest == ":" {
        return None;
    }
    // go-yaml folds the lines as YAML does and ignores their indentation: the same scalar with
    // every continuation line indented reads the same.
    let scalar = text.get(start..=close)?;
    let doc = format!(
        "v: {}",
        scalar.replace("\r\n", "\n").replace('\r', "\n").replace('\n', "\n ")
    );
    let mut parser = Parser::new_from_str(&doc);
    let mut value = None;
    let mut scalars = 0;
    for event in parser.by_ref() {
        match event.ok()?.0 {
            Event::Scalar(v, ..) => {
                scalars += 1;
                if scalars == 2 {
                    value = Some(v.into_owned().into_boxed_str());
                }
            }
            Event::StreamEnd => break,
            _ => {}
        }
    }
    Some((start, close, value?))
}

impl Drop for Builder<'_> {
    fn drop(&mut self) {
        // Every node counts, so the file's total is exact when all its parses have returned.
        self.file_nodes
            .0
            .fetch_add(self.unreported, Ordering::Relaxed);
    }
}

impl<'a> Builder<'a> {
    fn new(
        file: FileId,
        text: &'a Arc<str>,
        chunk: &'a Chunk,
        first_index: u32,
        budgets: &'a Budgets,
        file_nodes: &'a FileNodes,
        scratch: Scratch,
    ) -> Self {
        let mut builder = Builder {
            file,
            text,
            chunk,
            first_index,
            next_index: first_index,
            budgets,
            scratch,
            expanded: 0,
            root: None,
            doc_start: chunk.start,
            in_document: false,
            documents: Vec::new(),
            errors: Vec::new(),
            file_nodes,
            unreported: 0,
            pushed: 0,
            over_file_budget: false,
            goyaml: GoYaml::default(),
            last_end: chunk.start,
        };
        builder.reset();
        builder
    }

    /// Parses the chunk; `false` when the file went over its node budget (nothing is kept).
    fn run(&mut self) -> bool {
        let chunk = self.chunk;
        let text = self.text;
        let src = &text[chunk.start..chunk.end];
        // Most documents are plain block YAML, which the fast path reads with granit-parser's
        // events at a fraction of its cost; the rest (and every error) is granit-parser's.
        let mut fast = std::mem::take(&mut self.scratch.fast);
        if super::block_yaml::scan(src, self.budgets.max_depth, &mut fast) {
            let mut kept = true;
            for token in &fast {
                let (event, range) = token.event(src);
                let span = Span::new(chunk.start + range.start, chunk.start + range.end);
                if let Err(problem) = self.event(event, span, src) {
                    self.fail(problem);
                    break;
                }
                if self.over_file_budget {
                    kept = false;
                    break;
                }
            }
            self.scratch.fast = fast;
            return kept;
        }
        self.scratch.fast = fast;
        for _ in 0..GOYAML_RETRIES {
            let rewritten = (!self.goyaml.is_empty()).then(|| self.goyaml.rewrite(src, chunk.start));
            let kept = self.run_granit(rewritten.as_deref().unwrap_or(src));
            if !kept || !self.goyaml.retry {
                return kept;
            }
            self.restart();
        }
        self.run_granit(src)
    }

    /// Starts the chunk over for a rewritten parse: what the last attempt built is dropped, and
    /// the nodes it reported to the file's count are given back.
    fn restart(&mut self) {
        self.goyaml.retry = false;
        let reported = self.pushed.saturating_sub(self.unreported);
        self.file_nodes.0.fetch_sub(
            reported.min(self.file_nodes.0.load(Ordering::Relaxed)),
            Ordering::Relaxed,
        );
        self.pushed = 0;
        self.unreported = 0;
        self.documents.clear();
        self.errors.clear();
        self.next_index = self.first_index;
        self.doc_start = self.chunk.start;
        self.last_end = self.chunk.start;
        self.reset();
    }

    /// Parses `src` (the chunk's text, or its go-yaml rewriting) with granit-parser.
    fn run_granit(&mut self, src: &str) -> bool {
        let chunk = self.chunk;
        let mut options = Options::default();
        options.emit_comments = false;
        options.block_nesting_limit = self.budgets.max_depth;
        options.flow_nesting_limit = self.budgets.max_depth;
        let mut parser = Parser::new_from_str_with_options(src, options);
        loop {
            match parser.next_event() {
                None => break,
                Some(Ok((event, span))) => {
                    let range = span.byte_range().unwrap_or(0..0);
                    let span = Span::new(chunk.start + range.start, chunk.start + range.end);
                    if let Err(problem) = self.event(event, span, src) {
                        self.fail(problem);
                        break;
                    }
                    if self.over_file_budget {
                        return false;
                    }
                }
                Some(Err(err)) => {
                    let at = err.marker().byte_offset().unwrap_or(0).min(src.len());
                    if matches!(err.kind(), ErrorKind::InvalidQuotedScalarIndent)
                        && self.goyaml.quoted.len() < GOYAML_RETRIES
                        && let Some(quoted) =
                            underindented_quoted(self.text, self.last_end, chunk.start + at)
                        && !self.goyaml.quoted.iter().any(|q| q.0 == quoted.0)
                    {
                        self.goyaml.quoted.push(quoted);
                        self.goyaml.retry = true;
                        break;
                    }
                    let problem = if matches!(err.kind(), ErrorKind::RecursionLimitExceeded) {
                        YamlProblem::Budget(format!(
                            "collections are nested more than {} levels deep; this document is skipped \
                             (raise the budget with --max-depth)",
                            self.budgets.max_depth
                        ))
                    } else {
                        let reason = clean_parser_message(&err.to_string());
                        match self.unclosed_flow_before(chunk.start + at) {
                            // Most often a missing closing bracket, which the parser only notices
                            // on a later line.
                            Some(bracket) => {
                                let close = if bracket == '[' { ']' } else { '}' };
                                YamlProblem::Syntax(format!(
                                    "{reason}, inside a `{bracket}` opened on an earlier line (is its `{close}` missing?)"
                                ))
                            }
                            None => YamlProblem::Syntax(reason),
                        }
                    };
                    let span = match err.kind() {
                        ErrorKind::TabNotAllowed
                        | ErrorKind::TabInBlockIndentation
                        | ErrorKind::TabInIndentation
                        | ErrorKind::TabAtBlockScalarStart => tab_near(src, at),
                        _ => None,
                    }
                    .map_or(Span::empty(chunk.start + at), |tab| {
                        Span::new(chunk.start + tab, chunk.start + tab + 1)
                    });
                    self.errors.push(YamlError { span, problem });
                    self.abandon_document();
                    break;
                }
            }
        }
        true
    }

    /// The innermost open collection, if it is a flow collection opened on a line before `at`.
    fn unclosed_flow_before(&self, at: usize) -> Option<char> {
        let open = self.scratch.stack.last()?;
        let start = self.scratch.nodes.get(open.id.0 as usize)?.span.start as usize;
        let between = self.text.get(start..at)?;
        let bracket = self.text[start..].chars().next()?;
        (open.flow && between.contains('\n') && matches!(bracket, '[' | '{')).then_some(bracket)
    }

    fn fail(&mut self, problem_at: (Span, YamlProblem)) {
        self.errors.push(YamlError {
            span: problem_at.0,
            problem: problem_at.1,
        });
        self.abandon_document();
    }

    fn abandon_document(&mut self) {
        self.reset();
    }

    fn reset(&mut self) {
        let s = &mut self.scratch;
        s.nodes.clear();
        s.sizes.clear();
        s.anchors.clear();
        s.stack.clear();
        s.children.clear();
        s.pairs.clear();
        s.items.clear();
        s.owned.clear();
        s.tags.clear();
        self.expanded = 0;
        self.root = None;
        self.in_document = false;
    }

    fn push_node(&mut self, value: Value, span: Span, anchor: usize) -> NodeId {
        let s = &mut self.scratch;
        let id = NodeId(u32::try_from(s.nodes.len()).unwrap_or(u32::MAX));
        s.nodes.push(Node { value, span });
        s.sizes.push(0);
        self.unreported += 1;
        self.pushed += 1;
        self.expanded += 1;
        if self.unreported == NODE_BATCH {
            let before = self.file_nodes.0.fetch_add(NODE_BATCH, Ordering::Relaxed);
            self.unreported = 0;
            self.over_file_budget = before + NODE_BATCH > self.budgets.max_file_nodes;
        }
        if anchor != 0 {
            s.anchors.insert(anchor, id);
        }
        id
    }

    fn owned(&mut self, text: &str) -> Text {
        let s = &mut self.scratch;
        s.owned.push(text.into());
        Text::Owned(u32::try_from(s.owned.len() - 1).unwrap_or(u32::MAX))
    }

    fn event(
        &mut self,
        event: Event<'_>,
        span: Span,
        src: &str,
    ) -> Result<(), (Span, YamlProblem)> {
        self.last_end = self.last_end.max(span.end as usize);
        match event {
            Event::StreamStart | Event::StreamEnd => {}
            Event::DocumentStart(..) => {
                self.reset();
                self.in_document = true;
                self.doc_start = span.start as usize;
            }
            Event::DocumentEnd if self.in_document => self.finish_document(span),
            Event::DocumentEnd => {}
            Event::Scalar(value, style, anchor, tag) => {
                let value = match style {
                    ScalarStyle::Plain => {
                        self.note_flow_colon(span);
                        value
                    }
                    ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted
                        if !self.goyaml.quoted.is_empty() =>
                    {
                        match self.goyaml.quoted_at(span) {
                            Some(v) => std::borrow::Cow::Owned(v.to_string()),
                            None => value,
                        }
                    }
                    _ => value,
                };
                if value.len() > self.budgets.max_scalar_bytes {
                    return Err((
                        span,
                        YamlProblem::Budget(format!(
                            "a scalar of {} bytes is larger than the budget of {} bytes; this document \
                             is skipped (raise the budget with --max-scalar-bytes)",
                            value.len(),
                            self.budgets.max_scalar_bytes
                        )),
                    ));
                }
                let text = match &value {
                    std::borrow::Cow::Borrowed(s) => match borrowed_range(src, s) {
                        Some(start) => Text::Src(
                            (self.chunk.start + start) as u32,
                            (self.chunk.start + start + s.len()) as u32,
                        ),
                        None => self.owned(s),
                    },
                    std::borrow::Cow::Owned(s) => self.owned(s),
                };
                let style = match style {
                    ScalarStyle::Plain => Style::Plain,
                    ScalarStyle::SingleQuoted => Style::SingleQuoted,
                    ScalarStyle::DoubleQuoted => Style::DoubleQuoted,
                    ScalarStyle::Literal => Style::Literal,
                    _ => Style::Folded,
                };
                let tag = tag.map(|t| {
                    let name: Box<str> = t
                        .core_suffix()
                        .map_or_else(|| t.original().into_boxed_str(), Into::into);
                    let tags = &mut self.scratch.tags;
                    tags.push(name);
                    let n = u32::try_from(tags.len()).unwrap_or(u32::MAX);
                    TagId(std::num::NonZeroU32::new(n).unwrap_or(std::num::NonZeroU32::MAX))
                });
                let id = self.push_node(Value::Scalar { text, style, tag }, span, anchor);
                self.complete(id, 1)?;
            }
            Event::SequenceStart(style, anchor, _) => {
                let id = self.push_node(Value::Seq(Extent::default()), span, anchor);
                let start = self.scratch.children.len();
                self.scratch.stack.push(Open {
                    id,
                    map: false,
                    flow: style == StructureStyle::Flow,
                    start,
                });
            }
            Event::MappingStart(style, anchor, _) => {
                let id = self.push_node(Value::Map(Extent::default()), span, anchor);
                let start = self.scratch.children.len();
                self.scratch.stack.push(Open {
                    id,
                    map: true,
                    flow: style == StructureStyle::Flow,
                    start,
                });
            }
            Event::SequenceEnd => {
                if let Some(Open {
                    id,
                    map: false,
                    start,
                    ..
                }) = self.scratch.stack.pop()
                {
                    let s = &mut self.scratch;
                    let first = s.items.len();
                    s.items.extend_from_slice(&s.children[start..]);
                    s.children.truncate(start);
                    let size = s.items[first..]
                        .iter()
                        .fold(1u64, |n, c| n.saturating_add(s.sizes[c.0 as usize]));
                    let items = Extent::new(first, s.items.len());
                    self.close(id, Value::Seq(items), span, size)?;
                }
            }
            Event::MappingEnd => {
                if let Some(Open {
                    id,
                    map: true,
                    start,
                    ..
                }) = self.scratch.stack.pop()
                {
                    let s = &mut self.scratch;
                    let first = s.pairs.len();
                    s.pairs
                        .extend(s.children[start..].chunks_exact(2).map(|kv| (kv[0], kv[1])));
                    s.children.truncate(start);
                    self.check_keys(first);
                    let s = &self.scratch;
                    let size = s.pairs[first..].iter().fold(1u64, |n, (k, v)| {
                        n.saturating_add(s.sizes[k.0 as usize])
                            .saturating_add(s.sizes[v.0 as usize])
                    });
                    let entries = Extent::new(first, s.pairs.len());
                    self.close(id, Value::Map(entries), span, size)?;
                }
            }
            Event::Alias(anchor) => {
                let Some(target) = self.scratch.anchors.get(&anchor).copied() else {
                    return Err((
                        span,
                        YamlProblem::Syntax("alias to an unknown anchor".into()),
                    ));
                };
                let size = self.scratch.sizes[target.0 as usize];
                if size == 0 {
                    return Err((
                        span,
                        YamlProblem::Syntax("alias refers to a collection that contains it".into()),
                    ));
                }
                let id = self.push_node(Value::Alias(target), span, 0);
                // push_node counted the alias as one node; it stands for `size`.
                self.expanded = self.expanded.saturating_add(size - 1);
                self.complete(id, size)?;
            }
            _ => {}
        }
        Ok(())
    }

    /// A plain scalar that granit-parser ended at a `:` followed by a flow indicator: go-yaml
    /// reads the `:` as part of the scalar (it ends a plain scalar only before a space), so the
    /// chunk is read again with that `:` rewritten.
    fn note_flow_colon(&mut self, span: Span) {
        let b = self.text.as_bytes();
        let end = span.end as usize;
        if end > span.start as usize
            && b.get(end) == Some(&b':')
            && matches!(b.get(end + 1), Some(b',' | b']' | b'}'))
            && self.goyaml.flow_colons.len() < 4096
            && !self.goyaml.flow_colons.contains(&end)
        {
            self.goyaml.flow_colons.push(end);
            self.goyaml.retry = true;
        }
    }

    fn close(
        &mut self,
        id: NodeId,
        value: Value,
        end: Span,
        size: u64,
    ) -> Result<(), (Span, YamlProblem)> {
        let node = &mut self.scratch.nodes[id.0 as usize];
        node.value = value;
        if end.end > node.span.start {
            node.span.end = end.end;
        }
        self.complete(id, size)
    }

    /// Marks a node complete with its expanded size and attaches it to its parent, checking the
    /// expansion budget.
    fn complete(&mut self, id: NodeId, size: u64) -> Result<(), (Span, YamlProblem)> {
        let s = &mut self.scratch;
        s.sizes[id.0 as usize] = size.max(1);
        if size > self.budgets.max_expanded_nodes || self.expanded > self.budgets.max_expanded_nodes
        {
            return Err((
                s.nodes[id.0 as usize].span,
                YamlProblem::Budget(format!(
                    "the document expands to more than {} nodes through aliases; it is skipped \
                     (raise the budget with --max-yaml-nodes)",
                    self.budgets.max_expanded_nodes
                )),
            ));
        }
        if s.stack.is_empty() {
            self.root = Some(id);
        } else {
            s.children.push(id);
        }
        Ok(())
    }

    fn key_text(&self, id: NodeId) -> Option<&str> {
        let s = &self.scratch;
        match &s.nodes[self.resolve(id).0 as usize].value {
            Value::Scalar { text, .. } => Some(text_str(self.text, &s.owned, text)),
            _ => None,
        }
    }

    /// Whether the node itself (not an alias) is a plain scalar: only a plain `<<` is a merge key.
    fn is_plain(&self, k: NodeId) -> bool {
        matches!(
            &self.scratch.nodes[k.0 as usize].value,
            Value::Scalar {
                style: Style::Plain,
                ..
            }
        )
    }

    /// Reports duplicate keys of the mapping whose entries are `Scratch::pairs[first..]` and
    /// folds its `<<` merge keys into it (explicit keys win). Small mappings without merge keys,
    /// nearly all of them, are checked in place without allocating.
    fn check_keys(&mut self, first: usize) {
        let entries = &self.scratch.pairs[first..];
        // Each key's text is looked up once; the pairwise scan then compares slices.
        let mut keys: [Option<&str>; PAIRWISE_KEYS] = [None; PAIRWISE_KEYS];
        for (slot, &(k, _)) in keys.iter_mut().zip(entries) {
            *slot = self.key_text(k);
        }
        let has_merge_key = || {
            keys.iter()
                .zip(entries)
                .any(|(key, &(k, _))| *key == Some("<<") && self.is_plain(k))
        };
        if entries.len() > PAIRWISE_KEYS || has_merge_key() {
            let (entries, duplicates) = self.merge_keys(first);
            self.errors.extend(duplicates);
            let pairs = &mut self.scratch.pairs;
            pairs.truncate(first);
            pairs.extend_from_slice(&entries);
            return;
        }
        let keys = &keys[..entries.len()];
        let mut duplicates = Vec::new();
        for (i, key) in keys.iter().enumerate() {
            let Some(key) = key else { continue };
            // The nearest earlier occurrence, as the hashing path reports it.
            if let Some(earlier) = keys[..i].iter().rposition(|e| *e == Some(key)) {
                let s = &self.scratch.nodes;
                duplicates.push(YamlError {
                    span: s[entries[i].0.0 as usize].span,
                    problem: YamlProblem::DuplicateKey {
                        key: key.to_string(),
                        first: s[entries[earlier].0.0 as usize].span,
                    },
                });
            }
        }
        self.errors.extend(duplicates);
    }

    /// Folds `<<` merge keys into the mapping whose entries are `Scratch::pairs[first..]`
    /// (explicit keys win) and reports duplicate keys: the mapping's final entries and the
    /// duplicates.
    fn merge_keys(&self, first: usize) -> (Vec<(NodeId, NodeId)>, Vec<YamlError>) {
        let nodes = &self.scratch.nodes;
        let pairs = &self.scratch.pairs;
        let entries = &pairs[first..];
        let doc_view = |id: NodeId| self.resolve(id);
        let key_text = |id: NodeId| self.key_text(id);
        let mut out: Vec<(NodeId, NodeId)> = Vec::with_capacity(entries.len());
        let mut merged: Vec<(NodeId, NodeId)> = Vec::new();
        let mut seen: std::collections::HashMap<&str, Span> = std::collections::HashMap::new();
        let mut duplicates = Vec::new();
        for &(k, v) in entries {
            let key = key_text(k);
            let is_merge = key == Some("<<")
                && matches!(
                    &nodes[k.0 as usize].value,
                    Value::Scalar {
                        style: Style::Plain,
                        ..
                    }
                );
            if is_merge {
                let v = doc_view(v);
                match nodes[v.0 as usize].value {
                    Value::Map(m) => merged.extend_from_slice(m.of(pairs)),
                    Value::Seq(items) => {
                        for item in items.of(&self.scratch.items) {
                            if let Value::Map(m) = nodes[doc_view(*item).0 as usize].value {
                                merged.extend_from_slice(m.of(pairs));
                            }
                        }
                    }
                    _ => {}
                }
                continue;
            }
            if let Some(key) = key {
                let span = nodes[k.0 as usize].span;
                if let Some(first) = seen.insert(key, span) {
                    duplicates.push(YamlError {
                        span,
                        problem: YamlProblem::DuplicateKey {
                            key: key.to_string(),
                            first,
                        },
                    });
                }
            }
            out.push((k, v));
        }
        for (k, v) in merged {
            match key_text(k) {
                Some(key) if seen.contains_key(key) => {}
                Some(key) => {
                    seen.insert(key, nodes[k.0 as usize].span);
                    out.push((k, v));
                }
                None => out.push((k, v)),
            }
        }
        (out, duplicates)
    }

    fn resolve(&self, mut id: NodeId) -> NodeId {
        while let Value::Alias(t) = self.scratch.nodes[id.0 as usize].value {
            id = t;
        }
        id
    }

    fn finish_document(&mut self, end: Span) {
        let root = self.root.take();
        let index = self.next_index;
        self.next_index += 1;
        let s = &mut self.scratch;
        let is_empty = match root {
            None => true,
            Some(r) => match &s.nodes[r.0 as usize].value {
                Value::Scalar {
                    text,
                    style: Style::Plain,
                    tag: None,
                } => {
                    matches!(text_str(self.text, &s.owned, text), "" | "null" | "~")
                }
                _ => false,
            },
        };
        if !is_empty {
            // Exactly-sized copies: the scratch buffers keep their capacity for the next document.
            let nodes: Vec<Node> = s.nodes.drain(..).collect();
            self.documents.push(Document {
                file: self.file,
                index,
                text: Arc::clone(self.text),
                nodes,
                pairs: s.pairs.drain(..).collect(),
                items: s.items.drain(..).collect(),
                owned: s.owned.drain(..).collect(),
                tags: s.tags.drain(..).collect(),
                root,
                span: Span::new(self.doc_start, (end.end as usize).max(self.doc_start)),
                helm_source: self.chunk.helm_source.clone(),
            });
        }
        self.reset();
    }
}

/// Where `inner` (a slice the parser borrowed) starts within `outer`, if it is a subslice.
fn borrowed_range(outer: &str, inner: &str) -> Option<usize> {
    let start = (inner.as_ptr() as usize).checked_sub(outer.as_ptr() as usize)?;
    let end = start.checked_add(inner.len())?;
    (end <= outer.len() && std::ptr::eq(outer.get(start..end)?.as_ptr(), inner.as_ptr()))
        .then_some(start)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Parsed {
        let text: Arc<str> = Arc::from(text);
        let mut out = Parsed::default();
        let mut index = 0;
        for chunk in split(&text) {
            let p = parse_chunk(FileId(0), &text, &chunk, index, &Budgets::default());
            index += p.documents.len() as u32;
            out.documents.extend(p.documents);
            out.errors.extend(p.errors);
        }
        out
    }

    #[test]
    fn reads_what_go_yaml_reads() {
        // A quoted scalar continued at its key's column (go-yaml never checks that indentation).
        let text = "data:\n  k: 'line one\n  line two'\n  d: \"a\n  b\\\n  c\"\n  after: x\n";
        let p = parse(text);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        let d = &p.documents[0];
        let data = d.get(d.root.unwrap(), "data").unwrap();
        assert_eq!(d.get_str(data, "k"), Some("line one line two"));
        assert_eq!(d.get_str(data, "d"), Some("a bc"));
        let after = d.get(data, "after").unwrap();
        assert_eq!(&text[d.span(after).start as usize..d.span(after).end as usize], "x");
        // A multi-line quoted key stays an error, as in go-yaml.
        assert!(!parse("a:\n  'k\n  ey': 1\n").errors.is_empty());
        // A `:` before a flow indicator stays in the plain scalar.
        let text = "addresses: [1.2.3.4, 2001:db8::]\nm: {a:, b: c}\n";
        let p = parse(text);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        let d = &p.documents[0];
        let root = d.root.unwrap();
        let items = d.items(d.get(root, "addresses").unwrap());
        assert_eq!(d.str(items[1]), Some("2001:db8::"));
        assert_eq!(d.span(items[1]).end as usize, text.find("]").unwrap());
        let m = d.get(root, "m").unwrap();
        assert!(d.get(m, "a:").is_some_and(|v| d.is_null(v)));
        assert_eq!(d.get_str(m, "b"), Some("c"));
    }

    #[test]
    fn spans_are_bytes_and_values_resolve() {
        let p = parse("a: café\nb: [1, \"x\"]\n---\nc: &x {d: 1}\ne: *x\n");
        assert_eq!(p.errors.len(), 0);
        assert_eq!(p.documents.len(), 2);
        let d = &p.documents[0];
        let root = d.root.unwrap();
        assert_eq!(d.get_str(root, "a"), Some("café"));
        let b = d.get(root, "b").unwrap();
        assert_eq!(d.scalar(d.items(b)[0]), Some(Scalar::Int(1)));
        assert_eq!(d.scalar(d.items(b)[1]), Some(Scalar::Str("x")));
        let d2 = &p.documents[1];
        let e = d2.get(d2.root.unwrap(), "e").unwrap();
        assert_eq!(d2.scalar(d2.get(e, "d").unwrap()), Some(Scalar::Int(1)));
        assert_eq!(
            &d2.text[d2.span(e).start as usize..d2.span(e).end as usize],
            "*x"
        );
    }

    #[test]
    fn broken_document_does_not_hide_the_next() {
        let p = parse("a: [1\n---\nb: 2\n");
        assert_eq!(p.errors.len(), 1);
        assert_eq!(p.documents.len(), 1);
    }

    #[test]
    fn duplicate_keys_and_merge_keys() {
        let p = parse("a: 1\na: 2\n");
        assert!(matches!(
            p.errors[0].problem,
            YamlProblem::DuplicateKey { .. }
        ));
        let p = parse("base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\n");
        let d = &p.documents[0];
        let m = d.get(d.root.unwrap(), "m").unwrap();
        assert_eq!(d.scalar(d.get(m, "x").unwrap()), Some(Scalar::Int(1)));
        assert_eq!(d.scalar(d.get(m, "y").unwrap()), Some(Scalar::Int(3)));
    }

    #[test]
    fn billion_laughs_is_bounded() {
        let mut y = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            y.push_str(&format!(
                "a{i}: &a{i} [{}]\n",
                vec![format!("*a{}", i - 1); 10].join(", ")
            ));
        }
        let p = parse(&y);
        assert!(matches!(p.errors[0].problem, YamlProblem::Budget(_)));
    }

    #[test]
    fn lines_keep_their_line_breaks_like_split_inclusive() {
        for text in [
            "",
            "a",
            "a\n",
            "\n\n",
            "a\r\nb",
            "---\nkind: A\n---",
            "é\nü\n",
        ] {
            let ours: Vec<&str> = lines_inclusive(text).collect();
            let std: Vec<&str> = text.split_inclusive('\n').collect();
            assert_eq!(ours, std, "{text:?}");
        }
    }

    #[test]
    fn helm_source_comments_and_empty_documents() {
        let text =
            "---\n# Source: chart/templates/a.yaml\nkind: A\n---\n# only a comment\n---\nkind: B\n";
        let p = parse(text);
        assert_eq!(p.documents.len(), 2);
        assert_eq!(
            p.documents[0].helm_source.as_deref(),
            Some("chart/templates/a.yaml")
        );
        assert_eq!(p.documents[1].helm_source, None);
    }

    #[test]
    fn directives_stay_with_their_document() {
        let p =
            parse("%YAML 1.2\n---\na: 1\n...\n%TAG !e! tag:example.com,2000:\n---\nb: !e!x 2\n");
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert_eq!(p.documents.len(), 2);
        // A `%` line inside a document is not a directive: the parser reports it.
        let p = parse("a: 1\n%YAML 1.2\n---\nb: 2\n");
        assert_eq!(p.errors.len(), 1, "{:?}", p.errors);
        assert_eq!(split("a: 1\n...\n%YAML 1.2\n---\nb: 2\n").len(), 2);
    }

    #[test]
    fn rewritten_texts_and_tags_live_beside_the_nodes() {
        let p = parse("a: \"x\\ty\"\nb: !!str 1\nc: !custom z\nd: >\n  one\n  two\ne: plain\n");
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        let d = &p.documents[0];
        let root = d.root.unwrap();
        let get = |k| d.get(root, k).unwrap();
        assert_eq!(d.str(get("a")), Some("x\ty"));
        assert_eq!(d.scalar(get("b")), Some(Scalar::Str("1")));
        assert_eq!(d.tag(get("b")), Some("str"));
        assert_eq!(d.tag(get("c")), Some("!custom"));
        assert_eq!(d.str(get("d")), Some("one two\n"));
        assert_eq!(d.tag(get("e")), None);
        assert!(matches!(
            d.node(get("e")).value,
            Value::Scalar {
                text: Text::Src(..),
                ..
            }
        ));
        assert_eq!(
            d.nodes.len(),
            d.nodes.capacity(),
            "documents keep exactly-sized arenas"
        );
    }

    #[test]
    fn collections_are_ranges_of_shared_lists() {
        assert!(std::mem::size_of::<Value>() <= 20);
        assert_eq!(std::mem::size_of::<Node>(), 32);
        let p = parse(
            "a: &a {x: 1, y: [1, [2, 3], {z: 4}]}\nb: &b {w: 5}\nc:\n  <<: [*a, *b]\n  x: 6\nd: []\ne: {}\n",
        );
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        let d = &p.documents[0];
        let root = d.root.unwrap();
        let keys = |m: NodeId| -> Vec<&str> {
            d.entries(m)
                .iter()
                .map(|&(k, _)| d.str(k).unwrap())
                .collect()
        };
        assert_eq!(keys(root), ["a", "b", "c", "d", "e"]);
        let a = d.get(root, "a").unwrap();
        assert_eq!(keys(a), ["x", "y"]);
        let y = d.get(a, "y").unwrap();
        assert_eq!(d.items(y).len(), 3);
        let inner = d.items(y)[1];
        let ints: Vec<_> = d.items(inner).iter().map(|&i| d.scalar(i)).collect();
        assert_eq!(ints, [Some(Scalar::Int(2)), Some(Scalar::Int(3))]);
        assert_eq!(keys(d.items(y)[2]), ["z"]);
        // Merged keys follow the explicit ones; explicit keys win.
        let c = d.get(root, "c").unwrap();
        assert_eq!(keys(c), ["x", "y", "w"]);
        assert_eq!(d.scalar(d.get(c, "x").unwrap()), Some(Scalar::Int(6)));
        assert!(d.items(d.get(root, "d").unwrap()).is_empty());
        assert!(d.is_map(d.get(root, "e").unwrap()));
        assert!(d.entries(d.get(root, "e").unwrap()).is_empty());
        // Scalars have no children.
        assert!(d.entries(d.get(a, "x").unwrap()).is_empty());
        assert!(d.items(d.get(a, "x").unwrap()).is_empty());
        assert_eq!(d.pairs.len(), d.pairs.capacity());
        assert_eq!(d.items.len(), d.items.capacity());
        // 5 + 2 + 1 + 1 (w) + 3 (c, after merging) entries; 3 + 2 + 2 (the merge list) items.
        assert_eq!(d.pairs.len(), 12);
        assert_eq!(d.items.len(), 7);
    }

    #[test]
    fn duplicate_keys_report_the_nearest_earlier_occurrence() {
        let p = parse("a: 1\nb: 2\na: 3\na: 4\n");
        let firsts: Vec<_> = p
            .errors
            .iter()
            .map(|e| match &e.problem {
                YamlProblem::DuplicateKey { first, .. } => (e.span.start, first.start),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(firsts, [(10, 0), (15, 10)]);
        // Large mappings take the hashing path and agree.
        let big: String =
            (0..40).map(|i| format!("k{i}: {i}\n")).collect::<String>() + "k3: again\n";
        let p = parse(&big);
        assert_eq!(p.errors.len(), 1);
        assert!(
            matches!(&p.errors[0].problem, YamlProblem::DuplicateKey { key, .. } if key == "k3")
        );
    }

    #[test]
    fn core_schema() {
        assert_eq!(resolve_plain("0x1F"), Scalar::Int(31));
        assert_eq!(resolve_plain("1e309"), Scalar::Float(f64::INFINITY));
        assert_eq!(resolve_plain("yes"), Scalar::Str("yes"));
        assert_eq!(resolve_plain("1.5"), Scalar::Float(1.5));
        assert_eq!(resolve_plain("-7"), Scalar::Int(-7));
        assert_eq!(resolve_plain("7 s"), Scalar::Str("7 s"));
    }
}
