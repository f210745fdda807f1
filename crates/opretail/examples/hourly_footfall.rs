//! Logs in, lists the first stores the user can see, and prints a week of hourly footfall
//! (entering flow) for each of them.
//!
//! ```text
//! OPRETAIL_ENDPOINT=http://127.0.0.1:8080/m.api OPRETAIL_AKEY=sandbox OPRETAIL_ASID=sandbox-secret \
//! OPRETAIL_USER=demo OPRETAIL_PASSWORD=demo-password \
//!     cargo run -p opretail --example hourly_footfall -- 3
//! ```
//!
//! The optional argument is how many stores to show (default 3). The week is the seven
//! days before today at the gateway.

use std::process::ExitCode;

use chrono::{Days, Utc};
use futures_util::{StreamExt, TryStreamExt};
use opretail::{
    Client, DateRange, GetManyShopsPassengerIndicatorData, Grain, SeriesRequest, StorePages,
};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let how_many: usize = match std::env::args().nth(1) {
        Some(n) => n
            .parse()
            .map_err(|_| "usage: hourly_footfall [number of stores]")?,
        None => 3,
    };
    let client = Client::from_env()?;
    let login = client.login().await?;
    println!("logged in, enterprise {:?}", login.enterprise_id);

    let stores: Vec<_> = client
        .walk(StorePages::for_gateway(client.config().gateway()))
        .take(how_many)
        .try_collect()
        .await?;
    let ids: Vec<_> = stores
        .iter()
        .filter_map(|store| store.entity_id())
        .collect();
    if ids.is_empty() {
        return Err("the user sees no store with an id".into());
    }

    let today = Utc::now()
        .with_timezone(&client.config().utc_offset())
        .date_naive();
    let week = DateRange::new(today - Days::new(7), today - Days::new(1))?;
    let request = SeriesRequest::new(GetManyShopsPassengerIndicatorData::new(
        ids,
        week,
        Grain::Hour,
    )?);
    for series in client.send_batch(&request).await? {
        let name = series.name.as_deref().unwrap_or("(no name)");
        let id = series.dep_id.as_deref().unwrap_or("?");
        println!("\n{name} (S_{id}), {week}");
        for bucket in &series.buckets {
            let time = bucket.time.as_deref().unwrap_or("?");
            match &bucket.passenger_flow {
                Some(flow) => println!("  {time}  {flow}"),
                None => println!("  {time}  -"),
            }
        }
    }
    Ok(())
}
