//! What `passenger-flow series` and `demographics` share: their arguments (the stores, the
//! period, calls in flight, pace and output), the start and end of their output (its start
//! with `stores` too), and how their calls are sent and their failures reported.

use indicatif::ProgressBar;
use opretail_model::{EntityId, Error};

use crate::diag::say;
use crate::failure::Failure;
use crate::fanout::{self, Cut};
use crate::gateway::{Gateway, Tuning, parse_rate};
use crate::ids::{IdSource, Ids};
use crate::output::tidy::Tidy;
use crate::output::{ErrorInfo, Format, Sink, list_formats};
use crate::period::{Period, PeriodArgs};
use crate::signals::StopRequest;

/// The stores, the period, how many calls at once and how fast, and the output.
#[derive(Debug, clap::Args)]
pub struct ListingArgs {
    /// The stores.
    #[command(flatten)]
    pub stores: IdSource,

    /// The period.
    #[command(flatten)]
    pub period: PeriodArgs,

    /// Calls in flight at once (a slow call holds only its own slot).
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,

    /// At most this many requests sent per second, retries and the login included.
    #[arg(long, value_name = "PER_SEC", value_parser = parse_rate)]
    pub rate: Option<f64>,

    /// Output format [default: table when stdout is a terminal, else json]
    #[arg(long, value_name = "FORMAT", value_parser = list_formats())]
    pub output: Option<Format>,

    /// With --output csv: write every cell exactly as received (see `passenger-flow total`).
    #[arg(long)]
    pub csv_raw: bool,
}

impl ListingArgs {
    /// The stores and the period, read and checked.
    pub fn read(&self) -> Result<(Ids, Period), Failure> {
        Ok((self.stores.read()?, self.period.period()?))
    }

    /// The client's `--rate`.
    pub fn tuning(&self) -> Tuning {
        Tuning {
            rate_limit: self.rate,
            answer_caps: None,
        }
    }
}

/// A listing under way: its rows' format, the stores it is about, and its output.
pub struct Started<'a> {
    /// Turns cells into rows.
    pub tidy: Tidy,
    /// The stores, each once, in input order.
    pub ids: Vec<EntityId>,
    /// Where the calls go and their rows are written.
    pub run: Run<'a>,
}

/// What sends a listing's calls and writes their rows: the gateway, the listing's arguments,
/// the output, and the stop request listened for since before the output began.
pub struct Run<'a> {
    gateway: &'a Gateway,
    args: &'a ListingArgs,
    sink: Sink,
    stop: StopRequest,
}

/// Listens for a stop request, says when the data is the sandbox's, begins the output, then
/// takes the stores (from the store list with `--all-stores`, which a stop request ends) and
/// logs in. The output begins first so that it is whole (an empty JSON array) when the store
/// list or the login fails.
pub async fn start<'a>(
    gateway: &'a Gateway,
    args: &'a ListingArgs,
    columns: &'static [&'static str],
    ids: Ids,
) -> Result<Started<'a>, Failure> {
    let mut stop = fanout::listen()?;
    let (tidy, mut sink) = open(gateway, columns, args.output, args.csv_raw)?;
    let ready = async {
        let ids = match ids {
            Ids::Given(batch) => batch.unique,
            Ids::AllStores => fanout::all_store_ids(gateway, &mut stop).await?,
        };
        fanout::log_in_first(gateway).await?;
        Ok::<_, Failure>(ids)
    };
    let ready = ready.await;
    match ready {
        Ok(ids) => Ok(Started {
            tidy,
            ids,
            run: Run {
                gateway,
                args,
                sink,
                stop,
            },
        }),
        Err(failure) => Err(abandon(&mut sink, failure)),
    }
}

/// Says when the data is the sandbox's and begins the output of rows of `columns`, in input
/// order, in the format asked for (`output`; `csv_raw` without the formula guard): what every
/// listing command (`stores` too) does first.
pub fn open(
    gateway: &Gateway,
    columns: &'static [&'static str],
    output: Option<Format>,
    csv_raw: bool,
) -> Result<(Tidy, Sink), Failure> {
    let sandbox = gateway.is_sandbox();
    if sandbox {
        say!("note: sandbox data, not from the real gateway");
    }
    let tidy = Tidy::new(columns, Format::or_default(output), csv_raw, sandbox);
    let mut sink = Sink::new(tidy.framing()?, true, indicatif::ProgressBar::hidden());
    sink.start()?;
    Ok((tidy, sink))
}

/// The calls of a listing, and what they are about, for its messages: `what` names them in
/// a failure that ends the listing ("the demographics"), `things` counts them on the progress
/// bar ("ids"), and `label` names one call in the line that reports its failure.
pub struct Calls<'a, O> {
    calls: Vec<O>,
    what: &'a str,
    things: &'a str,
    label: &'a dyn Fn(usize) -> String,
}

impl<'a, O> Calls<'a, O> {
    /// The calls, in output order, with their names.
    pub fn new(
        calls: Vec<O>,
        what: &'a str,
        things: &'a str,
        label: &'a dyn Fn(usize) -> String,
    ) -> Self {
        Calls {
            calls,
            what,
            things,
            label,
        }
    }
}

impl Run<'_> {
    /// Sends the calls `--concurrency` at a time ([`fanout::send_all`]) with a progress bar,
    /// makes each answer what `prepare` makes of it on the call's own task
    /// ([`fanout::keep`] keeps it as it is), and hands that to `take` with the call's index as
    /// soon as it is in; `take` puts the rows in the sink.
    ///
    /// A call refused before sending (no token, a bad setting) ends the listing: every call
    /// would be. Any other failure fails that call only: it is said on stderr and `take` gets
    /// `None`, to leave the call's rows out.
    pub async fn send<O, T, P, F>(
        &mut self,
        calls: Calls<'_, O>,
        prepare: P,
        mut take: F,
    ) -> Result<Option<Cut>, Failure>
    where
        O: fanout::Call,
        T: Send + 'static,
        P: Fn(&O, O::Output) -> T + Send + Sync + 'static,
        F: FnMut(usize, Option<T>, &mut Sink, &ProgressBar) -> Result<(), Failure>,
    {
        let Calls {
            calls,
            what,
            things,
            label,
        } = calls;
        let progress = fanout::progress_bar(calls.len(), things);
        self.sink.show_progress(progress.clone());
        fanout::send_all(
            self.gateway,
            calls,
            usize::from(self.args.concurrency),
            &mut self.sink,
            &progress,
            &mut self.stop,
            prepare,
            |index, result: Result<T, Error>, sink| {
                let answer = match result {
                    Ok(answer) => Some(answer),
                    Err(error @ Error::InvalidInput { .. }) => {
                        return Err(fanout::call_failed(what, &error));
                    }
                    Err(error) => {
                        progress.suspend(|| {
                            say!("error: {}: {}", label(index), ErrorInfo::of(&error).line())
                        });
                        None
                    }
                };
                take(index, answer, sink, &progress)
            },
        )
        .await
    }

    /// Closes the output and gives `failure` back: for a failure before the calls start.
    pub fn abandon(&mut self, failure: Failure) -> Failure {
        abandon(&mut self.sink, failure)
    }

    /// Closes the output after the calls, and says how they ended: a signal ends the command
    /// with its status (after `how_far` on stderr), a reader gone away quietly unless
    /// something `failed`; otherwise `Ok`, for the command to report its failures.
    pub fn close(
        &mut self,
        sent: Result<Option<Cut>, Failure>,
        how_far: impl FnOnce() -> String,
        failed: bool,
    ) -> Result<(), Failure> {
        let sink = &mut self.sink;
        let closed = sink.finish();
        let cut = sent?;
        closed?;
        match cut {
            Some(Cut::Signal(signal)) => {
                say!("interrupted after {}", how_far());
                Err(Failure::Interrupted(signal))
            }
            _ if sink.reader_gone() && !failed => Err(Failure::BrokenPipe),
            _ => Ok(()),
        }
    }
}

/// Closes the output and gives `failure` back.
fn abandon(sink: &mut Sink, failure: Failure) -> Failure {
    match sink.finish() {
        Ok(()) => failure,
        Err(closing) => closing,
    }
}
