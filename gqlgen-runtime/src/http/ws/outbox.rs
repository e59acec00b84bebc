//! A WebSocket connection's outgoing messages: a bounded queue that one writer drains to the
//! socket. Whoever produces messages (the GraphQL protocol, the pings) never waits for the
//! client: a full queue is an overflow, which ends the connection, and a message the socket does
//! not take within the send timeout ends it too. Either way a connection holds at most
//! `subscriptions.send_buffer` messages, however slowly its client reads.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures_util::{Sink, SinkExt as _};
use tokio::sync::{Mutex, mpsc};

/// The producers' end of the queue.
#[derive(Clone)]
pub(super) struct Outbox<M> {
    queue: mpsc::Sender<M>,
    overflowed: Arc<AtomicBool>,
}

/// The queue was full: the client reads slower than the server produces.
#[derive(Debug)]
pub(super) struct Overflow;

impl<M> Outbox<M> {
    /// A queue of `capacity` messages (at least one) and its receiving end, for [`drain`].
    pub(super) fn new(capacity: usize) -> (Outbox<M>, mpsc::Receiver<M>) {
        let (queue, receiver) = mpsc::channel(capacity.max(1));
        let outbox = Outbox {
            queue,
            overflowed: Arc::new(AtomicBool::new(false)),
        };
        (outbox, receiver)
    }

    /// Queues `message` without waiting. A full queue (or one no longer drained) refuses it,
    /// and a full one is remembered as the connection's overflow.
    pub(super) fn push(&self, message: M) -> Result<(), Overflow> {
        match self.queue.try_send(message) {
            Ok(()) => Ok(()),
            Err(mpsc::error::TrySendError::Full(_)) => {
                self.overflowed.store(true, Ordering::SeqCst);
                Err(Overflow)
            }
            Err(mpsc::error::TrySendError::Closed(_)) => Err(Overflow),
        }
    }

    /// Whether a message was ever refused for a full queue.
    pub(super) fn overflowed(&self) -> bool {
        self.overflowed.load(Ordering::SeqCst)
    }

    /// The messages queued and not yet written.
    pub(super) fn queued(&self) -> usize {
        self.queue.max_capacity() - self.queue.capacity()
    }
}

/// Writes the queued messages to `sink` in order until every [`Outbox`] is dropped and the
/// queue is empty, or until a message is not taken within `timeout` or the socket fails.
pub(super) async fn drain<S, M>(sink: &Mutex<S>, mut queue: mpsc::Receiver<M>, timeout: Duration)
where
    S: Sink<M> + Unpin,
{
    while let Some(message) = queue.recv().await {
        if write(sink, message, timeout).await.is_err() {
            return;
        }
    }
}

/// The client did not take a message in time, or the socket failed.
#[derive(Debug)]
pub(super) struct NotWritten;

/// Writes one message within `timeout`.
pub(super) async fn write<S, M>(
    sink: &Mutex<S>,
    message: M,
    timeout: Duration,
) -> Result<(), NotWritten>
where
    S: Sink<M> + Unpin,
{
    let mut sink = sink.lock().await;
    match tokio::time::timeout(timeout, sink.send(message)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(_)) => Err(NotWritten),
        Err(_) => {
            tracing::info!("a WebSocket client stopped reading; disconnected");
            Err(NotWritten)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use super::*;

    /// A client that never reads: every write stays pending.
    struct Stuck;

    impl Sink<u32> for Stuck {
        type Error = ();
        fn poll_ready(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), ()>> {
            Poll::Pending
        }
        fn start_send(self: Pin<&mut Self>, _: u32) -> Result<(), ()> {
            Ok(())
        }
        fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), ()>> {
            Poll::Pending
        }
        fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), ()>> {
            Poll::Pending
        }
    }

    #[tokio::test]
    async fn a_client_that_stops_reading_overflows_the_queue_and_is_given_up() {
        let (outbox, queue) = Outbox::new(3);
        let sink = Mutex::new(Stuck);
        let drained =
            tokio::spawn(async move { drain(&sink, queue, Duration::from_millis(200)).await });
        // The writer takes the first message and waits on the client with it; three more fill
        // the queue and the next one overflows, without waiting.
        tokio::task::yield_now().await;
        for message in 0..4 {
            outbox.push(message).expect("room in the queue");
            tokio::task::yield_now().await;
        }
        assert!(!outbox.overflowed());
        assert_eq!(outbox.queued(), 3);
        assert!(outbox.push(4).is_err());
        assert!(outbox.overflowed());
        // The writer gives up once the message it holds has waited the send timeout.
        tokio::time::timeout(Duration::from_secs(5), drained)
            .await
            .expect("the writer ends after its send timeout")
            .expect("the writer does not panic");
        assert!(outbox.push(5).is_err(), "nothing drains the queue any more");
    }

    #[tokio::test]
    async fn messages_are_written_in_order_and_the_writer_ends_with_its_producers() {
        let (outbox, queue) = Outbox::new(2);
        let sink = Mutex::new(Vec::new());
        let producer = tokio::spawn(async move {
            for message in 0..50u32 {
                while outbox.push(message).is_err() {
                    tokio::task::yield_now().await;
                }
            }
        });
        drain(&sink, queue, Duration::from_secs(1)).await;
        producer.await.expect("the producer ends");
        let received = sink.into_inner();
        assert_eq!(received, (0..50).collect::<Vec<_>>());
    }
}
