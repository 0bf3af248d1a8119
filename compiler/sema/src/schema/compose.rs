//! `allOf` (Core §10.2.1.1), and `$ref` beside other keywords, which 2020-12 applies both
//! (Core §8.2.3.1): the schemas are merged into one before lowering. Properties and `required`
//! are united, a property two branches declare gets both schemas (an `allOf` of them), bounds,
//! lengths and item counts are intersected; a contradiction (two types, disjoint `enum`s, two
//! `const`s or `format`s, a closed branch that forbids another branch's property) is an error that
//! names both places (E0013).
//!
//! The merged schema is a synthesized [`Node`] whose members keep their source spans, so a
//! diagnostic inside it still points at the text that caused it. The `$ref`s of a schema merged
//! into another are rebased first (see [`Index::rebase`]): they name what they name where the
//! schema stands, which another base URI could change (another contract's, an embedded resource's).

use super::*;

/// Whether a merged schema takes keyword `key` from its first branch that has it: an annotation,
/// or a keyword JSON Schema does not define (an annotation too, Core §6.5: `markdownDescription`).
fn first_wins(key: &str) -> bool {
    is_annotation(key) || !(is_keyword(key) || JSON_SCHEMA_KEYWORDS.contains(&key) || ROOT_ONLY_KEYWORDS.contains(&key))
}

/// A branch of a composition (or several merged): the schema, and where each of its keywords
/// came from, for messages: a place (`"/allOf/1"`, `Base@1.0.json ""`) and the keyword's pointer
/// in this file (for a schema borrowed from another file, the `$ref` that borrowed it).
struct Part {
    node: Node,
    origins: BTreeMap<String, (String, Pointer)>,
}

impl Part {
    fn new(node: Node, place: String, pointer: Pointer, borrowed: bool) -> Part {
        let at = |key: &str| if borrowed { pointer.clone() } else { pointer.join(key) };
        let origins =
            node.members().unwrap_or_default().iter().map(|m| (m.key.clone(), (place.clone(), at(&m.key)))).collect();
        Part { node, origins }
    }

    /// Where keyword `key` came from.
    fn origin(&self, key: &str) -> (String, Pointer) {
        self.origins.get(key).cloned().unwrap_or_default()
    }
}

/// A schema a composition being lowered borrowed (see [`Lowerer::composed`]).
pub(super) struct Expanding {
    /// Its file and pointer.
    place: String,
    /// Where its content stands (the `$ref`'s place for a schema borrowed from another contract).
    span: Span,
    /// The schema being expanded whose content the `$ref` that borrowed it stands in.
    parent: Option<usize>,
}

impl Lowerer<'_> {
    /// Whether `node` composes: `allOf`, or `$ref` beside keywords that are not annotations.
    pub(super) fn composes(node: &Node) -> bool {
        let beside_ref = node.get("$ref").is_some()
            && node.members().unwrap_or_default().iter().any(|m| m.key != "$ref" && !is_annotation(&m.key));
        node.get("allOf").is_some() || beside_ref
    }

    /// The one schema that `node`'s own keywords, its `$ref` and its `allOf` branches mean
    /// together, lowered by `lower` (with the schemas it borrowed marked as being expanded, so
    /// that a recursive type composed this way is an error, not an endless expansion).
    pub(super) fn composed<T>(
        &mut self,
        node: &Node,
        ptr: &Pointer,
        lower: impl FnOnce(&mut Self, &Node) -> Option<T>,
    ) -> Option<T> {
        let mut visiting = Vec::new();
        let before = self.expanding.len();
        let merged = self.compose_guarded(node, ptr, &mut visiting);
        let out = merged.and_then(|m| lower(self, &m));
        self.expanding.truncate(before);
        out
    }

    /// What schema `node` (at `ptr`) asserts, its `$ref` followed and its `allOf` merged in (a
    /// plain `$ref` too), for a keyword that takes assertions, not a type (`propertyNames`).
    pub(super) fn resolved(&mut self, node: &Node, ptr: &Pointer) -> Option<Node> {
        let before = self.expanding.len();
        let out = self.compose_guarded(node, ptr, &mut Vec::new());
        self.expanding.truncate(before);
        out
    }

    fn compose_guarded(&mut self, node: &Node, ptr: &Pointer, visiting: &mut Vec<String>) -> Option<Node> {
        let own: Vec<Member> = node
            .members()
            .unwrap_or_default()
            .iter()
            .filter(|m| m.key != "allOf" && m.key != "$ref")
            .cloned()
            .collect();
        let mut parts = vec![Part::new(
            Node { span: node.span, value: Value::Object(own) },
            format!("\"{ptr}\""),
            ptr.clone(),
            false,
        )];
        if let Some(r) = node.get("$ref") {
            parts.push(self.target(r, &ptr.join("$ref"), visiting)?);
        }
        if let Some(all) = node.get("allOf") {
            let aptr = ptr.join("allOf");
            let Some(branches) = all.as_array().filter(|a| !a.is_empty()) else {
                self.error(
                    codes::INVALID_KEYWORD_VALUE,
                    all,
                    &aptr,
                    "`allOf` must be a non-empty array of schemas".into(),
                    "here",
                );
                return None;
            };
            for (i, b) in branches.iter().enumerate() {
                let bptr = aptr.join(i.to_string());
                // `true` asserts nothing (Core §4.3.2); `false` admits no value.
                if b.as_bool() == Some(true) {
                    continue;
                }
                if b.as_bool() == Some(false) {
                    self.error(
                        codes::INVALID_KEYWORD_VALUE,
                        b,
                        &bptr,
                        "the `allOf` branch `false` admits no value: nothing could ever be here".into(),
                        "no value is valid",
                    );
                    return None;
                }
                if b.members().is_none() {
                    self.error(
                        codes::INVALID_KEYWORD_VALUE,
                        b,
                        &bptr,
                        "an `allOf` branch must be a schema object".into(),
                        "not a schema",
                    );
                    return None;
                }
                parts.push(self.part(b, &bptr, visiting)?);
            }
        }
        let mut merged = parts.remove(0);
        for part in parts {
            merged = self.merge(merged, part)?;
        }
        Some(merged.node)
    }

    /// The one of `anyOf`/`oneOf` that `node` has beside other assertions (not both), if any.
    pub(super) fn distributes(node: &Node) -> Option<&'static str> {
        let keyword = match (node.get("anyOf"), node.get("oneOf")) {
            (Some(_), None) => "anyOf",
            (None, Some(_)) => "oneOf",
            _ => return None,
        };
        node.members().unwrap_or_default().iter().any(|m| beside_union(&m.key, keyword)).then_some(keyword)
    }

    /// `anyOf`/`oneOf` beside other keywords, which JSON Schema applies both (Core §10.2): the
    /// same union with those keywords merged into every branch, as `allOf` merges (X ∧ (A ∨ B)
    /// is (X ∧ A) ∨ (X ∧ B); and exactly one of X ∧ A, X ∧ B holds when X holds and exactly one of
    /// A, B does), lowered by `lower` (with the schemas it borrowed marked as being expanded).
    pub(super) fn distributed<T>(
        &mut self,
        node: &Node,
        keyword: &str,
        ptr: &Pointer,
        lower: impl FnOnce(&mut Self, &Node) -> Option<T>,
    ) -> Option<T> {
        let before = self.expanding.len();
        let rewritten = self.distribute(node, keyword, ptr);
        let out = rewritten.and_then(|n| lower(self, &n));
        self.expanding.truncate(before);
        out
    }

    fn distribute(&mut self, node: &Node, keyword: &str, ptr: &Pointer) -> Option<Node> {
        let members = node.members().unwrap_or_default();
        let (beside, rest): (Vec<Member>, Vec<Member>) =
            members.iter().cloned().partition(|m| beside_union(&m.key, keyword));
        let shared = Node { span: node.span, value: Value::Object(beside) };
        let kptr = ptr.join(keyword);
        let branches = node.get(keyword).and_then(Node::as_array).unwrap_or_default();
        let mut visiting = Vec::new();
        let mut merged = Vec::new();
        let mut dropped = 0;
        for (i, b) in branches.iter().enumerate() {
            let bptr = kptr.join(i.to_string());
            let part = match b.as_bool() {
                Some(true) => Part::new(
                    Node { span: b.span, value: Value::Object(Vec::new()) },
                    format!("\"{bptr}\""),
                    bptr,
                    false,
                ),
                _ if b.members().is_none() => {
                    merged.push(b.clone());
                    continue;
                }
                _ => self.part(b, &bptr, &mut visiting)?,
            };
            let own = Part::new(shared.clone(), format!("\"{ptr}\""), ptr.clone(), false);
            let mark = self.mark();
            let branch = self.merge(own, part);
            // A branch the keywords beside the union contradict matches no value (X ∧ A is
            // empty: the merge fails, or no value its `enum` lists keeps the assertions merged
            // in): it stays as `false`, which changes no verdict; the union is a contradiction
            // only when every branch is (the last one says why).
            let contradicted = match &branch {
                Some(m) => self.lists_no_valid_value(&m.node),
                None => only_contradictions(&self.diags[mark.diags..]),
            };
            match branch {
                _ if contradicted && dropped + 1 < branches.len() => {
                    dropped += 1;
                    self.rewind(mark);
                    merged.push(Node { span: b.span, value: Value::Bool(false) });
                }
                Some(m) => merged.push(m.node),
                None => return None,
            }
        }
        let mut out: Vec<Member> = rest;
        for m in out.iter_mut().filter(|m| m.key == keyword) {
            m.value = Node { span: m.value.span, value: Value::Array(merged.clone()) };
        }
        Some(Node { span: node.span, value: Value::Object(out) })
    }

    /// Whether schema `node` lists its values (`enum`) and each fails the assertions beside it.
    fn lists_no_valid_value(&mut self, node: &Node) -> bool {
        let (failing, listed) = self.failing_enum_values(node);
        listed > 0 && failing.len() == listed
    }

    /// The positions of the values of `node`'s `enum` that fail the assertions beside it, and how
    /// many it lists; nothing is reported (the lowering reports what stays).
    fn failing_enum_values(&mut self, node: &Node) -> (Vec<usize>, usize) {
        let values: Vec<&Node> = node.get("enum").and_then(Node::as_array).unwrap_or_default().iter().collect();
        let mark = self.mark();
        let failing = self.failing_values(node, &Pointer::root(), &values).into_iter().map(|(i, _)| i).collect();
        self.rewind(mark);
        (failing, values.len())
    }

    /// A branch of a composition at `bptr`: a `$ref`'s target, itself composed, or as written.
    fn part(&mut self, b: &Node, bptr: &Pointer, visiting: &mut Vec<String>) -> Option<Part> {
        let b = &self.borrowed(b.clone(), self.this, bptr);
        let plain_ref = b.get("$ref").filter(|_| !Self::composes(b));
        Some(match plain_ref {
            Some(r) => self.target(r, &bptr.join("$ref"), visiting)?,
            None if Self::composes(b) => {
                Part::new(self.compose_guarded(b, bptr, visiting)?, format!("\"{bptr}\""), bptr.clone(), false)
            }
            None => Part::new(b.clone(), format!("\"{bptr}\""), bptr.clone(), false),
        })
    }

    /// The schema a `$ref` of a composition names, itself composed when it composes.
    fn target(&mut self, r: &Node, ptr: &Pointer, visiting: &mut Vec<String>) -> Option<Part> {
        let found = r.as_str().and_then(|t| self.locate(t, ptr)).and_then(|(contract, pointer)| {
            let (root, path) = self.roots.root(contract);
            root.at(&pointer).map(|n| (contract, pointer, n, path))
        });
        let Some((contract, pointer, node, path)) = found else {
            self.unresolved(r, ptr, r.as_str().unwrap_or_default());
            return None;
        };
        let key = (contract, pointer.clone());
        let node = match self.borrowed.get(&key) {
            Some(done) => done.clone(),
            None => {
                let done = self.borrowed(node.clone(), contract, &pointer);
                self.borrowed.insert(key, done.clone());
                done
            }
        };
        let place = format!("{path} \"{pointer}\"");
        // The schemas being expanded whose content this `$ref` stands in, innermost first: a
        // composition reaching one of them again would expand without end. One that only stands
        // beside them (a property of a root composed with the same base) is a plain reuse.
        let context = self.expanding.iter().rposition(|e| e.span.start <= r.span.start && r.span.end <= e.span.end);
        let inside = std::iter::successors(context, |&i| self.expanding[i].parent);
        if visiting.contains(&place) || inside.clone().any(|i| self.expanding[i].place == place) {
            self.error(
                codes::REF_CYCLE,
                r,
                ptr,
                "`allOf` and `$ref` compose a schema with itself".into(),
                "closes the cycle",
            )
            .notes
            .push(format!("help: break the cycle through {place}"));
            return None;
        }
        let borrowed = contract != self.this;
        let mut node = node;
        if borrowed {
            respan(&mut node, r.span);
        }
        self.expanding.push(Expanding { place: place.clone(), span: node.span, parent: context });
        // Diagnostics about a borrowed schema stand at the `$ref` that borrowed it.
        let at = if borrowed { ptr.clone() } else { pointer.clone() };
        if !Self::composes(&node) {
            return Some(Part::new(node, place, at, borrowed));
        }
        visiting.push(place.clone());
        let composed = self.compose_guarded(&node, &pointer, visiting);
        visiting.pop();
        Some(Part::new(composed?, place, at, borrowed))
    }

    /// Schema `node`, at `at` of contract `contract`, as a part of a composition in this one: its
    /// `$ref`s rebased (see [`Index::rebase`]), without what only identifies it or holds schemas
    /// for `$ref`s (`$schema`, `$id`, `$anchor`, `$defs`), which asserts nothing.
    fn borrowed(&self, mut node: Node, contract: usize, at: &Pointer) -> Node {
        self.index.rebase(&mut node, contract, at, contract != self.this);
        if let Value::Object(members) = &mut node.value {
            members.retain(|m| {
                !ROOT_ONLY_KEYWORDS.contains(&m.key.as_str()) && !RESOURCE_KEYWORDS.contains(&m.key.as_str())
            });
        }
        node
    }

    /// Two schemas as one (the instance must be valid against both).
    fn merge(&mut self, a: Part, b: Part) -> Option<Part> {
        let (Some(am), Some(bm)) = (a.node.members(), b.node.members()) else { return Some(a) };
        let mut out: Vec<Member> = Vec::new();
        let mut origins = BTreeMap::new();
        let get = |m: &[Member], k: &str| m.iter().find(|x| x.key == k).cloned();
        let mut keys: Vec<&str> = am.iter().map(|m| m.key.as_str()).collect();
        keys.extend(bm.iter().map(|m| m.key.as_str()).filter(|k| !am.iter().any(|m| m.key == *k)));
        for key in keys {
            let (member, origin) = match (get(am, key), get(bm, key)) {
                (Some(x), None) => (x, a.origin(key)),
                (None, Some(y)) => (y, b.origin(key)),
                (Some(x), Some(y)) => (self.merge_keyword(key, x, y, &a, &b)?, a.origin(key)),
                (None, None) => continue,
            };
            origins.insert(key.to_string(), origin);
            out.push(member);
        }
        // An `enum` of one branch beside another's string or number assertions: the values that
        // fail them are in neither's intersection and are left out (what remains is checked as
        // any `enum` is: none left is a contradiction).
        let enum_origin = origins.get("enum").map(|(place, _): &(String, Pointer)| place.clone());
        let foreign = |k: &&str| origins.get(*k).is_some_and(|(place, _)| Some(place) != enum_origin.as_ref());
        if enum_origin.is_some() && SCALAR_ASSERTIONS.iter().any(foreign) {
            let merged = Node { span: a.node.span, value: Value::Object(out.clone()) };
            let (failing, listed) = self.failing_enum_values(&merged);
            if !failing.is_empty()
                && failing.len() < listed
                && let Some(Value::Array(items)) = out.iter_mut().find(|m| m.key == "enum").map(|m| &mut m.value.value)
            {
                let mut i = 0;
                items.retain(|_| {
                    i += 1;
                    !failing.contains(&(i - 1))
                });
            }
        }
        // `items` beside `prefixItems` sees only the items after that schema's own positions (Core
        // §10.3.1.2): a tuple and another branch's `items` or positions are not merged.
        let tuple = |p: &Part| {
            p.node.get("prefixItems").is_some() || p.node.get("items").is_some_and(|i| i.as_array().is_some())
        };
        let items = |p: &Part| ["items", "prefixItems", "additionalItems"].map(|k| p.node.get(k).and_then(json_value));
        if (tuple(&a) || tuple(&b))
            && items(&a) != items(&b)
            && items(&a).iter().any(Option::is_some)
            && items(&b).iter().any(Option::is_some)
        {
            let key = ["prefixItems", "items"].into_iter().find(|k| a.node.get(k).is_some()).expect("an item keyword");
            self.diags.push(
                Diagnostic::error(
                    codes::UNSUPPORTED_KEYWORD,
                    self.path,
                    a.node.get(key).expect("present").span,
                    a.origin(key).1,
                    "a tuple (`prefixItems`) and the item schemas of another branch of a composition are not merged by this version".to_string(),
                )
                .with_label(format!("beside the item schemas of {}", b.origin("items").0))
                .with_help("state the items in one branch only"),
            );
            return None;
        }
        // `additionalProperties` sees only its own schema's `properties` (Core §10.3.2.3): a closed
        // branch forbids every property the other declares but it does not, and a map's schema
        // holds for them too.
        let declared = |p: &Part| -> Vec<String> {
            p.node.get("properties").and_then(Node::members).unwrap_or_default().iter().map(|m| m.key.clone()).collect()
        };
        for (map, other) in [(&a, &b), (&b, &a)] {
            let Some(extra) = map.node.get("additionalProperties").filter(|s| s.as_bool() != Some(true)) else {
                continue;
            };
            let own = declared(map);
            let theirs: Vec<String> = declared(other).into_iter().filter(|n| !own.contains(n)).collect();
            let Some(name) = theirs.first() else { continue };
            let there = other.origin("properties").0;
            if extra.as_bool() == Some(false) {
                // Forbidden, so never present: a contradiction only when the other requires one.
                let required = other.node.get("required").and_then(Node::as_array).unwrap_or_default();
                if let Some(name) = theirs.iter().find(|n| required.iter().any(|r| r.as_str() == Some(n.as_str()))) {
                    let message =
                        format!("`additionalProperties: false` forbids `{name}`, which {there} declares and requires");
                    self.contradiction(&extra.clone(), message, "additionalProperties", map, "properties", other);
                    return None;
                }
                let names: Vec<String> = theirs.iter().map(|n| format!("`{n}`")).collect();
                self.diags.push(
                    Diagnostic::warning(
                        codes::FORBIDDEN_PROPERTY,
                        self.path,
                        extra.span,
                        map.origin("additionalProperties").1,
                        format!(
                            "`additionalProperties: false` forbids {}, which {there} declares: a message with {} is refused",
                            names.join(", "),
                            if names.len() == 1 { "it" } else { "any of them" }
                        ),
                    )
                    .with_label("sees only the properties of its own schema")
                    .with_help(format!(
                        "declare {} in the closed schema's `properties` too if messages may have {} (Core §10.3.2.3)",
                        names.join(", "),
                        if names.len() == 1 { "it" } else { "them" }
                    )),
                );
                if let Some(Value::Object(members)) =
                    out.iter_mut().find(|m| m.key == "properties").map(|m| &mut m.value.value)
                {
                    members.retain(|m| !theirs.contains(&m.key));
                }
                continue;
            }
            if map.node.get("patternProperties").is_some() {
                self.diags.push(
                    Diagnostic::error(
                        codes::UNSUPPORTED_KEYWORD,
                        self.path,
                        extra.span,
                        map.origin("additionalProperties").1,
                        format!("`{name}`, which {there} declares, is a member this map's `patternProperties` or `additionalProperties` holds: not supported by this version"),
                    )
                    .with_label("a map beside `patternProperties`")
                    .with_help(format!("declare `{name}` in the map's own `properties`")),
                );
                return None;
            }
            let extra = extra.clone();
            let props = out.iter_mut().find(|m| m.key == "properties").expect("the other branch declares properties");
            if let Value::Object(members) = &mut props.value.value {
                for m in members.iter_mut().filter(|m| theirs.contains(&m.key)) {
                    m.value = both(&m.value, &extra);
                }
            }
        }
        Some(Part { node: Node { span: a.node.span, value: Value::Object(out) }, origins })
    }

    /// One keyword both schemas of a merge have.
    fn merge_keyword(&mut self, key: &str, x: Member, y: Member, a: &Part, b: &Part) -> Option<Member> {
        let text = |n: &Node| json_value(n).map(|v| runtime::validate::canonical(&v));
        let same = text(&x.value) == text(&y.value);
        let stricter = |x: Member, y: Member, bigger: bool| -> Member {
            match (x.value.as_f64(), y.value.as_f64()) {
                (Some(u), Some(v)) if (v > u) == bigger && v != u => y,
                _ => x,
            }
        };
        Some(match key {
            _ if same || first_wins(key) => x,
            "minimum" | "exclusiveMinimum" | "minLength" | "minItems" => stricter(x, y, true),
            "maximum" | "exclusiveMaximum" | "maxLength" | "maxItems" => stricter(x, y, false),
            "required" => {
                let mut items: Vec<Node> = x.value.as_array().unwrap_or_default().to_vec();
                for item in y.value.as_array().unwrap_or_default() {
                    if !items.iter().any(|i| i.as_str() == item.as_str()) {
                        items.push(item.clone());
                    }
                }
                Member { value: Node { span: x.value.span, value: Value::Array(items) }, ..x }
            }
            "properties" => {
                let (xs, ys) = (x.value.members().unwrap_or_default(), y.value.members().unwrap_or_default());
                let mut props: Vec<Member> = Vec::new();
                for p in xs {
                    let value = match ys.iter().find(|q| q.key == p.key) {
                        Some(q) if text(&p.value) != text(&q.value) => both(&p.value, &q.value),
                        _ => p.value.clone(),
                    };
                    props.push(Member { value, ..p.clone() });
                }
                props.extend(ys.iter().filter(|q| !xs.iter().any(|p| p.key == q.key)).cloned());
                Member { value: Node { span: x.value.span, value: Value::Object(props) }, ..x }
            }
            "items" => Member { value: both(&x.value, &y.value), ..x },
            "additionalProperties" => match (x.value.as_bool(), y.value.as_bool()) {
                (Some(false), _) | (_, Some(true)) => x,
                (_, Some(false)) | (Some(true), _) => y,
                _ => Member { value: both(&x.value, &y.value), ..x },
            },
            "enum" => {
                let ys: Vec<Option<String>> = y.value.as_array().unwrap_or_default().iter().map(text).collect();
                let kept: Vec<Node> =
                    x.value.as_array().unwrap_or_default().iter().filter(|v| ys.contains(&text(v))).cloned().collect();
                if kept.is_empty() {
                    let message = format!("no value of this `enum` is in the `enum` of {}", b.origin(key).0);
                    self.contradiction(&x.value, message, key, a, key, b);
                    return None;
                }
                Member { value: Node { span: x.value.span, value: Value::Array(kept) }, ..x }
            }
            "type" | "const" | "format" => {
                let message = format!("`{key}` differs from the `{key}` of {}", b.origin(key).0);
                self.contradiction(&x.value, message, key, a, key, b);
                return None;
            }
            _ => {
                self.diags.push(
                    Diagnostic::error(
                        codes::UNSUPPORTED_KEYWORD,
                        self.path,
                        x.key_span,
                        a.origin(key).1,
                        format!(
                            "two branches of a composition with different `{key}` are not supported by this version"
                        ),
                    )
                    .with_label(format!("differs from `{key}` of {}", b.origin(key).0))
                    .with_note(format!("the branches: {} and {}", a.origin(key).0, b.origin(key).0))
                    .with_help(format!("state `{key}` in one branch only")),
                );
                return None;
            }
        })
    }

    /// `at` (keyword `ka` of `a`) contradicts keyword `kb` of `b`.
    fn contradiction(&mut self, at: &Node, message: String, ka: &str, a: &Part, kb: &str, b: &Part) {
        let ((here, ptr), (there, _)) = (a.origin(ka), b.origin(kb));
        self.diags.push(
            Diagnostic::error(codes::CONTRADICTION, self.path, at.span, ptr, message)
                .with_label("contradicts the other branch")
                .with_note(format!("the branches: {here} and {there}"))
                .with_help("no message can be valid against both: change one of them"),
        );
    }
}

/// Whether keyword `key` beside union keyword `keyword` is an assertion that every branch takes
/// ([`Lowerer::distribute`]); annotations, `discriminator` and what only a root or a definition
/// holds stay beside the union, and so does the other union keyword (refused there).
fn beside_union(key: &str, keyword: &str) -> bool {
    key != keyword
        && !["anyOf", "oneOf", "discriminator"].contains(&key)
        && is_keyword(key)
        && !is_annotation(key)
        && !ROOT_ONLY_KEYWORDS.contains(&key)
        && !DEFINITIONS.contains(&key)
}

/// `{"allOf": [x, y]}`: both schemas hold.
pub(super) fn both(x: &Node, y: &Node) -> Node {
    Node {
        span: x.span,
        value: Value::Object(vec![Member {
            key: "allOf".into(),
            key_span: x.span,
            value: Node { span: x.span, value: Value::Array(vec![x.clone(), y.clone()]) },
        }]),
    }
}

/// A schema borrowed from another contract: every span the `$ref` that borrowed it (the spans
/// of another file mean nothing in this one).
fn respan(node: &mut Node, span: Span) {
    node.span = span;
    match &mut node.value {
        Value::Object(members) => {
            for m in members {
                m.key_span = span;
                respan(&mut m.value, span);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|n| respan(n, span)),
        _ => {}
    }
}
