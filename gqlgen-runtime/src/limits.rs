//! Query analysis that runs before any resolver: a request is refused when its document is too
//! long, has too many tokens, nests too deep, uses too many aliases, would fetch too many nodes
//! (GitHub's node-limit model, where a connection multiplies its selection by `first` / `last`)
//! or asks for introspection while it is off. Fragments are expanded in place, so the limits
//! count what would execute, not what the document spells; each fragment is measured once and
//! its result reused, so a fragment that spreads another twice, thirty levels down, costs
//! microseconds to measure rather than 2³⁰ steps. A hand-written lexer counts tokens and the
//! nesting of braces and brackets before the document is parsed, because the parser is recursive
//! and a thousand nested braces must never reach it.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;

use async_graphql::parser::types::{ExecutableDocument, Field, Selection, SelectionSet};
use async_graphql::{Name, Value, Variables};

use crate::config::QueryLimits;
use crate::error::{ErrorCode, GqlError};

/// Checks one operation request against the limits; `introspection` says whether `__schema` /
/// `__type` may be asked.
///
/// A document that does not parse passes: async-graphql reports the syntax error itself.
///
/// With `documents`, a query text seen before is not parsed again: its document comes from the
/// cache (the limits are still measured, since variables change what a document costs).
///
/// Returns the document the request will execute, for what else looks at it before execution
/// (query analyzers, the response's key order); `None` when it does not parse.
pub fn check_request(
    request: &mut async_graphql::Request,
    limits: &QueryLimits,
    default_page_size: u32,
    introspection: bool,
    documents: Option<&DocumentCache>,
) -> Result<Option<Arc<ExecutableDocument>>, GqlError> {
    let query = request.query.as_str();
    if query.len() > limits.max_query_bytes {
        return Err(GqlError::new(
            ErrorCode::QueryTooLarge,
            format!(
                "the query is {} bytes long; the limit is {}",
                thousands(query.len() as u64),
                thousands(limits.max_query_bytes as u64)
            ),
        ));
    }
    check_tokens(query, limits)?;
    check_variables(&request.variables, limits)?;
    let parsed = match documents {
        Some(documents) => documents.parse(query),
        None => async_graphql::parser::parse_query(query).ok().map(Arc::new),
    };
    let Some(document) = parsed else {
        return Ok(None);
    };
    measure(
        &document,
        &request.variables,
        default_page_size,
        introspection,
    )?
    .check(limits)?;
    // Execution reuses this parse instead of parsing the text a second time.
    request.set_parsed_query(ExecutableDocument::clone(&document));
    Ok(Some(document))
}

/// Parsed documents by query text. Clients send the same few queries again and again, and
/// parsing one costs far more than copying its syntax tree (about 1.5 M instructions for the
/// benchmark's query, 8% of its request at page 100). Bounded by the total length of the texts
/// kept; only documents that parsed are kept.
#[derive(Clone)]
pub struct DocumentCache {
    documents: moka::sync::Cache<String, Arc<ExecutableDocument>>,
}

impl DocumentCache {
    /// A cache keeping queries of at most `max_bytes` bytes in total.
    pub fn new(max_bytes: u64) -> DocumentCache {
        DocumentCache {
            documents: moka::sync::Cache::builder()
                .max_capacity(max_bytes)
                .weigher(|query: &String, _| u32::try_from(query.len()).unwrap_or(u32::MAX))
                .build(),
        }
    }

    /// The document of `query` if it was parsed before.
    pub fn get(&self, query: &str) -> Option<Arc<ExecutableDocument>> {
        self.documents.get(query)
    }

    /// The document of `query`, parsed now or before; `None` when it does not parse.
    pub fn parse(&self, query: &str) -> Option<Arc<ExecutableDocument>> {
        if let Some(document) = self.documents.get(query) {
            return Some(document);
        }
        let document = Arc::new(async_graphql::parser::parse_query(query).ok()?);
        self.documents.insert(query.to_owned(), document.clone());
        Some(document)
    }
}

/// Refuses a variable whose value nests objects and lists deeper than `max_input_depth`.
/// Input types are parsed recursively, one call a level, so depth must be bounded before
/// execution; the document's own literals are bounded by [`check_tokens`].
fn check_variables(variables: &Variables, limits: &QueryLimits) -> Result<(), GqlError> {
    let limit = limits.max_input_depth;
    for (name, value) in variables.iter() {
        if value_depth(value, limit) > limit {
            return Err(GqlError::bad_input(format!(
                "the variable `${name}` nests objects and lists more than {} deep; the limit is \
                 {} (GRAPHQL_MAX_INPUT_DEPTH)",
                thousands(u64::from(limit)),
                thousands(u64::from(limit))
            )));
        }
    }
    Ok(())
}

/// The nesting depth of `value` (a scalar is 0, `[1]` is 1), or `stop + 1` once it is known to
/// pass `stop`. Iterative, so no value can exhaust the stack.
fn value_depth(value: &Value, stop: u32) -> u32 {
    let mut deepest = 0;
    let mut stack = vec![(value, 0u32)];
    while let Some((value, depth)) = stack.pop() {
        if !matches!(value, Value::List(_) | Value::Object(_)) {
            continue;
        }
        let depth = depth + 1;
        if depth > stop {
            return depth;
        }
        deepest = deepest.max(depth);
        match value {
            Value::List(items) => stack.extend(items.iter().map(|item| (item, depth))),
            Value::Object(fields) => stack.extend(fields.values().map(|field| (field, depth))),
            _ => {}
        }
    }
    deepest
}

/// Checks the number of operations of a batched request.
pub fn check_batch(operations: usize, limits: &QueryLimits) -> Result<(), GqlError> {
    if operations > limits.max_batch_operations as usize {
        return Err(GqlError::new(
            ErrorCode::QueryTooLarge,
            format!(
                "the batch has {} operations; the limit is {}",
                thousands(operations as u64),
                thousands(u64::from(limits.max_batch_operations))
            ),
        ));
    }
    Ok(())
}

/// What the costliest operation of a document measures, fragments expanded. Each figure is the
/// largest over the document's operations, since only one of them runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Measures {
    pub depth: u32,
    pub aliases: u64,
    pub complexity: u64,
}

impl Measures {
    fn check(self, limits: &QueryLimits) -> Result<(), GqlError> {
        if self.depth > limits.max_depth {
            return Err(over_limit(
                ErrorCode::QueryTooDeep,
                "the query's depth is",
                u64::from(self.depth),
                u64::from(limits.max_depth),
            ));
        }
        if self.aliases > u64::from(limits.max_aliases) {
            return Err(over_limit(
                ErrorCode::QueryTooLarge,
                "the number of aliased fields is",
                self.aliases,
                u64::from(limits.max_aliases),
            ));
        }
        if self.complexity > limits.max_complexity {
            return Err(over_limit(
                ErrorCode::QueryTooComplex,
                "the query's complexity is",
                self.complexity,
                limits.max_complexity,
            ));
        }
        Ok(())
    }
}

fn over_limit(code: ErrorCode, what: &str, measured: u64, limit: u64) -> GqlError {
    GqlError::new(
        code,
        format!(
            "{what} {}; the limit is {}",
            thousands(measured),
            thousands(limit)
        ),
    )
}

/// `4001` as `4,001`.
pub(crate) fn thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// Counts lexical tokens and the nesting of `{` and of `[`, stopping at the first limit
/// exceeded. Text the lexer does not understand ends the count without an error: the parser
/// reports it better.
///
/// Either kind of nesting may exceed `max_depth` by 2, slack for the braces of an operation or
/// fragment and of an input object. Lists are bounded too because the parser recurses on list
/// values as well: a few hundred nested `[` overflow a 2 MiB stack.
fn check_tokens(query: &str, limits: &QueryLimits) -> Result<(), GqlError> {
    let max_nesting = limits.max_depth.saturating_add(2);
    let too_deep = |what: &str| {
        GqlError::new(
            ErrorCode::QueryTooDeep,
            format!(
                "the query nests {what} more than {} deep; the depth limit is {}",
                thousands(u64::from(max_nesting)),
                thousands(u64::from(limits.max_depth))
            ),
        )
    };
    let bytes = query.as_bytes();
    let mut tokens: u32 = 0;
    let mut braces: u32 = 0;
    let mut brackets: u32 = 0;
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        match bytes[i] {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => {
                i += 1;
                continue;
            }
            // The byte order mark, which GraphQL counts as white space.
            0xEF if bytes[i..].starts_with(&[0xEF, 0xBB, 0xBF]) => {
                i += 3;
                continue;
            }
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
                continue;
            }
            b'{' => {
                braces += 1;
                if braces > max_nesting {
                    return Err(too_deep("braces"));
                }
                i += 1;
            }
            b'}' => {
                braces = braces.saturating_sub(1);
                i += 1;
            }
            b'[' => {
                brackets += 1;
                if brackets > max_nesting {
                    return Err(too_deep("lists"));
                }
                i += 1;
            }
            b']' => {
                brackets = brackets.saturating_sub(1);
                i += 1;
            }
            b'!' | b'$' | b'&' | b'(' | b')' | b':' | b'=' | b'@' | b'|' => i += 1,
            b'.' if bytes[i..].starts_with(b"...") => i += 3,
            b'"' if bytes[i..].starts_with(b"\"\"\"") => match block_string_end(bytes, i + 3) {
                Some(end) => i = end,
                None => return Ok(()),
            },
            b'"' => match string_end(bytes, i + 1) {
                Some(end) => i = end,
                None => return Ok(()),
            },
            b'-' | b'0'..=b'9' => i = number_end(bytes, i),
            b'_' | b'a'..=b'z' | b'A'..=b'Z' => {
                while i < bytes.len() && (bytes[i] == b'_' || bytes[i].is_ascii_alphanumeric()) {
                    i += 1;
                }
            }
            _ => return Ok(()),
        }
        debug_assert!(i > start);
        tokens += 1;
        if tokens > limits.max_tokens {
            return Err(GqlError::new(
                ErrorCode::QueryTooLarge,
                format!(
                    "the query has more than {} tokens; the limit is {}",
                    thousands(u64::from(limits.max_tokens)),
                    thousands(u64::from(limits.max_tokens))
                ),
            ));
        }
    }
    Ok(())
}

/// The index after the closing quote of a string whose content starts at `i`; `None` when the
/// string is not closed on its line.
fn string_end(bytes: &[u8], mut i: usize) -> Option<usize> {
    while i < bytes.len() {
        match bytes[i] {
            b'"' => return Some(i + 1),
            b'\\' => i += 2,
            b'\n' | b'\r' => return None,
            _ => i += 1,
        }
    }
    None
}

/// The index after the closing `"""` of a block string whose content starts at `i`.
fn block_string_end(bytes: &[u8], mut i: usize) -> Option<usize> {
    while i < bytes.len() {
        if bytes[i..].starts_with(b"\\\"\"\"") {
            i += 4;
        } else if bytes[i..].starts_with(b"\"\"\"") {
            return Some(i + 3);
        } else {
            i += 1;
        }
    }
    None
}

/// The index after an int or float starting at `i`: `-? digits (. digits)? ([eE] [+-]? digits)?`.
fn number_end(bytes: &[u8], mut i: usize) -> usize {
    let digits = |mut i: usize| {
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        i
    };
    if bytes[i] == b'-' {
        i += 1;
    }
    i = digits(i);
    if i < bytes.len() && bytes[i] == b'.' {
        i = digits(i + 1);
    }
    if i < bytes.len() && matches!(bytes[i], b'e' | b'E') {
        i += 1;
        if i < bytes.len() && matches!(bytes[i], b'+' | b'-') {
            i += 1;
        }
        i = digits(i);
    }
    i
}

/// Measures a parsed document: depth, aliases and complexity of its costliest operation, with
/// fragments expanded. Fails on a fragment cycle and, when `introspection` is off, on
/// `__schema` / `__type`.
pub(crate) fn measure(
    document: &ExecutableDocument,
    variables: &Variables,
    default_page_size: u32,
    introspection: bool,
) -> Result<Measures, GqlError> {
    let mut analysis = Analysis {
        variables,
        variable_defaults: variable_defaults(document),
        default_page_size: u64::from(default_page_size),
        introspection,
        fragments: HashMap::new(),
    };
    // Every fragment is measured once, after those it spreads, and reused wherever it is spread.
    for name in fragment_order(document)? {
        let summary = analysis.selection_set(&document.fragments[name].node.selection_set.node)?;
        analysis.fragments.insert(name, summary);
    }
    let mut measures = Measures::default();
    for (_, operation) in document.operations.iter() {
        let summary = analysis.selection_set(&operation.node.selection_set.node)?;
        measures.depth = measures.depth.max(summary.depth);
        measures.aliases = measures.aliases.max(summary.aliases);
        measures.complexity = measures.complexity.max(summary.complexity);
    }
    Ok(measures)
}

/// The page size each variable declares as its default, the largest when several operations
/// declare the same variable: a variable the request leaves out takes its default.
fn variable_defaults(document: &ExecutableDocument) -> HashMap<&str, u64> {
    let mut defaults: HashMap<&str, u64> = HashMap::new();
    for (_, operation) in document.operations.iter() {
        for definition in &operation.node.variable_definitions {
            let definition = &definition.node;
            if let Some(Value::Number(number)) = definition.default_value.as_ref().map(|v| &v.node)
                && let Some(size) = number.as_u64()
            {
                let entry = defaults.entry(definition.name.node.as_str()).or_default();
                *entry = (*entry).max(size);
            }
        }
    }
    defaults
}

/// The document's fragment names, each after every fragment it spreads; a cycle is an error.
/// Iterative, so a long chain of fragments cannot exhaust the stack.
fn fragment_order(document: &ExecutableDocument) -> Result<Vec<&str>, GqlError> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Visiting,
        Done,
    }
    let spreads: HashMap<&str, Vec<&str>> = document
        .fragments
        .iter()
        .map(|(name, fragment)| {
            let mut found = Vec::new();
            spread_names(&fragment.node.selection_set.node, &mut found);
            (name.as_str(), found)
        })
        .collect();
    // Sorted, so that the fragment a cycle error names does not depend on hashing.
    let mut names: Vec<&str> = spreads.keys().copied().collect();
    names.sort_unstable();
    let mut marks: HashMap<&str, Mark> = HashMap::new();
    let mut order = Vec::with_capacity(names.len());
    for root in names {
        if marks.contains_key(root) {
            continue;
        }
        marks.insert(root, Mark::Visiting);
        // Each entry: a fragment and how many of its spreads have been followed.
        let mut stack = vec![(root, 0usize)];
        while let Some((name, next)) = stack.last_mut() {
            let name = *name;
            match spreads[name].get(*next) {
                Some(&spread) => {
                    *next += 1;
                    match marks.get(spread) {
                        Some(Mark::Done) => {}
                        Some(Mark::Visiting) => {
                            return Err(GqlError::bad_input(format!(
                                "the fragment `{spread}` spreads itself, directly or through \
                                 other fragments"
                            )));
                        }
                        // Unknown fragments are left to the validator.
                        None if !spreads.contains_key(spread) => {}
                        None => {
                            marks.insert(spread, Mark::Visiting);
                            stack.push((spread, 0));
                        }
                    }
                }
                None => {
                    marks.insert(name, Mark::Done);
                    order.push(name);
                    stack.pop();
                }
            }
        }
    }
    Ok(order)
}

/// The names of the fragments a selection set spreads, at any depth but not through other
/// fragments.
fn spread_names<'a>(set: &'a SelectionSet, found: &mut Vec<&'a str>) {
    for selection in &set.items {
        match &selection.node {
            Selection::Field(field) => spread_names(&field.node.selection_set.node, found),
            Selection::FragmentSpread(spread) => {
                found.push(spread.node.fragment_name.node.as_str());
            }
            Selection::InlineFragment(inline) => {
                spread_names(&inline.node.selection_set.node, found);
            }
        }
    }
}

/// What a selection set adds to the field that holds it.
#[derive(Debug, Clone, Copy, Default)]
struct Summary {
    /// Deepest field nesting below the holder.
    depth: u32,
    aliases: u64,
    complexity: u64,
    /// It selects `edges` or `nodes` directly (fragments included): the holder is a connection.
    selects_edges_or_nodes: bool,
    /// The part of `complexity` a connection answers once rather than per row: `totalCount`,
    /// `pageInfo` and `aggregate` selected directly.
    once: u64,
}

impl Summary {
    fn add(&mut self, other: Summary) {
        self.depth = self.depth.max(other.depth);
        self.aliases = self.aliases.saturating_add(other.aliases);
        self.complexity = self.complexity.saturating_add(other.complexity);
        self.selects_edges_or_nodes |= other.selects_edges_or_nodes;
        self.once = self.once.saturating_add(other.once);
    }
}

struct Analysis<'a> {
    variables: &'a Variables,
    variable_defaults: HashMap<&'a str, u64>,
    default_page_size: u64,
    introspection: bool,
    /// Summaries of the fragments measured so far.
    fragments: HashMap<&'a str, Summary>,
}

impl Analysis<'_> {
    /// Recursion is bounded: the lexer let through no more than `max_depth + 2` nested braces,
    /// and fragment spreads are looked up, not followed.
    fn selection_set(&self, set: &SelectionSet) -> Result<Summary, GqlError> {
        let mut summary = Summary::default();
        for selection in &set.items {
            let part = match &selection.node {
                Selection::Field(field) => self.field(&field.node)?,
                // An unknown fragment adds nothing; the validator refuses the document.
                Selection::FragmentSpread(spread) => self
                    .fragments
                    .get(spread.node.fragment_name.node.as_str())
                    .copied()
                    .unwrap_or_default(),
                Selection::InlineFragment(inline) => {
                    self.selection_set(&inline.node.selection_set.node)?
                }
            };
            summary.add(part);
        }
        Ok(summary)
    }

    /// What one field adds to the selection set that holds it.
    fn field(&self, field: &Field) -> Result<Summary, GqlError> {
        let name = field.name.node.as_str();
        let alias = u64::from(field.alias.is_some());
        let children = self.selection_set(&field.selection_set.node)?;
        if matches!(name, "__schema" | "__type") {
            if !self.introspection {
                return Err(GqlError::new(
                    ErrorCode::IntrospectionDisabled,
                    "introspection is disabled",
                ));
            }
            // The schema bounds introspection's depth and size; only its aliases count.
            return Ok(Summary {
                aliases: children.aliases.saturating_add(alias),
                ..Summary::default()
            });
        }
        let page_size = self.page_size(field);
        let multiplier = match page_size {
            Some(size) => size,
            None if children.selects_edges_or_nodes => self.default_page_size,
            None => 1,
        };
        // A connection's rows multiply what they select; its total and aggregates are one
        // statement whatever the page size.
        let per_row = children.complexity.saturating_sub(children.once);
        let complexity = multiplier
            .saturating_mul(per_row)
            .saturating_add(children.once)
            .saturating_add(1);
        Ok(Summary {
            depth: children.depth.saturating_add(1),
            aliases: children.aliases.saturating_add(alias),
            complexity,
            selects_edges_or_nodes: matches!(name, "edges" | "nodes"),
            once: if matches!(name, "totalCount" | "pageInfo" | "aggregate") {
                complexity
            } else {
                0
            },
        })
    }

    /// How many rows a field answers at most: the larger of its `first` and `last`, or the
    /// length of its `ids` list (`nodes(ids:)`); `None` when it has none of them.
    fn page_size(&self, field: &Field) -> Option<u64> {
        field
            .arguments
            .iter()
            .filter(|(name, _)| matches!(name.node.as_str(), "first" | "last" | "ids"))
            .map(|(_, value)| {
                let value = value
                    .node
                    .clone()
                    .into_const_with(|name| Ok::<_, Infallible>(self.variable(&name)));
                match value {
                    Ok(Value::Number(number)) => number.as_u64(),
                    Ok(Value::List(items)) => Some(items.len() as u64),
                    _ => None,
                }
                .unwrap_or(self.default_page_size)
            })
            .max()
    }

    /// A variable's value: the request's, else its declared default, else null.
    fn variable(&self, name: &Name) -> Value {
        match self.variables.get(name) {
            Some(value) => value.clone(),
            None => match self.variable_defaults.get(name.as_str()) {
                Some(&size) => Value::from(size),
                None => Value::Null,
            },
        }
    }
}

/// A check of your own on each operation's document, run after the built-in limits passed and
/// before anything executes (the seed's `query_analyzer_class`): refuse patterns you do not
/// serve, with the code you choose. Give them to the router in `http::Services::analyzers`.
pub trait QueryAnalyzer: Send + Sync + 'static {
    /// `Err` refuses the request with that error (and its code); the document is the parsed
    /// request, fragments included, and `operation` the operation the request names.
    fn analyze(
        &self,
        document: &ExecutableDocument,
        operation: Option<&str>,
        caller: &crate::auth::Caller,
    ) -> Result<(), GqlError>;
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;

    const PAGE: u32 = 20;

    fn limits() -> QueryLimits {
        QueryLimits::default()
    }

    fn check_with(query: &str, limits: &QueryLimits, introspection: bool) -> Result<(), GqlError> {
        check_request(
            &mut async_graphql::Request::new(query),
            limits,
            PAGE,
            introspection,
            None,
        )
        .map(drop)
    }

    fn code_of(query: &str) -> Option<ErrorCode> {
        check_with(query, &limits(), false).err().map(|e| e.code)
    }

    fn measure_with(query: &str, variables: serde_json::Value) -> Measures {
        let document = async_graphql::parser::parse_query(query).expect("the query parses");
        measure(&document, &Variables::from_json(variables), PAGE, true).expect("measurable")
    }

    fn measured(query: &str) -> Measures {
        measure_with(query, serde_json::json!({}))
    }

    /// `{ a { a { … { id } … } } }` with `depth` fields in all.
    fn nested(depth: usize) -> String {
        format!(
            "{{ {}id{} }}",
            "a { ".repeat(depth - 1),
            " }".repeat(depth - 1)
        )
    }

    #[test]
    fn depth_counts_fields_from_one() {
        assert_eq!(measured("{ products { edges { node { id } } } }").depth, 4);
        assert_eq!(measured("{ id }").depth, 1);
    }

    #[test]
    fn depth_at_the_limit_passes_and_one_over_is_too_deep() {
        assert_eq!(code_of(&nested(10)), None);
        assert_eq!(code_of(&nested(11)), Some(ErrorCode::QueryTooDeep));
    }

    #[test]
    fn a_thousand_nested_braces_are_refused_before_parsing() {
        let query = format!("{}{}", "{ a ".repeat(1000), "}".repeat(1000));
        let started = Instant::now();
        let err = check_with(&query, &limits(), false).unwrap_err();
        assert_eq!(err.code, ErrorCode::QueryTooDeep);
        assert!(err.message.contains("10"), "{}", err.message);
        assert!(started.elapsed() < Duration::from_millis(100));
    }

    #[test]
    fn deeply_nested_list_values_are_refused_before_parsing() {
        let lists = |n: usize| format!("{{ a(x: {}1{}) }}", "[".repeat(n), "]".repeat(n));
        assert_eq!(code_of(&lists(12)), None);
        let err = check_with(&lists(1000), &limits(), false).unwrap_err();
        assert_eq!(err.code, ErrorCode::QueryTooDeep);
        assert!(err.message.contains("lists"), "{}", err.message);
    }

    #[test]
    fn ten_thousand_aliases_are_too_many() {
        let fields: String = (0..10_000).map(|i| format!("a{i}: id ")).collect();
        let query = format!("{{ {fields} }}");
        let roomy = QueryLimits {
            max_tokens: 1_000_000,
            max_query_bytes: 1_000_000,
            ..limits()
        };
        let err = check_with(&query, &roomy, false).unwrap_err();
        assert_eq!(err.code, ErrorCode::QueryTooLarge);
        assert!(err.message.contains("10,000"), "{}", err.message);
        // Under the default limits its size alone refuses it.
        assert_eq!(code_of(&query), Some(ErrorCode::QueryTooLarge));
    }

    #[test]
    fn aliases_in_a_fragment_count_once_per_spread() {
        let query = "query { a: product { ...F } b: product { ...F } c: product { ...F } }
            fragment F on Product { x: id y: id z: name { ...G } }
            fragment G on Name { w: first }";
        // Three aliased products, each with the fragment's four aliases.
        assert_eq!(measured(query).aliases, 3 + 3 * 4);
        let tight = QueryLimits {
            max_aliases: 14,
            ..limits()
        };
        let err = check_with(query, &tight, false).unwrap_err();
        assert_eq!(err.code, ErrorCode::QueryTooLarge);
        assert!(err.message.contains("15") && err.message.contains("14"));
        let exact = QueryLimits {
            max_aliases: 15,
            ..limits()
        };
        assert_eq!(check_with(query, &exact, false), Ok(()));
    }

    #[test]
    fn depth_hidden_in_fragments_counts() {
        let query = "{ a { ...F1 } }
            fragment F1 on A { b { ...F2 } }
            fragment F2 on B { c { ... on C { d { e { f { g { h { i { j { k } } } } } } } } } }";
        assert_eq!(measured(query).depth, 11);
        assert_eq!(code_of(query), Some(ErrorCode::QueryTooDeep));
    }

    #[test]
    fn fragment_cycles_are_bad_input() {
        let started = Instant::now();
        let err = check_with(
            "{ a { ...A } } fragment A on T { id ...A }",
            &limits(),
            false,
        )
        .unwrap_err();
        assert_eq!(err.code, ErrorCode::BadUserInput);
        assert!(err.message.contains("`A`"), "{}", err.message);

        let err = check_with(
            "{ a { ...A } } fragment A on T { b { ...B } } fragment B on T { ... on T { ...A } }",
            &limits(),
            false,
        )
        .unwrap_err();
        assert_eq!(err.code, ErrorCode::BadUserInput);
        assert!(err.message.contains("`A`"), "{}", err.message);
        assert!(started.elapsed() < Duration::from_millis(100));
    }

    #[test]
    fn an_unknown_fragment_is_left_to_the_validator() {
        assert_eq!(code_of("{ a { ...Missing } }"), None);
    }

    #[test]
    fn a_fragment_bomb_is_refused_quickly() {
        let mut query = String::from("{ a { ...F30 } }\nfragment F0 on T { x: id }\n");
        for level in 1..=30 {
            let below = level - 1;
            query.push_str(&format!(
                "fragment F{level} on T {{ ...F{below} ...F{below} }}\n"
            ));
        }
        let started = Instant::now();
        let err = check_with(&query, &limits(), false).unwrap_err();
        assert!(started.elapsed() < Duration::from_millis(100));
        assert_eq!(err.code, ErrorCode::QueryTooLarge);
        assert!(err.message.contains(&thousands(1 << 30)), "{}", err.message);
        // Without aliases, complexity refuses it.
        let query = query.replace("x: id", "id");
        let err = check_with(&query, &limits(), false).unwrap_err();
        assert_eq!(err.code, ErrorCode::QueryTooComplex);
        assert_eq!(measured(&query).complexity, 1 + (1 << 30));
    }

    #[test]
    fn nested_connections_multiply() {
        let query = "{ products(first: 50) { edges { node { id reviews(first: 100) {
            edges { node { id } } } } } } }";
        // reviews: 1 + 100 × (edges 1 + node 1 + id 1) = 301;
        // products: 1 + 50 × (edges 1 + node 1 + id 1 + reviews 301) = 1 + 50 × 304.
        assert_eq!(measured(query).complexity, 1 + 50 * 304);
        let err = check_with(query, &limits(), false).unwrap_err();
        assert_eq!(err.code, ErrorCode::QueryTooComplex);
        assert_eq!(
            err.message,
            "the query's complexity is 15,201; the limit is 1,000"
        );
    }

    #[test]
    fn totals_and_aggregates_count_once_per_connection_not_per_row() {
        let query = "{ products(first: 50) { totalCount aggregate { count sum { price } }
            edges { node { id reviews(first: 10) { aggregate { avg { rating } } } } } } }";
        // reviews' aggregate: 1 + avg (1 + rating 1) = 3, once: reviews = 1 + 3 = 4;
        // products: 1 + totalCount 1 + aggregate (1 + count 1 + sum 2) + 50 × (edges 1 +
        // node 1 + id 1 + reviews 4).
        assert_eq!(measured(query).complexity, 1 + 1 + 4 + 50 * 7);
        // Each parent's aggregate is still counted: the parents multiply it.
        let query = "{ products(first: 50) { edges { node {
            reviews { aggregate { count } } } } } }";
        assert_eq!(measured(query).complexity, 1 + 50 * (1 + 1 + (1 + 2)));
    }

    #[test]
    fn a_list_of_ids_multiplies_like_a_page() {
        // `nodes(ids:)` answers a row per id, each with the selection's relations.
        let query = "{ nodes(ids: [\"a\", \"b\", \"c\"]) { id ... on Product { reviews(first: 10) { edges { node { id } } } } } }";
        // id, plus reviews: 10 × (edges { node { id } }) + 1.
        assert_eq!(measured(query).complexity, 3 * (1 + (10 * 3 + 1)) + 1);
        let query = "query Q($ids: [ID!]!) { nodes(ids: $ids) { id } }";
        let measures = measure_with(query, serde_json::json!({ "ids": ["a", "b"] }));
        assert_eq!(measures.complexity, 2 + 1);
    }

    #[test]
    fn first_and_last_take_the_larger_and_edges_alone_mean_the_default_page() {
        assert_eq!(
            measured("{ products(first: 3, last: 7) { nodes { id } } }").complexity,
            1 + 7 * 2
        );
        // No argument: a connection by its shape, at the default page size.
        assert_eq!(
            measured("{ products { nodes { id } } }").complexity,
            1 + u64::from(PAGE) * 2
        );
        // A value that is not an int is the default page size too.
        assert_eq!(
            measured("{ products(first: null) { nodes { id } } }").complexity,
            1 + u64::from(PAGE) * 2
        );
    }

    #[test]
    fn first_can_come_from_a_variable() {
        let query = "query Q($n: Int, $m: Int = 9) { a: products(first: $n) { nodes { id } } }";
        let with_n = measure_with(query, serde_json::json!({ "n": 40 }));
        assert_eq!(with_n.complexity, 1 + 40 * 2);
        let without = measure_with(query, serde_json::json!({}));
        assert_eq!(without.complexity, 1 + u64::from(PAGE) * 2);
        let defaulted = measure_with(
            "query Q($m: Int = 9) { products(last: $m) { nodes { id } } }",
            serde_json::json!({}),
        );
        assert_eq!(defaulted.complexity, 1 + 9 * 2);
        let mut request = async_graphql::Request::new(query)
            .variables(Variables::from_json(serde_json::json!({ "n": 1000 })));
        let err = check_request(&mut request, &limits(), PAGE, false, None).unwrap_err();
        assert_eq!(err.code, ErrorCode::QueryTooComplex);
    }

    #[test]
    fn a_cached_document_is_the_document_parsed_and_still_measured() {
        let documents = DocumentCache::new(1 << 20);
        let query = "query Q($n: Int) { products(first: $n) { nodes { id } } }";
        let fresh = async_graphql::parser::parse_query(query).expect("parses");
        for _ in 0..2 {
            let cached = documents.parse(query).expect("parses");
            assert_eq!(format!("{cached:?}"), format!("{fresh:?}"));
        }
        assert!(documents.parse("{ products(").is_none());
        // The cache keeps the parse, not the verdict: variables still count.
        for (n, refused) in [(5, false), (1000, true)] {
            let mut request = async_graphql::Request::new(query)
                .variables(Variables::from_json(serde_json::json!({ "n": n })));
            let limits = QueryLimits {
                max_complexity: 500,
                ..limits()
            };
            let checked = check_request(&mut request, &limits, PAGE, false, Some(&documents));
            assert_eq!(checked.is_err(), refused, "first: {n}");
            // What passes comes with its document, for the analyzers.
            if let Ok(document) = checked {
                assert!(
                    document.is_some_and(|d| Arc::ptr_eq(&d, &documents.parse(query).unwrap()))
                );
            }
        }
    }

    #[test]
    fn a_connection_inside_a_fragment_uses_its_first() {
        let query =
            "{ shop { ...Page } } fragment Page on Shop { products(first: 30) { ...Edges } }
            fragment Edges on ProductConnection { edges { node { id } } }";
        // shop: 1 + products (1 + 30 × (edges 1 + node 1 + id 1)).
        assert_eq!(measured(query).complexity, 1 + 1 + 30 * 3);
        // The page's edges come from a fragment, yet mark the field as a connection.
        let query = "{ products { ...Edges } }
            fragment Edges on ProductConnection { edges { node { id } } }";
        assert_eq!(measured(query).complexity, 1 + u64::from(PAGE) * 3);
    }

    #[test]
    fn introspection_is_refused_when_off_and_free_when_on() {
        let schema =
            "{ __schema { types { name fields { name type { name ofType { name } } } } } }";
        assert_eq!(code_of(schema), Some(ErrorCode::IntrospectionDisabled));
        let err = check_with(schema, &limits(), false).unwrap_err();
        assert_eq!(err.message, "introspection is disabled");
        let hidden = "{ a { ...F } } fragment F on T { b { __type(name: \"T\") { name } } }";
        assert_eq!(code_of(hidden), Some(ErrorCode::IntrospectionDisabled));

        let tight = QueryLimits {
            max_depth: 2,
            max_complexity: 2,
            ..limits()
        };
        // Deep through fragments, since the brace pre-check allows only `max_depth + 2`.
        let deep_schema = "{ __schema { ...S } products { id } }
            fragment S on __Schema { types { fields { ...T } } }
            fragment T on __Field { type { ofType { name } } }";
        assert_eq!(check_with(deep_schema, &tight, true), Ok(()));
        let measures = measured(deep_schema);
        assert_eq!((measures.depth, measures.complexity), (2, 2));
        // Aliases inside introspection still count.
        assert_eq!(measured("{ s: __schema { t: types { name } } }").aliases, 2);
    }

    #[test]
    fn typename_is_always_allowed() {
        assert_eq!(code_of("{ __typename products { __typename } }"), None);
    }

    #[test]
    fn a_200_kb_document_is_too_large() {
        let query = format!("{{ id }}{}", " ".repeat(200_000));
        let err = check_with(&query, &limits(), false).unwrap_err();
        assert_eq!(err.code, ErrorCode::QueryTooLarge);
        assert!(err.message.contains("100,000"), "{}", err.message);
    }

    #[test]
    fn tokens_over_the_limit_are_too_large() {
        let tight = QueryLimits {
            max_tokens: 10,
            ..limits()
        };
        // `{ a b c d e f g h }`: 10 tokens; commas, comments and strings' insides are not tokens.
        assert_eq!(
            check_with("{ a, b c d # e f g h i j k\n e f g h }", &tight, false),
            Ok(())
        );
        let err = check_with("{ a b c d e f g h i }", &tight, false).unwrap_err();
        assert_eq!(err.code, ErrorCode::QueryTooLarge);
        // `{ a ( s : "…" b : """…""" n : -1.5e3 ) }`: 14 tokens.
        let strings = r#"{ a(s: "x y { z", b: """ q " "" \""" { """, n: -1.5e3) }"#;
        let exact = QueryLimits {
            max_tokens: 14,
            ..limits()
        };
        assert_eq!(check_tokens(strings, &exact), Ok(()));
        let one_short = QueryLimits {
            max_tokens: 13,
            ..limits()
        };
        assert_eq!(
            check_tokens(strings, &one_short).unwrap_err().code,
            ErrorCode::QueryTooLarge
        );
    }

    #[test]
    fn text_that_does_not_parse_is_left_to_async_graphql() {
        assert_eq!(code_of("{ a(s: \"unterminated) }"), None);
        assert_eq!(code_of("{ a ^ }"), None);
        assert_eq!(code_of("{ a "), None);
    }

    #[test]
    fn a_batch_over_the_limit_is_too_large() {
        assert_eq!(check_batch(10, &limits()), Ok(()));
        let err = check_batch(11, &limits()).unwrap_err();
        assert_eq!(err.code, ErrorCode::QueryTooLarge);
        assert!(err.message.contains("11") && err.message.contains("10"));
    }

    #[test]
    fn the_costliest_operation_is_measured() {
        let query = "query A { a { b } } query B { x: a { b { c } } } query C { products(first: 5) { nodes { id } } }";
        assert_eq!(
            measured(query),
            Measures {
                depth: 3,
                aliases: 1,
                complexity: 11
            }
        );
    }

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(4001), "4,001");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
