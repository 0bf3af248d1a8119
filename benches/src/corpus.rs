//! A realistic corpus of trading-event contracts, seeded and deterministic: the same `contracts`
//! and `seed` give the same bytes on every machine (a `fastrand` generator pinned to one version,
//! integers only, objects written with sorted keys).
//!
//! Four shared contracts under `core/` (the enum `Side`, the closed objects `Money` and
//! `Instrument`, the open object `Account`), then lines of event contracts in five families
//! (`orders/`, `fills/`, `positions/`, `quotes/`, `risk/`), each with one to four minors that are
//! compatible under the default policy, BACKWARD_TRANSITIVE: a minor adds an optional property
//! (closed objects only; an open object's old messages may carry any name with any value),
//! loosens a bound, a length or an item count, makes a required property optional, makes a
//! property nullable, or adds a variant to a tagged union. Every event has a `const` tag, a
//! `uuid` and a `date-time`; the rest is drawn from its family's fields: cross-file `$ref`s to
//! `core/` and to earlier events of other families (`../orders/OrderNew@1.0.json`), `$defs`
//! objects in arrays nested two deep, discriminated `oneOf`s, string enums, bounds, lengths,
//! `pattern`, `multipleOf`, `default`, `date` and nullable values.
//!
//! [`Dialect::Peers`] writes the same lines, drawn from the same seed, in the subset that the peer
//! generators (datamodel-code-generator, quicktype) read as well: every object closed and no
//! `default`; `make bench-compare` times the three tools on it.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

/// The seed of the committed corpus, `tests/corpus/`.
pub const SEED: u64 = 11;

/// The number of contract files of the committed corpus.
pub const CONTRACTS: usize = 100;

/// The contracts every corpus has, whatever its size.
pub const CORE: usize = 4;

/// One file of a corpus: its path relative to the corpus folder and its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct File {
    pub path: String,
    pub text: String,
}

/// The keywords a corpus's schemas use.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Dialect {
    /// Everything contractc reads: open objects among the closed ones, `default`s.
    #[default]
    Full,
    /// What the peer generators read too: the same lines (the same draws from the seed), with
    /// every object closed and no `default` anywhere. Open objects have no minor that adds a
    /// property, so closing them keeps every line compatible.
    Peers,
}

/// The corpus of `contracts` contract files (at least [`CORE`]) drawn with `seed`, and its
/// `contractc.toml` (backends rust, python and mql4; templates at `templates`, relative to the
/// corpus folder), sorted by path.
pub fn corpus(contracts: usize, seed: u64, templates: &str) -> Result<Vec<File>, String> {
    corpus_in(Dialect::Full, contracts, seed, templates)
}

/// [`corpus`], its schemas written in `dialect`.
pub fn corpus_in(dialect: Dialect, contracts: usize, seed: u64, templates: &str) -> Result<Vec<File>, String> {
    if contracts < CORE {
        return Err(format!("a corpus has at least {CORE} contracts (the shared ones under core/), not {contracts}"));
    }
    let mut files = vec![File { path: "contractc.toml".into(), text: config(dialect, contracts, seed, templates) }];
    for (name, schema) in core() {
        files.push(contract("core", name, 0, in_dialect(dialect, schema)));
    }
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut lines: Vec<Line> = Vec::new();
    let mut left = contracts - CORE;
    for (family, name) in names() {
        if left == 0 {
            break;
        }
        let minors = (rng.u32(1..=4) as usize).min(left);
        left -= minors;
        let line = Line::draw(&mut rng, family, name, minors, &lines);
        for minor in 0..line.minors {
            files.push(contract(line.family.namespace, &line.name, minor, line.schema(minor, dialect)));
        }
        lines.push(line);
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

fn config(dialect: Dialect, contracts: usize, seed: u64, templates: &str) -> String {
    let peers = if dialect == Dialect::Peers { " --peers" } else { "" };
    format!(
        "# A realistic corpus of trading-event contracts, written by\n\
         # `cargo run -p contractc-benches --bin corpus -- --contracts {contracts} --seed {seed}{peers} --out <this folder>`\n\
         # (benches/src/corpus.rs); `contractc build --config <this folder>/contractc.toml` writes its code.\n\
         contracts = \"contracts\"\n\
         templates = \"{templates}\"\n\
         output = \"generated\"\n\
         backends = [\"rust\", \"python\", \"mql4\"]\n\
         \n\
         [rust]\n\
         crate = \"corpus-contracts\"\n\
         \n\
         [python]\n\
         package = \"corpus_contracts\"\n"
    )
}

fn contract(namespace: &str, name: &str, minor: usize, schema: Value) -> File {
    let mut root = Map::new();
    root.insert("$schema".into(), json!("https://json-schema.org/draft/2020-12/schema"));
    root.insert("$id".into(), json!(format!("{name}@1.{minor}.json")));
    root.insert("title".into(), json!(name));
    let Value::Object(schema) = schema else { unreachable!("every contract is an object schema") };
    root.extend(schema);
    let text = serde_json::to_string_pretty(&Value::Object(root)).expect("a JSON value") + "\n";
    File { path: format!("contracts/{namespace}/{name}@1.{minor}.json"), text }
}

/// `schema`, one of the flat object literals of [`core`] and [`item`], as `dialect` writes it:
/// in [`Dialect::Peers`] closed, its properties without `default`, and its description without
/// the sentence that says it is open.
fn in_dialect(dialect: Dialect, mut schema: Value) -> Value {
    let Value::Object(s) = &mut schema else { unreachable!("every literal is an object schema") };
    if dialect == Dialect::Full || s.get("type") != Some(&json!("object")) {
        return schema;
    }
    if let Some(Value::Object(properties)) = s.get_mut("properties") {
        for p in properties.values_mut() {
            if let Value::Object(p) = p {
                p.remove("default");
            }
        }
    }
    s.insert("additionalProperties".into(), json!(false));
    if let Some(Value::String(about)) = s.get_mut("description")
        && let Some(open) = about.find(" Open:")
    {
        about.truncate(open);
    }
    schema
}

const SIDE: &str = "../core/Side@1.0.json";
const MONEY: &str = "../core/Money@1.0.json";
const INSTRUMENT: &str = "../core/Instrument@1.0.json";
const ACCOUNT: &str = "../core/Account@1.0.json";

/// The shared contracts: a string enum, two closed objects and an open one.
fn core() -> [(&'static str, Value); CORE] {
    [
        (
            "Account",
            json!({
                "description": "A trading account. Open: venues add their own members, which every reader keeps.",
                "type": "object",
                "properties": {
                    "account_id": { "description": "The account's id.", "type": "string", "format": "uuid" },
                    "desk": { "description": "The desk that owns the account.", "type": "string", "minLength": 1, "maxLength": 32 },
                    "book": { "description": "The book, when the desk splits its accounts.", "type": ["string", "null"], "maxLength": 32 }
                },
                "required": ["account_id", "desk"]
            }),
        ),
        (
            "Instrument",
            json!({
                "description": "A tradable instrument, as the venue lists it.",
                "type": "object",
                "properties": {
                    "symbol": { "description": "The venue's symbol.", "type": "string", "minLength": 1, "maxLength": 24, "pattern": "^[A-Z][A-Z0-9._]*$" },
                    "isin": { "description": "ISO 6166 identification number.", "type": "string", "pattern": "^[A-Z]{2}[A-Z0-9]{9}[0-9]$" },
                    "asset_class": { "description": "What kind of instrument this is.", "type": "string", "enum": ["FX", "EQUITY", "FUTURE", "OPTION", "BOND", "CRYPTO"] },
                    "tick_size": { "description": "The smallest price increment.", "type": "number", "exclusiveMinimum": 0, "maximum": 1000 },
                    "digits": { "description": "Decimal places of a price.", "type": "integer", "minimum": 0, "maximum": 10, "default": 5 },
                    "currency": { "description": "ISO 4217 currency of prices.", "type": "string", "minLength": 3, "maxLength": 3, "pattern": "^[A-Z]{3}$" }
                },
                "required": ["symbol", "asset_class", "currency"],
                "additionalProperties": false
            }),
        ),
        (
            "Money",
            json!({
                "description": "An amount in a currency.",
                "type": "object",
                "properties": {
                    "amount": { "description": "The amount, to a hundredth of a cent.", "type": "number", "minimum": -1_000_000_000_000_i64, "maximum": 1_000_000_000_000_i64, "multipleOf": 0.0001 },
                    "currency": { "description": "ISO 4217 currency code.", "type": "string", "minLength": 3, "maxLength": 3, "pattern": "^[A-Z]{3}$" }
                },
                "required": ["amount", "currency"],
                "additionalProperties": false
            }),
        ),
        (
            "Side",
            json!({
                "description": "The side of an order, a fill or a leg: a shared enum.",
                "type": "string",
                "enum": ["BUY", "SELL", "SELL_SHORT"]
            }),
        ),
    ]
}

/// An event family: its folder, its events, its fields and its tagged union.
struct Family {
    namespace: &'static str,
    events: &'static [&'static str],
    /// The family whose earlier events this one's may refer to, and the field that does.
    refers: Option<(&'static str, &'static str, Reference)>,
    union: Union,
    fields: fn() -> Vec<Field>,
}

/// A family's tagged union: the property that holds it, its `$defs` name, its variants.
struct Union {
    property: &'static str,
    name: &'static str,
    about: &'static str,
    variants: &'static [&'static str],
}

/// How an event refers to another: once, or in an array.
#[derive(Clone, Copy)]
enum Reference {
    One,
    Many,
}

const FAMILIES: [Family; 5] = [
    Family {
        namespace: "orders",
        events: &["OrderNew", "OrderAmend", "OrderCancel", "OrderAck", "OrderReject", "OrderExpire"],
        refers: None,
        union: Union {
            property: "algo",
            name: "Algo",
            about: "The execution algorithm, by its `kind`.",
            variants: &["Twap", "Vwap", "Iceberg", "Peg"],
        },
        fields: orders,
    },
    Family {
        namespace: "fills",
        events: &["Fill", "PartialFill", "TradeBust", "TradeCorrect", "Allocation", "Commission"],
        refers: Some(("orders", "order", Reference::One)),
        union: Union {
            property: "capacity",
            name: "Capacity",
            about: "The capacity the firm traded in, by its `kind`.",
            variants: &["Agency", "Principal", "Riskless"],
        },
        fields: fills,
    },
    Family {
        namespace: "positions",
        events: &["PositionOpen", "PositionClose", "PositionSnapshot", "Pnl", "Settlement", "Transfer"],
        refers: Some(("fills", "last_fill", Reference::One)),
        union: Union {
            property: "margin",
            name: "Margin",
            about: "The margin method, by its `kind`.",
            variants: &["Cash", "Portfolio", "Span"],
        },
        fields: positions,
    },
    Family {
        namespace: "quotes",
        events: &["Quote", "QuoteCancel", "Bbo", "DepthUpdate", "TradePrint", "Rfq"],
        refers: None,
        union: Union {
            property: "source",
            name: "Source",
            about: "Where the quote came from, by its `kind`.",
            variants: &["Feed", "Manual", "Derived"],
        },
        fields: quotes,
    },
    Family {
        namespace: "risk",
        events: &["LimitBreach", "MarginCall", "ExposureUpdate", "VarReport", "KillSwitch", "CreditCheck"],
        refers: Some(("positions", "positions", Reference::Many)),
        union: Union {
            property: "rule",
            name: "Rule",
            about: "The rule that fired, by its `kind`.",
            variants: &["Static", "Dynamic", "Manual"],
        },
        fields: risk,
    },
];

/// Asset-class prefixes of event names, so that large corpora stay realistic and every name is
/// unique (MQL4 has one namespace).
const DESKS: &[&str] = &[
    "", "Fx", "Eq", "Fut", "Opt", "Bond", "Swap", "Cfd", "Crypto", "Metal", "Energy", "Rates", "Credit", "Index",
    "Etf", "Repo", "Muni", "Agri",
];

/// Every (family, event name) in the order lines are drawn: each desk's events of every family,
/// then the same names again with a round number.
fn names() -> impl Iterator<Item = (&'static Family, String)> {
    (1..).flat_map(|round: usize| {
        DESKS.iter().flat_map(move |desk| {
            FAMILIES.iter().flat_map(move |family| {
                family.events.iter().map(move |event| {
                    let suffix = if round == 1 { String::new() } else { round.to_string() };
                    (family, format!("{desk}{event}{suffix}"))
                })
            })
        })
    })
}

/// What a property holds; the kinds of the subset an event uses.
#[derive(Clone, Debug)]
enum Kind {
    Tag(String),
    Uuid,
    Stamp,
    Day,
    Text { min: u32, max: u32, pattern: Option<&'static str> },
    Code(&'static [&'static str]),
    Decimal { min: i64, exclusive: bool, max: i64, step: f64 },
    Count { min: i64, max: i64 },
    Flag,
    Ref(String),
    List { items: String, max: u32 },
}

#[derive(Clone, Debug)]
struct Field {
    name: &'static str,
    about: &'static str,
    kind: Kind,
    required: bool,
    nullable: bool,
    default: Option<Value>,
}

fn field(name: &'static str, about: &'static str, kind: Kind) -> Field {
    Field { name, about, kind, required: false, nullable: false, default: None }
}

impl Field {
    fn required(self) -> Field {
        Field { required: true, ..self }
    }

    fn default(self, value: Value) -> Field {
        Field { default: Some(value), ..self }
    }

    /// Whether a minor may make it nullable: a value that is not a tag, an id, a flag, an enum
    /// or an array (MQL4 holds no arrays of nullable items), and has no default.
    fn may_be_null(&self) -> bool {
        self.default.is_none()
            && !self.nullable
            && matches!(
                self.kind,
                Kind::Stamp | Kind::Day | Kind::Text { .. } | Kind::Decimal { .. } | Kind::Count { .. } | Kind::Ref(_)
            )
    }

    fn may_loosen(&self) -> bool {
        matches!(self.kind, Kind::Text { .. } | Kind::Decimal { .. } | Kind::Count { .. } | Kind::List { .. })
    }

    /// A wider upper bound, length or item count: every value valid before stays valid.
    fn loosen(&mut self) {
        match &mut self.kind {
            Kind::Text { max, .. } => *max += 16,
            Kind::Decimal { max, .. } => *max = max.saturating_mul(10),
            Kind::Count { max, .. } => *max = max.saturating_mul(2),
            Kind::List { max, .. } => *max += 4,
            _ => {}
        }
    }

    fn schema(&self) -> Value {
        let mut s = Map::new();
        s.insert("description".into(), json!(self.about));
        let ty = |t: &str| if self.nullable { json!([t, "null"]) } else { json!(t) };
        match &self.kind {
            Kind::Tag(value) => {
                s.insert("type".into(), json!("string"));
                s.insert("const".into(), json!(value));
            }
            Kind::Uuid | Kind::Stamp | Kind::Day => {
                s.insert("type".into(), ty("string"));
                let format = match self.kind {
                    Kind::Uuid => "uuid",
                    Kind::Stamp => "date-time",
                    _ => "date",
                };
                s.insert("format".into(), json!(format));
            }
            Kind::Text { min, max, pattern } => {
                s.insert("type".into(), ty("string"));
                if *min > 0 {
                    s.insert("minLength".into(), json!(min));
                }
                s.insert("maxLength".into(), json!(max));
                if let Some(p) = pattern {
                    s.insert("pattern".into(), json!(p));
                }
            }
            Kind::Code(values) => {
                s.insert("type".into(), json!("string"));
                s.insert("enum".into(), json!(values));
            }
            Kind::Decimal { min, exclusive, max, step } => {
                s.insert("type".into(), ty("number"));
                s.insert((if *exclusive { "exclusiveMinimum" } else { "minimum" }).into(), json!(min));
                s.insert("maximum".into(), json!(max));
                s.insert("multipleOf".into(), json!(step));
            }
            Kind::Count { min, max } => {
                s.insert("type".into(), ty("integer"));
                s.insert("minimum".into(), json!(min));
                s.insert("maximum".into(), json!(max));
            }
            Kind::Flag => {
                s.insert("type".into(), json!("boolean"));
            }
            Kind::Ref(target) if self.nullable => {
                s.insert("anyOf".into(), json!([{ "$ref": target }, { "type": "null" }]));
            }
            Kind::Ref(target) => {
                s.insert("$ref".into(), json!(target));
            }
            Kind::List { items, max } => {
                s.insert("type".into(), json!("array"));
                s.insert("items".into(), json!({ "$ref": items }));
                s.insert("maxItems".into(), json!(max));
            }
        }
        if let Some(d) = &self.default {
            s.insert("default".into(), d.clone());
        }
        Value::Object(s)
    }

    /// The local `$defs` entry it refers to (`#/$defs/Leg`), if any.
    fn local(&self) -> Option<&str> {
        match &self.kind {
            Kind::Ref(t) | Kind::List { items: t, .. } => t.strip_prefix("#/$defs/"),
            _ => None,
        }
    }
}

fn money(name: &'static str, about: &'static str) -> Field {
    field(name, about, Kind::Ref(MONEY.into()))
}

fn qty(name: &'static str, about: &'static str) -> Field {
    field(name, about, Kind::Decimal { min: 0, exclusive: false, max: 1_000_000, step: 0.01 })
}

fn orders() -> Vec<Field> {
    vec![
        field(
            "client_order_id",
            "The client's id of the order.",
            Kind::Text { min: 1, max: 32, pattern: Some("^[A-Za-z0-9_-]+$") },
        )
        .required(),
        field("side", "Buy or sell.", Kind::Ref(SIDE.into())).required(),
        field(
            "quantity",
            "Order size in units of the instrument.",
            Kind::Decimal { min: 0, exclusive: true, max: 1_000_000, step: 0.01 },
        )
        .required(),
        money("limit_price", "The limit price; absent for a market order."),
        money("stop_price", "The stop trigger price."),
        field("time_in_force", "How long the order works.", Kind::Code(&["DAY", "GTC", "IOC", "FOK", "GTD"]))
            .default(json!("DAY")),
        field("order_type", "The execution style.", Kind::Code(&["MARKET", "LIMIT", "STOP", "STOP_LIMIT"])),
        field("expire_date", "The last day a GTD order works.", Kind::Day),
        qty("display_qty", "The quantity shown on the book."),
        field(
            "comment",
            "A note for the trader; MT4 keeps 31 characters.",
            Kind::Text { min: 0, max: 31, pattern: None },
        )
        .default(json!("")),
        field("reduce_only", "Whether the order may only reduce a position.", Kind::Flag).default(json!(false)),
        field("legs", "The legs of a multi-leg order.", Kind::List { items: "#/$defs/Leg".into(), max: 4 }),
        field("account", "The account the order trades for.", Kind::Ref(ACCOUNT.into())),
        field("reason", "Why the venue refused or amended it.", Kind::Text { min: 1, max: 120, pattern: None }),
        field("attempt", "How many times it was sent before.", Kind::Count { min: 0, max: 10 }).default(json!(0)),
    ]
}

fn fills() -> Vec<Field> {
    vec![
        field("exec_id", "The venue's execution id.", Kind::Text { min: 1, max: 40, pattern: Some("^[A-Z0-9]+$") })
            .required(),
        field(
            "last_qty",
            "The quantity of this fill.",
            Kind::Decimal { min: 0, exclusive: true, max: 1_000_000, step: 0.01 },
        )
        .required(),
        money("last_price", "The price of this fill.").required(),
        qty("cum_qty", "The quantity filled so far."),
        qty("leaves_qty", "The quantity still working."),
        field(
            "liquidity",
            "Whether the fill added or removed liquidity.",
            Kind::Code(&["ADDED", "REMOVED", "ROUTED", "AUCTION"]),
        ),
        field("fees", "The fees charged for the fill.", Kind::List { items: "#/$defs/Fee".into(), max: 8 }),
        field("trade_date", "The trade date.", Kind::Day),
        field("settle_date", "The settlement date.", Kind::Day),
        field(
            "counterparty",
            "The other side, when the venue names it.",
            Kind::Text { min: 1, max: 64, pattern: None },
        ),
        field("side", "Buy or sell.", Kind::Ref(SIDE.into())),
        field("exec_seq", "The venue's sequence number.", Kind::Count { min: 1, max: 2_147_483_647 }),
    ]
}

fn positions() -> Vec<Field> {
    vec![
        field("position_id", "The position's id.", Kind::Uuid).required(),
        field(
            "net_qty",
            "Net quantity: long positive, short negative.",
            Kind::Decimal { min: -1_000_000_000, exclusive: false, max: 1_000_000_000, step: 0.0001 },
        )
        .required(),
        money("avg_price", "The average entry price."),
        money("unrealised_pnl", "Profit or loss marked to market."),
        money("realised_pnl", "Profit or loss realised today."),
        field("open_date", "The day the position opened.", Kind::Day),
        field("lots", "The open lots, oldest first.", Kind::List { items: "#/$defs/Lot".into(), max: 16 }),
        field("status", "Where the position stands.", Kind::Code(&["OPEN", "CLOSING", "CLOSED"]))
            .default(json!("OPEN")),
        field("book", "The book it is held in.", Kind::Text { min: 1, max: 32, pattern: None }),
        field("account", "The account that holds it.", Kind::Ref(ACCOUNT.into())),
    ]
}

fn quotes() -> Vec<Field> {
    vec![
        field("quote_id", "The quote's id.", Kind::Text { min: 1, max: 36, pattern: Some("^[A-Za-z0-9]+$") })
            .required(),
        money("bid", "The best bid."),
        money("ask", "The best offer."),
        qty("bid_size", "The size at the best bid."),
        qty("ask_size", "The size at the best offer."),
        field("levels", "Depth of book, best first.", Kind::List { items: "#/$defs/Level".into(), max: 20 }),
        field("valid_until", "When the quote expires.", Kind::Stamp),
        field("venue", "The venue's MIC.", Kind::Code(&["XLON", "XNYS", "XNAS", "XPAR", "XETR", "XTKS"])),
        field("condition", "The quote condition.", Kind::Code(&["FIRM", "INDICATIVE", "AUCTION", "HALTED"]))
            .default(json!("FIRM")),
        field("sequence", "The feed's sequence number.", Kind::Count { min: 0, max: 9_007_199_254_740_991 }),
    ]
}

fn risk() -> Vec<Field> {
    vec![
        field("check_id", "The check's id.", Kind::Uuid).required(),
        field(
            "desk",
            "The desk the check is about.",
            Kind::Text { min: 1, max: 32, pattern: Some("^[A-Z][A-Z0-9_]*$") },
        )
        .required(),
        field("instrument", "The instrument, when the check is about one.", Kind::Ref(INSTRUMENT.into())),
        field(
            "limit",
            "The limit, in the desk's currency.",
            Kind::Decimal { min: 0, exclusive: true, max: 1_000_000_000_000, step: 0.01 },
        ),
        field(
            "utilisation",
            "Percent of the limit in use.",
            Kind::Decimal { min: 0, exclusive: false, max: 100, step: 0.001 },
        ),
        field("level", "How serious it is.", Kind::Code(&["INFO", "WARN", "SOFT", "HARD"])),
        money("exposure", "The exposure measured."),
        field("approved", "Whether a risk officer approved an override.", Kind::Flag).default(json!(false)),
        field("approver", "Who approved the override.", Kind::Text { min: 1, max: 64, pattern: None }),
        field("valid_from", "The first day the limit applies.", Kind::Day),
        field("factors", "The risk factors behind the figure.", Kind::List { items: "#/$defs/Factor".into(), max: 12 }),
        field("breaches", "Breaches so far today.", Kind::Count { min: 0, max: 1000 }).default(json!(0)),
    ]
}

/// The `$defs` objects the families' arrays hold; `Leg` and `Lot` hold arrays of `Fee`.
fn item(name: &str) -> Value {
    match name {
        "Fee" => json!({
            "description": "A fee charged by a venue, a clearer or a broker.",
            "type": "object",
            "properties": {
                "kind": { "description": "Who charges it.", "type": "string", "enum": ["EXCHANGE", "CLEARING", "BROKER", "REGULATORY"] },
                "amount": { "description": "How much.", "$ref": MONEY },
                "rate": { "description": "The rate, when it is one.", "type": "number", "minimum": 0, "maximum": 1, "multipleOf": 0.000001 }
            },
            "required": ["kind", "amount"],
            "additionalProperties": false
        }),
        "Leg" => json!({
            "description": "One leg of a multi-leg order.",
            "type": "object",
            "properties": {
                "leg_no": { "description": "The leg's number.", "type": "integer", "minimum": 1, "maximum": 99 },
                "side": { "description": "Buy or sell.", "$ref": SIDE },
                "ratio": { "description": "Units of this leg per unit of the order.", "type": "integer", "minimum": 1, "maximum": 100, "default": 1 },
                "price": { "description": "The leg's limit price.", "$ref": MONEY },
                "fees": { "description": "Fees of the leg.", "type": "array", "items": { "$ref": "#/$defs/Fee" }, "maxItems": 4 }
            },
            "required": ["leg_no", "side"],
            "additionalProperties": false
        }),
        "Level" => json!({
            "description": "One price level of the book. Open: feeds add their own members.",
            "type": "object",
            "properties": {
                "price": { "description": "The level's price.", "type": "number", "exclusiveMinimum": 0, "maximum": 1_000_000_000 },
                "size": { "description": "The size at the level.", "type": "number", "minimum": 0, "maximum": 1_000_000_000 },
                "orders": { "description": "Orders at the level, when the feed counts them.", "type": ["integer", "null"], "minimum": 0, "maximum": 100_000 }
            },
            "required": ["price", "size"]
        }),
        "Lot" => json!({
            "description": "One open lot of a position.",
            "type": "object",
            "properties": {
                "lot_id": { "description": "The lot's id.", "type": "string", "format": "uuid" },
                "quantity": { "description": "Units in the lot.", "type": "number", "minimum": -1_000_000_000, "maximum": 1_000_000_000, "multipleOf": 0.0001 },
                "opened": { "description": "When the lot opened.", "type": "string", "format": "date-time" },
                "fees": { "description": "Fees paid to open it.", "type": "array", "items": { "$ref": "#/$defs/Fee" }, "maxItems": 8 }
            },
            "required": ["lot_id", "quantity", "opened"],
            "additionalProperties": false
        }),
        "Factor" => json!({
            "description": "A risk factor and its weight.",
            "type": "object",
            "properties": {
                "name": { "description": "The factor.", "type": "string", "minLength": 1, "maxLength": 48 },
                "weight": { "description": "Its weight.", "type": "number", "minimum": -1, "maximum": 1, "multipleOf": 0.0001 },
                "shock": { "description": "The shock applied, in percent; null when none was.", "type": ["number", "null"], "minimum": -100, "maximum": 100 }
            },
            "required": ["name", "weight"],
            "additionalProperties": false
        }),
        other => unreachable!("no `$defs` item {other}"),
    }
}

/// The members a union's variant may carry besides its tag.
fn variant_fields() -> [Field; 5] {
    [
        field("note", "A free-text note.", Kind::Text { min: 0, max: 80, pattern: None }),
        field("rate", "A rate between 0 and 1.", Kind::Decimal { min: 0, exclusive: false, max: 1, step: 0.0001 }),
        field("until", "When it stops applying.", Kind::Stamp),
        field("limit", "A count it may not exceed.", Kind::Count { min: 0, max: 1_000_000 }),
        field("ratio", "A ratio above 0.", Kind::Decimal { min: 0, exclusive: true, max: 100, step: 0.01 }),
    ]
}

/// How one minor differs from the one before.
#[derive(Clone, Debug)]
enum Step {
    Add(Field),
    Loosen(&'static str),
    Relax(&'static str),
    Null(&'static str),
    Variant,
}

/// The minors of one event contract.
struct Line {
    family: &'static Family,
    name: String,
    minors: usize,
    closed: bool,
    fields: Vec<Field>,
    /// Whether the family's tagged union is a property, and its variants with their members.
    union: Option<Vec<(String, Vec<Field>)>>,
    /// How many variants 1.0 has.
    variants: usize,
    steps: Vec<Step>,
}

fn snake(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

fn pick<T: Clone>(rng: &mut fastrand::Rng, items: &[T]) -> T {
    items[rng.u32(0..items.len() as u32) as usize].clone()
}

impl Line {
    fn draw(rng: &mut fastrand::Rng, family: &'static Family, name: String, minors: usize, earlier: &[Line]) -> Line {
        let closed = rng.u32(0..3) > 0;
        let mut fields = vec![
            field("event", "The event's tag.", Kind::Tag(snake(&name))).required(),
            field("event_id", "The event's id, unique across every event.", Kind::Uuid).required(),
            field("time", "When the event happened, RFC 3339.", Kind::Stamp).required(),
        ];
        if family.namespace != "risk" {
            fields.push(field("instrument", "The instrument.", Kind::Ref(INSTRUMENT.into())).required());
        }
        let mut spare = Vec::new();
        for f in (family.fields)() {
            if f.required || rng.bool() {
                fields.push(f);
            } else {
                spare.push(f);
            }
        }
        if let Some((namespace, name, reference)) = family.refers {
            let targets: Vec<&Line> = earlier.iter().filter(|l| l.family.namespace == namespace).collect();
            if !targets.is_empty() && rng.u32(0..3) > 0 {
                let target = format!("../{namespace}/{}@1.0.json", pick(rng, &targets).name);
                fields.push(match reference {
                    Reference::One => field(name, "The event this one follows from.", Kind::Ref(target)),
                    Reference::Many => {
                        field(name, "The events this one is about.", Kind::List { items: target, max: 10 })
                    }
                });
            }
        }
        // Optional fields without a default: some required, some nullable.
        for f in fields.iter_mut().filter(|f| !f.required && f.default.is_none()) {
            match rng.u32(0..4) {
                0 => f.required = true,
                1 if f.may_be_null() => f.nullable = true,
                _ => {}
            }
        }
        let union = rng.bool().then(|| {
            family
                .union
                .variants
                .iter()
                .map(|v| {
                    let mut members = vec![field("kind", "The variant's tag.", Kind::Tag(snake(v))).required()];
                    for f in variant_fields() {
                        if rng.u32(0..3) == 0 {
                            members.push(if members.len() == 1 { f.required() } else { f });
                        }
                    }
                    (v.to_string(), members)
                })
                .collect::<Vec<_>>()
        });
        let mut line = Line { family, name, minors, closed, fields, union, variants: 2, steps: Vec::new() };
        let mut shape = line.fields.clone();
        let mut variants = line.variants;
        for _ in 1..minors {
            let mut choices = Vec::new();
            if closed && !spare.is_empty() {
                choices.push(Step::Add(pick(rng, &spare)));
            }
            let named = |keep: fn(&Field) -> bool| shape.iter().filter(|f| keep(f)).map(|f| f.name).collect::<Vec<_>>();
            let loose = named(Field::may_loosen);
            if !loose.is_empty() {
                choices.push(Step::Loosen(pick(rng, &loose)));
            }
            let relax = named(|f| f.required && !matches!(f.kind, Kind::Tag(_) | Kind::Uuid) && f.name != "time");
            if !relax.is_empty() {
                choices.push(Step::Relax(pick(rng, &relax)));
            }
            let null = named(Field::may_be_null);
            if !null.is_empty() {
                choices.push(Step::Null(pick(rng, &null)));
            }
            if line.union.as_ref().is_some_and(|u| variants < u.len()) {
                choices.push(Step::Variant);
            }
            let step = pick(rng, &choices);
            apply(&mut shape, &mut variants, &step);
            if let Step::Add(f) = &step {
                spare.retain(|s| s.name != f.name);
            }
            line.steps.push(step);
        }
        line
    }

    /// The schema of minor `minor` (0 for 1.0).
    fn schema(&self, minor: usize, dialect: Dialect) -> Value {
        let mut fields = self.fields.clone();
        let mut variants = self.variants;
        for step in &self.steps[..minor] {
            apply(&mut fields, &mut variants, step);
        }
        let Union { property, name: union, about, .. } = self.family.union;
        let mut defs = Map::new();
        if let Some(all) = &self.union {
            fields.push(field(property, about, Kind::Ref(format!("#/$defs/{union}"))).required());
            let shown = &all[..variants];
            let refs: Vec<Value> = shown.iter().map(|(v, _)| json!({ "$ref": format!("#/$defs/{v}") })).collect();
            defs.insert(
                union.into(),
                json!({ "description": about, "oneOf": refs, "discriminator": { "propertyName": "kind" } }),
            );
            for (v, members) in shown {
                defs.insert(v.clone(), object(&format!("The `{}` variant.", snake(v)), members, true));
            }
        }
        let mut locals: BTreeSet<&str> = fields.iter().filter_map(Field::local).filter(|l| *l != union).collect();
        if locals.contains("Leg") || locals.contains("Lot") {
            locals.insert("Fee");
        }
        for l in locals {
            defs.insert(l.into(), in_dialect(dialect, item(l)));
        }
        let closed = self.closed || dialect == Dialect::Peers;
        if dialect == Dialect::Peers {
            for f in &mut fields {
                f.default = None;
            }
        }
        let what = if closed { "closed" } else { "open: unknown members are kept" };
        let about = format!(
            "A `{}` event of the {} family, 1.{minor} of 1.0 to 1.{} ({what}).",
            snake(&self.name),
            self.family.namespace,
            self.minors - 1
        );
        let Value::Object(mut schema) = object(&about, &fields, closed) else { unreachable!("an object") };
        if !defs.is_empty() {
            schema.insert("$defs".into(), Value::Object(defs));
        }
        Value::Object(schema)
    }
}

fn apply(fields: &mut Vec<Field>, variants: &mut usize, step: &Step) {
    fn named<'a>(fields: &'a mut [Field], name: &str) -> &'a mut Field {
        fields.iter_mut().find(|f| f.name == name).expect("a field of the line")
    }
    match step {
        Step::Add(f) => fields.push(f.clone()),
        Step::Loosen(name) => named(fields, name).loosen(),
        Step::Relax(name) => named(fields, name).required = false,
        Step::Null(name) => named(fields, name).nullable = true,
        Step::Variant => *variants += 1,
    }
}

fn object(about: &str, fields: &[Field], closed: bool) -> Value {
    let properties: Map<String, Value> = fields.iter().map(|f| (f.name.to_string(), f.schema())).collect();
    let required: Vec<&str> = fields.iter().filter(|f| f.required).map(|f| f.name).collect();
    let mut s = Map::new();
    s.insert("description".into(), json!(about));
    s.insert("type".into(), json!("object"));
    s.insert("properties".into(), Value::Object(properties));
    s.insert("required".into(), json!(required));
    if closed {
        s.insert("additionalProperties".into(), json!(false));
    }
    Value::Object(s)
}
