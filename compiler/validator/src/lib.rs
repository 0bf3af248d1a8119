//! IR types as the runtime's validator nodes (`runtime::plan::Validator`): what `plan.bin`
//! validates every step's output with, what the compiler checks `examples` and `default`s with,
//! and what the JSON-Schema-Test-Suite runs through. One lowering, one validator.
//!
//! Each named type becomes one node, each closed object refers by `additionalProperties` to the
//! one `false` node (an open object has no `additionalProperties`: JSON Schema's default accepts
//! any member); integers are int64 literals (the conformance contract, DESIGN.md).

use std::collections::BTreeMap;

use contractc_ir::pattern::Dialect;
use contractc_ir::{Additional, Contracts, Ty, TypeKind, TypeRef};
use runtime::plan::{self, Integers, Json, Keyword, Node, Num, Type, Validator};

/// The validator of a contract: node 0 is its root.
pub fn validator(program: &dyn Contracts, contract: usize) -> Validator {
    let mut b = Builder { program, nodes: Vec::new(), named: BTreeMap::new(), closed: None, null: None };
    b.named(TypeRef { contract, index: 0 });
    Validator::new(program.at(contract).id.key(), Integers::Int64Literal, b.nodes)
}

/// The runtime's matcher of an ECMA-262 pattern the checker accepted (rendered for the `regex`
/// crate, which every Rust implementation uses).
pub fn pattern(p: &contractc_ir::pattern::Pattern) -> plan::Pattern {
    plan::Pattern::new(&p.source, &p.render(Dialect::Rust)).expect("the checker compiled this pattern")
}

/// The validator of one type of `program` (a whole program or a view of the contracts it
/// reaches; a property's, an item's): node 0 is the type.
/// `name` names it in the validator (messages never show it).
pub fn validator_of(program: &dyn Contracts, ty: &Ty, name: &str) -> Validator {
    let mut b = Builder { program, nodes: vec![Node::Bool(true)], named: BTreeMap::new(), closed: None, null: None };
    let root = b.ty(ty);
    b.nodes[0] = b.nodes[root as usize].clone();
    Validator::new(name, Integers::Int64Literal, b.nodes)
}

struct Builder<'a> {
    program: &'a dyn Contracts,
    nodes: Vec<Node>,
    named: BTreeMap<TypeRef, u32>,
    /// The `false` schema every object's `additionalProperties` refers to.
    closed: Option<u32>,
    /// The `{"type": "null"}` schema of every nullable value's `anyOf`.
    null: Option<u32>,
}

impl Builder<'_> {
    fn push(&mut self, n: Node) -> u32 {
        self.nodes.push(n);
        (self.nodes.len() - 1) as u32
    }

    /// The one `false` node (no value), which every closed object and forbidden pattern shares.
    fn never(&mut self) -> u32 {
        match self.closed {
            Some(n) => n,
            None => {
                let n = self.push(Node::Bool(false));
                self.closed = Some(n);
                n
            }
        }
    }

    fn typed(&mut self, t: Type, mut keywords: Vec<Keyword>) -> u32 {
        keywords.insert(0, Keyword::Type(vec![t]));
        self.push(Node::Keywords(keywords))
    }

    fn named(&mut self, r: TypeRef) -> u32 {
        if let Some(&i) = self.named.get(&r) {
            return i;
        }
        let index = self.push(Node::Bool(true));
        self.named.insert(r, index);
        let keywords = match &self.program.named(r).kind {
            TypeKind::Enum(values) => vec![
                Keyword::Type(vec![Type::String]),
                Keyword::Enum(values.iter().map(|v| Json::String(v.clone())).collect()),
            ],
            // The node of the aliased type (a copy: node 0 must be the root).
            TypeKind::Alias(ty) => {
                let n = self.ty(ty);
                match self.nodes[n as usize].clone() {
                    Node::Keywords(k) => k,
                    Node::Bool(_) => Vec::new(),
                }
            }
            // The branches take different JSON types: at most one holds.
            TypeKind::Choice(branches) => vec![Keyword::AnyOf(branches.iter().map(|(_, t)| self.ty(t)).collect())],
            TypeKind::Untagged(u) => {
                let branches = u.branches.iter().map(|t| self.ty(t)).collect();
                vec![if u.exactly_one { Keyword::OneOf(branches) } else { Keyword::AnyOf(branches) }]
            }
            // Exactly one variant holds, the one the tag names (each requires its own tag).
            TypeKind::Union(u) => {
                let c = r.contract;
                vec![Keyword::OneOf(
                    u.variants.iter().map(|(_, index)| self.named(TypeRef { contract: c, index: *index })).collect(),
                )]
            }
            TypeKind::Object(o) => {
                let properties = o.fields.iter().map(|f| (f.name.clone(), self.field(f))).collect();
                let required = o.fields.iter().filter(|f| f.required).map(|f| f.name.clone()).collect();
                let mut keywords = vec![
                    Keyword::Type(vec![Type::Object]),
                    Keyword::Required(required),
                    Keyword::Properties(properties),
                ];
                keywords.extend(o.min_properties.map(Keyword::MinProperties));
                keywords.extend(o.max_properties.map(Keyword::MaxProperties));
                if !o.dependent_required.is_empty() {
                    keywords.push(Keyword::DependentRequired(o.dependent_required.clone()));
                }
                match &o.additional {
                    Additional::Any => {}
                    Additional::Forbidden => {
                        let closed = self.never();
                        keywords.push(Keyword::AdditionalProperties(closed));
                    }
                    Additional::Typed(t) => {
                        let values = self.ty(t);
                        keywords.push(Keyword::AdditionalProperties(values));
                    }
                }
                // Beside rules, `additionalProperties` binds the members no pattern matches.
                if !o.pattern_rules.is_empty() {
                    let rules = o
                        .pattern_rules
                        .iter()
                        .map(|rule| {
                            let node = match &rule.ty {
                                Some(t) => self.ty(t),
                                None => self.never(),
                            };
                            (pattern(&rule.pattern), node)
                        })
                        .collect();
                    keywords.push(Keyword::PatternProperties(rules));
                    if let Some(t) = &o.unmatched {
                        let values = self.ty(t);
                        keywords.push(Keyword::AdditionalProperties(values));
                    }
                }
                // The IR's names bind undeclared members only; `propertyNames` binds every
                // member, so the declared names are let through beside them.
                if let Some(names) = o.extra_names.as_ref().filter(|_| o.additional != Additional::Forbidden) {
                    let mut node = self.ty(&Ty::String(names.clone()));
                    if !o.fields.is_empty() {
                        let declared = o.fields.iter().map(|f| Json::String(f.name.clone())).collect();
                        let declared = self.push(Node::Keywords(vec![Keyword::Enum(declared)]));
                        node = self.push(Node::Keywords(vec![Keyword::AnyOf(vec![declared, node])]));
                    }
                    keywords.push(Keyword::PropertyNames(node));
                }
                keywords
            }
        };
        self.nodes[index as usize] = Node::Keywords(keywords);
        index
    }

    /// A field's node: its type's, and its `default` (a node of its own around a named type's,
    /// which other fields share).
    fn field(&mut self, f: &contractc_ir::Field) -> u32 {
        let node = self.ty(&f.ty);
        let Some(text) = &f.default else { return node };
        let value: serde_json::Value = serde_json::from_str(text).expect("a default is canonical JSON text");
        let default = Keyword::Default(Json::from(&value));
        match (&f.ty, &mut self.nodes[node as usize]) {
            (Ty::Named(_), _) | (_, Node::Bool(_)) => {
                self.push(Node::Keywords(vec![Keyword::AllOf(vec![node]), default]))
            }
            (_, Node::Keywords(k)) => {
                k.push(default);
                node
            }
        }
    }

    fn ty(&mut self, ty: &Ty) -> u32 {
        match ty {
            Ty::String(s) => {
                let mut k = Vec::new();
                k.extend(s.min_length.map(Keyword::MinLength));
                k.extend(s.max_length.map(Keyword::MaxLength));
                k.extend(s.pattern.as_ref().map(|p| Keyword::Pattern(pattern(p))));
                k.extend(s.format.map(|f| {
                    Keyword::Format(
                        plan::Format::from_keyword(f.keyword()).expect("the runtime asserts every IR format"),
                    )
                }));
                self.typed(Type::String, k)
            }
            Ty::Number(n) => {
                let bound = |b: contractc_ir::Bound, inclusive: fn(Num) -> Keyword, exclusive: fn(Num) -> Keyword| {
                    (if b.exclusive { exclusive } else { inclusive })(Num::Float(b.value))
                };
                let mut k = Vec::new();
                k.extend(n.minimum.map(|b| bound(b, Keyword::Minimum, Keyword::ExclusiveMinimum)));
                k.extend(n.maximum.map(|b| bound(b, Keyword::Maximum, Keyword::ExclusiveMaximum)));
                k.extend(n.multiple_of.map(Keyword::MultipleOf));
                self.typed(Type::Number, k)
            }
            Ty::Integer(n) => {
                let mut k = Vec::new();
                k.extend(n.minimum.map(|m| Keyword::Minimum(Num::Integer(m))));
                k.extend(n.maximum.map(|m| Keyword::Maximum(Num::Integer(m))));
                k.extend(n.multiple_of.map(Keyword::MultipleOf));
                self.typed(Type::Integer, k)
            }
            Ty::Boolean => self.typed(Type::Boolean, vec![]),
            Ty::Array(a) => {
                let mut k = Vec::new();
                if let Some(t) = &a.tuple {
                    let prefix = t.prefix.iter().map(|p| self.ty(p)).collect();
                    k.push(Keyword::PrefixItems(prefix));
                }
                let items = self.ty(a.tuple.as_ref().map_or(&*a.items, |t| &*t.rest));
                k.extend(a.min_items.map(Keyword::MinItems));
                k.extend(a.max_items.map(Keyword::MaxItems));
                if a.unique_items {
                    k.push(Keyword::UniqueItems);
                }
                k.push(Keyword::Items(items));
                if let Some(c) = &a.contains {
                    let node = self.ty(&c.ty);
                    k.push(Keyword::Contains(node));
                    if c.min != 1 {
                        k.push(Keyword::MinContains(c.min));
                    }
                    k.extend(c.max.map(Keyword::MaxContains));
                }
                self.typed(Type::Array, k)
            }
            Ty::Named(r) => self.named(*r),
            Ty::Any => self.push(Node::Bool(true)),
            Ty::Values(values) => {
                self.push(Node::Keywords(vec![Keyword::Enum(values.iter().map(|v| json(v)).collect())]))
            }
            Ty::Nullable(t) => {
                let inner = self.ty(t);
                let null = *self.null.get_or_insert_with(|| {
                    self.nodes.push(Node::Keywords(vec![Keyword::Type(vec![Type::Null])]));
                    (self.nodes.len() - 1) as u32
                });
                self.push(Node::Keywords(vec![Keyword::AnyOf(vec![inner, null])]))
            }
        }
    }
}

/// A value given by its canonical text (`Ty::Values`, which the compiler wrote) as a plan value.
fn json(canonical: &str) -> Json {
    Json::from(&serde_json::from_str(canonical).unwrap_or(serde_json::Value::Null))
}

#[cfg(test)]
mod tests {
    /// The IR's formats are the runtime's, in the same order and by the same names: the Rust
    /// backend writes `support::Format::<name>` for the runtime's enum, which generated Rust embeds.
    #[test]
    fn the_ir_and_the_runtime_assert_the_same_formats() {
        let ir: Vec<(&str, String)> =
            contractc_ir::Format::ALL.iter().map(|f| (f.keyword(), f.name().into())).collect();
        let runtime: Vec<(&str, String)> =
            runtime::plan::Format::ALL.iter().map(|f| (f.keyword(), format!("{f:?}"))).collect();
        assert_eq!(ir, runtime);
    }
}
