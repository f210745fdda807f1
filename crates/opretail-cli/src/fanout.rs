//! Every call a command makes to the gateway goes through here: many calls bounded in flight
//! with their results taken as they finish ([`send_all`]), the store walk ([`stores`]), the
//! login before a batch ([`log_in_first`]) and the raw call ([`raw`]).

use std::io::IsTerminal;
use std::sync::Arc;

use futures_util::{Stream, StreamExt};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use opretail_model::{EntityId, Error, Operation, Store, StorePages};
use tokio::task::JoinSet;

use crate::diag::say;
use crate::failure::Failure;
use crate::gateway::{Gateway, NO_TOKEN_HINT};
use crate::output::{ErrorInfo, Sink};
use crate::signals::{Signal, StopRequest};

/// Why a batch stopped before its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    /// Ctrl-C or SIGTERM.
    Signal(Signal),
    /// The reader of stdout went away (`| head`).
    ReaderGone,
}

/// An operation that [`send_all`] can send on a task of its own, and whose answer comes back
/// from that task.
pub trait Call: Operation<Output: Send + 'static> + Send + Sync + 'static {}

impl<O> Call for O where O: Operation<Output: Send + 'static> + Send + Sync + 'static {}

/// Sends every call of `calls`, `in_flight` at a time: a slow call holds only its own slot,
/// and calls start in order as slots free. Each answer is first given to `prepare` on the
/// call's own task, with its call (to make it small before it waits to be taken: see
/// [`keep`]); each result then goes to `take` as soon as it is in, with the call's index;
/// `take` puts the rows in `sink`, which writes those whose turn has come. A full sink holds
/// new calls back, never the earliest unfinished one.
///
/// Ends early, saying why, on a stop request or when the reader of stdout is gone; an error
/// of `take` ends it at once (calls in flight are abandoned).
#[allow(clippy::too_many_arguments)] // Each is one thing a batch needs; a struct would only wrap them.
pub async fn send_all<O, T, P, F>(
    gateway: &Gateway,
    calls: Vec<O>,
    in_flight: usize,
    sink: &mut Sink,
    progress: &ProgressBar,
    stop: &mut StopRequest,
    prepare: P,
    mut take: F,
) -> Result<Option<Cut>, Failure>
where
    O: Call,
    T: Send + 'static,
    P: Fn(&O, O::Output) -> T + Send + Sync + 'static,
    F: FnMut(usize, Result<T, Error>, &mut Sink) -> Result<(), Failure>,
{
    let calls = Arc::new(calls);
    let prepare = Arc::new(prepare);
    let mut tasks = JoinSet::new();
    let mut started = 0usize;
    let cut = loop {
        if sink.reader_gone() {
            break Some(Cut::ReaderGone);
        }
        while tasks.len() < in_flight.max(1)
            && started < calls.len()
            && (tasks.is_empty() || !sink.is_full())
        {
            let (client, calls, index) = (gateway.client.clone(), calls.clone(), started);
            let prepare = prepare.clone();
            tasks.spawn(async move {
                let call = &calls[index];
                (index, client.send(call).await.map(|out| prepare(call, out)))
            });
            started += 1;
        }
        let first = tokio::select! {
            joined = tasks.join_next() => match joined {
                Some(joined) => joined,
                None => break None,
            },
            signal = stop.wait() => break Some(Cut::Signal(signal)),
        };
        // Every call finished by now is taken in one go: one write per wake-up.
        let mut joined = Some(first);
        while let Some(next) = joined {
            let (index, result) =
                next.map_err(|e| Failure::Failed(format!("a call ended unexpectedly: {e}")))?;
            take(index, result, sink)?;
            progress.inc(1);
            joined = tasks.try_join_next();
        }
        sink.flush()?;
    };
    // Calls still in flight are abandoned.
    drop(tasks);
    progress.finish_and_clear();
    Ok(cut)
}

/// The `prepare` of [`send_all`] that keeps each answer as it is.
pub fn keep<O, A>(_: &O, answer: A) -> A {
    answer
}

/// Logs in before the calls when the token comes from a user's credentials, so that a wrong
/// password ends the command once instead of failing every call (each of which would try
/// to log in). Without credentials there is nothing to do: each call uses the given token.
pub async fn log_in_first(gateway: &Gateway) -> Result<(), Failure> {
    match gateway.client.login().await {
        Ok(_) | Err(Error::InvalidInput { .. }) => Ok(()),
        Err(error) => Err(call_failed("the login", &error)),
    }
}

/// Every store of the user, page by page as the stream is read. The SDK's walk is bounded:
/// it ends with an error at a page that repeats an earlier one or holds no real store, and
/// after 1,000 pages, so a broken or hostile gateway ends the walk instead of filling memory
/// or the output.
pub fn stores(gateway: &Gateway) -> impl Stream<Item = Result<Store, Failure>> + Send + 'static {
    gateway
        .client
        .walk(StorePages::for_gateway(gateway.client.config().gateway()))
        .map(|store| store.map_err(|e| call_failed("the store list", &e)))
}

/// The ids of every store of the user, in list order (each once; the walk is bounded, see
/// [`stores`]). A stop request ends the walk at once.
pub async fn all_store_ids(
    gateway: &Gateway,
    stop: &mut StopRequest,
) -> Result<Vec<EntityId>, Failure> {
    let mut ids = Vec::new();
    let mut walk = std::pin::pin!(stores(gateway));
    loop {
        let store = tokio::select! {
            store = walk.next() => match store {
                Some(store) => store?,
                None => break,
            },
            signal = stop.wait() => {
                say!("interrupted while reading the store list");
                return Err(Failure::Interrupted(signal));
            }
        };
        ids.extend(store.entity_id());
    }
    if ids.is_empty() {
        return Err(Failure::Failed(
            "the user sees no store with an id: nothing to ask for".to_owned(),
        ));
    }
    Ok(ids)
}

/// One failed call, as a message: what was asked, what went wrong, what to do.
pub fn call_failed(what: &str, error: &Error) -> Failure {
    let info = ErrorInfo::of(error);
    let hint = if matches!(error, Error::InvalidInput { .. }) && info.message.contains("token") {
        format!("; {NO_TOKEN_HINT}")
    } else {
        String::new()
    };
    let message = format!("{what} failed: {}{hint}", info.line());
    if crate::output::is_clear_text_refusal(error) {
        // Refused before anything was sent, for want of a flag: a usage error.
        Failure::Usage(message)
    } else {
        Failure::Failed(message)
    }
}

/// A progress bar of `total` `things` on stderr when it is a terminal; hidden otherwise.
pub fn progress_bar(total: usize, things: &str) -> ProgressBar {
    if total < 2 || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(&format!(
        "{{bar:40}} {{pos}}/{{len}} {things}, {{per_sec}}, eta {{eta}}"
    )) {
        bar.set_style(style);
    }
    bar
}

/// The ids of a call as a short list for a message: the first few, then how many more.
pub fn some_ids(ids: &[EntityId]) -> String {
    const SHOWN: usize = 3;
    let shown: Vec<&str> = ids.iter().take(SHOWN).map(EntityId::as_str).collect();
    match ids.len().saturating_sub(SHOWN) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}

/// Listens for Ctrl-C and SIGTERM from now on.
pub fn listen() -> Result<StopRequest, Failure> {
    crate::signals::listen().map_err(|e| Failure::Failed(format!("cannot listen for signals: {e}")))
}
