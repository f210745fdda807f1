//! Prints the passenger-flow totals of a store or enterprise as JSON.
//!
//! ```text
//! OPRETAIL_ENDPOINT=http://127.0.0.1:8080/m.api OPRETAIL_AKEY=sandbox OPRETAIL_ASID=sandbox-secret \
//!     cargo run -p opretail --example total_async -- S_1001
//! ```

use std::process::ExitCode;

use opretail::{Client, EntityId};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run().await {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<String, Box<dyn std::error::Error>> {
    let id: EntityId = std::env::args()
        .nth(1)
        .ok_or("usage: total_async <S_store-id | O_enterprise-id>")?
        .parse()?;
    let client = Client::from_env()?;
    let totals = client.send(&opretail::GetTotalData::new(id)).await?;
    Ok(serde_json::to_string_pretty(&totals)?)
}
