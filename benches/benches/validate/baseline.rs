//! The local alternative to the generated Rust (issue 18): a plain serde struct per message,
//! read by `serde_json::from_str` (`deny_unknown_fields`, enums as serde enums), then the
//! contract's other checks written by hand: lengths in code points (JSON Schema Validation
//! §6.3.1–2), bounds (§6.2.2–5), `minItems` (§6.4.2) and `format: date-time` (RFC 3339 §5.6,
//! through the runtime's own check, so both sides pay the same for it). serde_json refuses
//! duplicate members of a struct itself; it accepts `null` for an optional member and does not
//! read `1.0` as an integer, which the contract would refuse and accept: close enough for a
//! speed baseline, not a validator.

use serde::{Deserialize, Serialize};

type Check = Result<(), &'static str>;

fn length(s: &str, min: usize, max: usize) -> Check {
    let n = s.chars().count();
    if n < min || n > max { Err("length") } else { Ok(()) }
}

fn within<T: PartialOrd>(x: T, min: T, max: T) -> Check {
    if x < min || x > max { Err("range") } else { Ok(()) }
}

fn positive(x: f64) -> Check {
    if x > 0.0 { Ok(()) } else { Err("exclusiveMinimum") }
}

fn date_time(s: &str) -> Check {
    if runtime::formats::is_date_time(s) { Ok(()) } else { Err("format") }
}

fn each<T>(items: &Option<T>, check: impl Fn(&T) -> Check) -> Check {
    items.as_ref().map_or(Ok(()), check)
}

/// A message type with its hand-written checks.
pub trait Checked {
    fn check(&self) -> Check;
}

/// `serde_json::from_str`, then the checks.
pub fn from_json<T: for<'de> Deserialize<'de> + Checked>(text: &str) -> Result<T, &'static str> {
    let value: T = serde_json::from_str(text).map_err(|_| "syntax")?;
    value.check()?;
    Ok(value)
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Instrument {
    symbol: String,
    digits: i64,
    point: f64,
    contract_size: f64,
}

impl Checked for Instrument {
    fn check(&self) -> Check {
        length(&self.symbol, 6, 12)?;
        within(self.digits, 0, 8)?;
        positive(self.point)?;
        positive(self.contract_size)
    }
}

#[derive(Deserialize, Serialize)]
pub enum Side {
    #[serde(rename = "BUY")]
    Buy,
    #[serde(rename = "SELL")]
    Sell,
}

#[derive(Deserialize, Serialize)]
pub enum OrderType {
    #[serde(rename = "MARKET")]
    Market,
    #[serde(rename = "LIMIT")]
    Limit,
    #[serde(rename = "STOP")]
    Stop,
}

#[derive(Deserialize, Serialize)]
pub enum TimeInForce {
    #[serde(rename = "GTC")]
    Gtc,
    #[serde(rename = "IOC")]
    Ioc,
    #[serde(rename = "FOK")]
    Fok,
    #[serde(rename = "GTD")]
    Gtd,
}

/// contracts/events/OrderIntent@1.2.json
#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OrderIntent {
    intent_id: String,
    time: String,
    instrument: Instrument,
    side: Side,
    order_type: OrderType,
    volume_lots: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    price: Option<f64>,
    time_in_force: TimeInForce,
    #[serde(skip_serializing_if = "Option::is_none")]
    stop_loss: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    take_profit: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    magic_number: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<String>,
}

impl Checked for OrderIntent {
    fn check(&self) -> Check {
        length(&self.intent_id, 1, 64)?;
        date_time(&self.time)?;
        self.instrument.check()?;
        within(self.volume_lots, 0.01, 100.0)?;
        each(&self.price, |&p| positive(p))?;
        each(&self.stop_loss, |&p| positive(p))?;
        each(&self.take_profit, |&p| positive(p))?;
        each(&self.magic_number, |&m| within(m, 0, 2_147_483_647))?;
        each(&self.comment, |c| length(c, 0, 31))
    }
}

/// contracts/events/PriceTick@1.0.json
#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PriceTick {
    instrument: Instrument,
    time: String,
    bid: f64,
    ask: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    volume: Option<i64>,
    sequence: i64,
}

impl Checked for PriceTick {
    fn check(&self) -> Check {
        self.instrument.check()?;
        date_time(&self.time)?;
        positive(self.bid)?;
        positive(self.ask)?;
        each(&self.volume, |&v| within(v, 0, i64::MAX))?;
        within(self.sequence, 0, i64::MAX)
    }
}

#[derive(Deserialize, Serialize)]
pub enum Currency {
    #[serde(rename = "USD")]
    Usd,
    #[serde(rename = "EUR")]
    Eur,
    #[serde(rename = "GBP")]
    Gbp,
    #[serde(rename = "JPY")]
    Jpy,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Fill {
    fill_id: String,
    time: String,
    price: f64,
    lots: f64,
    commission: f64,
}

impl Checked for Fill {
    fn check(&self) -> Check {
        length(&self.fill_id, 1, 32)?;
        date_time(&self.time)?;
        positive(self.price)?;
        positive(self.lots)
    }
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Position {
    ticket: i64,
    symbol: String,
    side: Side,
    lots: f64,
    open_price: f64,
    open_time: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    stop_loss: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    take_profit: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<String>,
    fills: Vec<Fill>,
}

impl Checked for Position {
    fn check(&self) -> Check {
        within(self.ticket, 1, i64::MAX)?;
        length(&self.symbol, 6, 12)?;
        positive(self.lots)?;
        within(self.lots, f64::MIN, 100.0)?;
        positive(self.open_price)?;
        date_time(&self.open_time)?;
        each(&self.stop_loss, |&p| positive(p))?;
        each(&self.take_profit, |&p| positive(p))?;
        each(&self.comment, |c| length(c, 0, 31))?;
        if self.fills.is_empty() {
            return Err("minItems");
        }
        self.fills.iter().try_for_each(Fill::check)
    }
}

/// tests/conformance/contracts/shapes/Portfolio@1.0.json
#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Portfolio {
    account: String,
    time: String,
    currency: Currency,
    balance: f64,
    positions: Vec<Position>,
}

impl Checked for Portfolio {
    fn check(&self) -> Check {
        length(&self.account, 1, 32)?;
        date_time(&self.time)?;
        within(self.balance, 0.0, f64::MAX)?;
        self.positions.iter().try_for_each(Position::check)
    }
}
