//! Plan backend: lowers a workflow and the contracts its steps emit into [`runtime::plan::Plan`]
//! and writes `plan.bin` with the runtime's own encoder. One plan per project for now: the
//! project's single workflow (more than one is an error).

use std::collections::BTreeMap;

use contractc_emit::{EmitError, OutputFile};
use contractc_ir::pattern::Dialect;
use contractc_ir::{Additional, Program, TriggerRule, Ty, TypeKind, TypeRef};
use runtime::plan::{self, Integers, Json, Keyword, Node, Num, Type, Validator};

/// Emits `plan.bin` for the program's workflow; no file when there is no workflow.
pub fn emit(program: &Program) -> Result<Vec<OutputFile>, EmitError> {
    match program.workflows.as_slice() {
        [] => Ok(Vec::new()),
        [w] => {
            let mut validators: Vec<Validator> = Vec::new();
            let mut by_contract: BTreeMap<usize, u32> = BTreeMap::new();
            let steps = w
                .steps
                .iter()
                .map(|s| plan::Step {
                    name: s.name.clone(),
                    run: s.run.clone(),
                    working_dir: s.working_dir.clone(),
                    env: s.env.clone(),
                    env_from_host: s.env_from_host.clone(),
                    trigger: match s.trigger {
                        TriggerRule::AllSuccess => plan::TriggerRule::AllSuccess,
                        TriggerRule::AllDone => plan::TriggerRule::AllDone,
                        TriggerRule::OneFailed => plan::TriggerRule::OneFailed,
                        TriggerRule::Always => plan::TriggerRule::Always,
                    },
                    retry: s.retry.as_ref().map_or_else(plan::RetryPolicy::none, |r| plan::RetryPolicy {
                        max_attempts: r.max_attempts,
                        initial_ms: r.initial_ms,
                        factor: r.factor,
                        max_interval_ms: r.max_interval_ms,
                        jitter: r.jitter,
                        exit_codes: r.retry_on.exit_codes.clone(),
                        signals: r.retry_on.signals.clone(),
                        on_timeout: r.retry_on.timeout,
                    }),
                    timeout_ms: s.timeout_ms,
                    deadline_ms: s.deadline_ms,
                    fallback: s.fallback.map(|f| f as u32),
                    fallback_for: s.fallback_for.map(|f| f as u32),
                    resources: s.resources.iter().map(|&r| r as u32).collect(),
                    inputs: s
                        .inputs
                        .iter()
                        .map(|i| plan::Input { name: i.name.clone(), from: i.from as u32 })
                        .collect(),
                    output: s.output.as_ref().map(|o| {
                        let validator = *by_contract.entry(o.contract).or_insert_with(|| {
                            validators.push(validator(program, o.contract));
                            (validators.len() - 1) as u32
                        });
                        plan::Output { validator, stream: o.stream }
                    }),
                    needs: s.needs.iter().map(|&n| n as u32).collect(),
                    when: s.when.as_ref().map(|c| plan::Condition {
                        source: c.source.clone(),
                        input: c.input as u32,
                        code: c.code.iter().map(op).collect(),
                    }),
                })
                .collect();
            let resources = w
                .resources
                .iter()
                .map(|r| plan::Resource {
                    name: r.name.clone(),
                    failure_threshold: r.failure_threshold,
                    cooldown_ms: r.cooldown_ms,
                })
                .collect();
            let p =
                plan::Plan { workflow: format!("{}@{}.{}", w.name, w.major, w.minor), steps, validators, resources };
            Ok(vec![OutputFile { path: "plan.bin".into(), contents: plan::encode(&p) }])
        }
        many => Err(EmitError {
            backend: "plan",
            message: format!("{} workflows found; this version compiles one plan per project", many.len()),
        }),
    }
}

fn op(o: &contractc_ir::Op) -> plan::Op {
    use contractc_ir::Op as I;
    match o {
        I::Field(p) => plan::Op::Field(p.clone()),
        I::Number(n) => plan::Op::Number(*n),
        I::String(s) => plan::Op::String(s.clone()),
        I::Bool(b) => plan::Op::Bool(*b),
        I::Eq => plan::Op::Eq,
        I::Ne => plan::Op::Ne,
        I::Lt => plan::Op::Lt,
        I::Le => plan::Op::Le,
        I::Gt => plan::Op::Gt,
        I::Ge => plan::Op::Ge,
        I::And => plan::Op::And,
        I::Or => plan::Op::Or,
        I::Not => plan::Op::Not,
    }
}

/// The validator of a contract: node 0 is its root; each named type becomes one node, each
/// closed object refers by `additionalProperties` to the one `false` node (an open object has no
/// `additionalProperties`: JSON Schema's default accepts any member).
pub fn validator(program: &Program, contract: usize) -> Validator {
    let mut b = Builder { program, nodes: Vec::new(), named: BTreeMap::new(), closed: None, null: None };
    b.named(TypeRef { contract, index: 0 });
    Validator { contract: program.contracts[contract].id.key(), integers: Integers::Int64Literal, nodes: b.nodes }
}

struct Builder<'a> {
    program: &'a Program,
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
                match &o.additional {
                    Additional::Any => {}
                    Additional::Forbidden => {
                        let closed = *self.closed.get_or_insert_with(|| {
                            self.nodes.push(Node::Bool(false));
                            (self.nodes.len() - 1) as u32
                        });
                        keywords.push(Keyword::AdditionalProperties(closed));
                    }
                    Additional::Typed(t) => {
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
                k.extend(s.pattern.as_ref().map(|p| {
                    let syntax = p.render(Dialect::Rust);
                    Keyword::Pattern(plan::Pattern::new(&p.source, &syntax).expect("the checker compiled this pattern"))
                }));
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
                self.typed(Type::Number, k)
            }
            Ty::Integer(n) => {
                let mut k = Vec::new();
                k.extend(n.minimum.map(|m| Keyword::Minimum(Num::Integer(m))));
                k.extend(n.maximum.map(|m| Keyword::Maximum(Num::Integer(m))));
                self.typed(Type::Integer, k)
            }
            Ty::Boolean => self.typed(Type::Boolean, vec![]),
            Ty::Array(a) => {
                let items = self.ty(&a.items);
                let mut k = Vec::new();
                k.extend(a.min_items.map(Keyword::MinItems));
                k.extend(a.max_items.map(Keyword::MaxItems));
                if a.unique_items {
                    k.push(Keyword::UniqueItems);
                }
                k.push(Keyword::Items(items));
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
