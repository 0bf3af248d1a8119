//! A simulated broker: fills each OrderIntent@2.0 market order at the first tick at or after the
//! intent's time (buys at the ask, sells at the bid) and reports it as ExecutionReport@1.0.
//! Reads `CTC_INPUT_INTENT` and `CTC_INPUT_TICK` (JSON Lines), writes `CTC_OUTPUT`. The risk step
//! emits OrderIntent@1.2; the runtime carries each intent across the migration
//! `events/OrderIntent@1.2..2.0` at the step boundary, so this step reads the new major only.

use std::fs;
use std::io::{BufWriter, Write};
use std::process::ExitCode;

use trading_contracts::events::execution_report_1_0::{
    ExecutionReport, ExecutionReportSide, ExecutionReportStatus, Fill,
};
use trading_contracts::events::order_intent_2_0::{OrderIntent, OrderIntentOrderType, OrderIntentSide};
use trading_contracts::events::price_tick_1_0::PriceTick;
use trading_contracts::{from_json_lines, to_json};

/// The messages of the JSON Lines file named by `var`, read line by line through one buffer.
fn read<T: trading_contracts::support::Read + trading_contracts::Validate>(var: &str) -> Result<Vec<T>, String> {
    let path =
        std::env::var(var).map_err(|_| format!("${var} is not set; run this step through the contractc runtime"))?;
    let file = fs::File::open(&path).map_err(|e| format!("{path}: {e}"))?;
    from_json_lines(std::io::BufReader::new(file))
        .map(|line| match line {
            Ok((n, message)) => message.map_err(|e| format!("{path}:{n}: {e}")),
            Err(e) => Err(format!("{path}: {e}")),
        })
        .collect()
}

fn report(intent: &OrderIntent, tick: Option<&PriceTick>, ticket: i64) -> ExecutionReport {
    let side = match intent.side {
        OrderIntentSide::Buy => ExecutionReportSide::Buy,
        OrderIntentSide::Sell => ExecutionReportSide::Sell,
    };
    let base = ExecutionReport {
        report_id: format!("er-{}", intent.intent_id),
        intent_id: intent.intent_id.clone(),
        time: intent.time.clone(),
        symbol: intent.instrument.symbol.clone(),
        side,
        status: ExecutionReportStatus::Rejected,
        ticket: None,
        filled_lots: 0.0,
        average_price: None,
        fills: Vec::new(),
        reject_reason: None,
    };
    let tick = match (intent.order_type, tick) {
        (OrderIntentOrderType::Market, Some(t)) => t,
        (OrderIntentOrderType::Market, None) => {
            return ExecutionReport { reject_reason: Some("no price after the intent's time".into()), ..base };
        }
        _ => return ExecutionReport { reject_reason: Some("this broker fills market orders only".into()), ..base },
    };
    let price = if side == ExecutionReportSide::Buy { tick.ask } else { tick.bid };
    ExecutionReport {
        time: tick.time.clone(),
        status: ExecutionReportStatus::Filled,
        ticket: Some(ticket),
        filled_lots: intent.quantity_lots,
        average_price: Some(price),
        fills: vec![Fill { price, lots: intent.quantity_lots, time: tick.time.clone() }],
        ..base
    }
}

fn run() -> Result<usize, String> {
    let intents: Vec<OrderIntent> = read("CTC_INPUT_INTENT")?;
    let ticks: Vec<PriceTick> = read("CTC_INPUT_TICK")?;
    let out = std::env::var("CTC_OUTPUT").map_err(|_| "$CTC_OUTPUT is not set".to_string())?;
    let mut w = BufWriter::new(fs::File::create(&out).map_err(|e| format!("{out}: {e}"))?);
    // RFC 3339 UTC timestamps of one format compare correctly as strings.
    let mut next = 0;
    for (i, intent) in intents.iter().enumerate() {
        while next < ticks.len() && ticks[next].time < intent.time {
            next += 1;
        }
        let r = report(intent, ticks.get(next), 1000 + i as i64);
        writeln!(w, "{}", to_json(&r)).map_err(|e| e.to_string())?;
    }
    w.flush().map_err(|e| e.to_string())?;
    Ok(intents.len())
}

fn main() -> ExitCode {
    match run() {
        Ok(n) => {
            println!("{n} execution reports");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
