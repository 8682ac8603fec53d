//! The gRPC server: `tfplugin6.Provider` plus go-plugin's controller, stdio, broker and health
//! services, over AutoMTLS or plaintext, in plugin mode (started by Terraform) or debug mode.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::StreamExt;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
#[cfg(unix)]
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;
use tonic::codegen::{BoxStream, Service, http};
use tonic::server::NamedService;
use tonic::transport::Server;
use tonic::transport::server::Connected;
use tonic::{Request, Response, Status, Streaming};
use tonic_health::ServingStatus;

use super::handshake::{self, HandshakeError, HostEnv, ListenAddr, Listener};
use super::proto::plugin::grpc_broker_server::{GrpcBroker, GrpcBrokerServer};
use super::proto::plugin::grpc_controller_server::{GrpcController, GrpcControllerServer};
use super::proto::plugin::grpc_stdio_server::{GrpcStdio, GrpcStdioServer};
use super::proto::plugin::{ConnInfo, Empty, StdioData};
use super::proto::tfplugin6::provider_server::{Provider, ProviderServer};
use super::tls::{self, TlsError};

/// Largest gRPC message either way. terraform-plugin-go uses 256 MiB; tonic's default 4 MiB
/// decode limit would fail on large configs or states.
pub const MAX_MESSAGE_SIZE: usize = 256 * 1024 * 1024;

/// The DEBUG message logged for every `tfplugin6.Provider` call, with the RPC name in `rpc`.
pub const RPC_LOG_MESSAGE: &str = "tfplugin6 call";

/// How long a TLS handshake may take before the connection is dropped, so a stuck client
/// cannot hold a task forever.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// After shutdown is requested, how long open connections get to finish. go-plugin waits 2 s
/// after `Shutdown` before it kills the process, so we stop waiting well before that.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(1);

/// Why serving failed.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Handshake(#[from] HandshakeError),
    #[error(transparent)]
    Tls(#[from] TlsError),
    #[error("gRPC server failed: {0}")]
    Transport(#[from] tonic::transport::Error),
    #[error("could not install signal handlers: {0}")]
    Signals(#[source] io::Error),
}

/// Serves `provider` to the Terraform that started this process: handshake from the
/// environment, AutoMTLS when `PLUGIN_CLIENT_CERT` is set, until `GRPCController.Shutdown`
/// or SIGTERM. SIGINT is ignored: Ctrl-C reaches the whole process group, and Terraform
/// answers it by calling StopProvider, which the provider handles.
pub async fn serve<P: Provider>(provider: P) -> anyhow::Result<()> {
    handshake::check_magic_cookie()?;
    let env = HostEnv::from_env()?;
    let version = handshake::negotiate_version(env.protocol_versions.as_deref())?;
    let listener = handshake::listen(&env).await?;
    let tls = env
        .client_cert_pem
        .as_deref()
        .map(tls::auto_mtls)
        .transpose()?;

    let shutdown = CancellationToken::new();
    // Before the handshake line: a Ctrl-C right after startup must not kill us either.
    watch_signals(&shutdown, SignalMode::Plugin).map_err(ServeError::Signals)?;

    let addr = listener.addr();
    let line = handshake::handshake_line(&addr, tls.as_ref().map(|t| t.identity.cert_der.as_ref()));
    tracing::info!(
        protocol_version = version,
        address = %addr,
        network = addr.network(),
        tls = tls.is_some(),
        "serving the Harbor provider"
    );
    handshake::announce(&line)?;
    run(provider, listener, tls.map(|t| t.acceptor), shutdown).await?;
    tracing::info!("provider stopped");
    Ok(())
}

/// Serves `provider` for a debugger or a person: plaintext on 127.0.0.1, announced as a
/// `TF_REATTACH_PROVIDERS` value on stdout (there is no handshake in this mode). Terraform
/// never shuts a reattached provider down, so this runs until Ctrl-C or SIGTERM.
pub async fn serve_debug<P: Provider>(provider: P) -> anyhow::Result<()> {
    let listener = handshake::listen_any_port().await?;
    let shutdown = CancellationToken::new();
    watch_signals(&shutdown, SignalMode::Debug).map_err(ServeError::Signals)?;
    let addr = listener.addr();
    let reattach = handshake::reattach_json(&addr, std::process::id());
    let hint = format!(
        "Provider started in debug mode. To attach Terraform, run this in another shell:\n\n\
         \texport TF_REATTACH_PROVIDERS='{reattach}'\n\n\
         Stop the provider with Ctrl-C.\n"
    );
    {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        out.write_all(hint.as_bytes())
            .and_then(|_| out.flush())
            .map_err(HandshakeError::Stdout)?;
    }
    tracing::info!(address = %addr, "serving the Harbor provider in debug mode");
    run(provider, listener, None, shutdown).await?;
    tracing::info!("provider stopped");
    Ok(())
}

/// A server started in-process by tests.
pub struct TestServer {
    /// Where it listens (127.0.0.1, OS-chosen port).
    pub addr: SocketAddr,
    /// The server certificate (PEM), when serving with TLS.
    pub server_cert_pem: Option<String>,
    /// The handshake line the plugin would have printed.
    pub handshake_line: String,
    shutdown: CancellationToken,
    handle: JoinHandle<Result<(), ServeError>>,
}

impl TestServer {
    /// Fires when the server is asked to stop (by `GRPCController.Shutdown` or [`Self::stop`]).
    pub fn shutdown_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }

    /// Waits until the server has stopped by itself (e.g. after `GRPCController.Shutdown`).
    pub async fn wait(self) -> Result<(), ServeError> {
        self.handle.await.unwrap_or(Ok(()))
    }

    /// Stops the server and waits for it.
    pub async fn stop(self) -> Result<(), ServeError> {
        self.shutdown.cancel();
        self.wait().await
    }
}

/// Starts `provider` on 127.0.0.1 with an OS-chosen port, with AutoMTLS pinned to
/// `client_cert_pem` when given, else plaintext. No handshake line is printed and no signal
/// handlers are installed.
pub async fn start_for_test<P: Provider>(
    provider: P,
    client_cert_pem: Option<&str>,
) -> Result<TestServer, ServeError> {
    let listener = handshake::listen_any_port().await?;
    let ListenAddr::Tcp(addr) = listener.addr() else {
        unreachable!("listen_any_port listens on tcp")
    };
    let tls = client_cert_pem.map(tls::auto_mtls).transpose()?;
    let handshake_line = handshake::handshake_line(
        &listener.addr(),
        tls.as_ref().map(|t| t.identity.cert_der.as_ref()),
    );
    let server_cert_pem = tls.as_ref().map(|t| t.identity.cert_pem.clone());
    let shutdown = CancellationToken::new();
    let handle = tokio::spawn(run(
        provider,
        listener,
        tls.map(|t| t.acceptor),
        shutdown.clone(),
    ));
    Ok(TestServer {
        addr,
        server_cert_pem,
        handshake_line,
        shutdown,
        handle,
    })
}

/// Serves all services on `listener` until `shutdown` fires, then gives open connections
/// [`SHUTDOWN_GRACE`] to finish.
async fn run<P: Provider>(
    provider: P,
    listener: Listener,
    tls: Option<TlsAcceptor>,
    shutdown: CancellationToken,
) -> Result<(), ServeError> {
    let (health_reporter, health) = tonic_health::server::health_reporter();
    health_reporter
        .set_service_status("plugin", ServingStatus::Serving)
        .await;

    let provider = LogCalls(
        ProviderServer::new(provider)
            .max_decoding_message_size(MAX_MESSAGE_SIZE)
            .max_encoding_message_size(MAX_MESSAGE_SIZE),
    );
    let controller = GrpcControllerServer::new(Controller {
        shutdown: shutdown.clone(),
    });
    let stdio = GrpcStdioServer::new(Stdio {
        shutdown: shutdown.clone(),
    });
    let broker = GrpcBrokerServer::new(Broker {
        shutdown: shutdown.clone(),
    });

    let incoming = incoming(listener, tls, shutdown.clone());
    let server = Server::builder()
        .add_service(provider)
        .add_service(controller)
        .add_service(stdio)
        .add_service(broker)
        .add_service(health)
        .serve_with_incoming_shutdown(incoming, shutdown.clone().cancelled_owned());
    tokio::pin!(server);
    tokio::select! {
        result = &mut server => result?,
        () = async {
            shutdown.cancelled().await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        } => tracing::debug!("connections still open after the shutdown grace period; leaving anyway"),
    }
    Ok(())
}

/// Accepts connections (and, with TLS, completes each handshake in its own task, so a slow
/// or refused client never blocks the others) and hands ready streams to tonic.
fn incoming(
    listener: Listener,
    tls: Option<TlsAcceptor>,
    shutdown: CancellationToken,
) -> ReceiverStream<Result<Conn, io::Error>> {
    let (tx, rx) = mpsc::channel::<Result<Conn, io::Error>>(16);
    tokio::spawn(async move {
        loop {
            let accepted = tokio::select! {
                () = shutdown.cancelled() => break,
                () = tx.closed() => break,
                accepted = accept(&listener) => accepted,
            };
            let stream = match accepted {
                Ok(stream) => stream,
                Err(error) => {
                    // Usually EMFILE or a connection reset before accept; back off briefly.
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            match &tls {
                None => {
                    if tx.send(Ok(Conn(stream))).await.is_err() {
                        break;
                    }
                }
                Some(acceptor) => {
                    let (acceptor, tx) = (acceptor.clone(), tx.clone());
                    tokio::spawn(async move {
                        match tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(stream))
                            .await
                        {
                            Ok(Ok(tls_stream)) => {
                                let _ = tx.send(Ok(Conn(Box::new(tls_stream)))).await;
                            }
                            Ok(Err(error)) => {
                                tracing::warn!(%error, "TLS handshake failed; connection refused")
                            }
                            Err(_) => tracing::warn!("TLS handshake timed out; connection dropped"),
                        }
                    });
                }
            }
        }
    });
    ReceiverStream::new(rx)
}

async fn accept(listener: &Listener) -> io::Result<Box<dyn Io>> {
    Ok(match listener {
        Listener::Tcp(l) => {
            let (s, _) = l.accept().await?;
            // gRPC sends many small frames; Nagle would delay them.
            let _ = s.set_nodelay(true);
            Box::new(s)
        }
        #[cfg(unix)]
        Listener::Unix(l, _) => Box::new(l.accept().await?.0),
    })
}

/// Any byte stream tonic can serve on: tcp or unix, plain or TLS.
trait Io: AsyncRead + AsyncWrite + Send + Unpin + 'static {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> Io for T {}

/// One accepted connection, type-erased so tcp/unix and TLS/plaintext share one server.
struct Conn(Box<dyn Io>);

impl Connected for Conn {
    type ConnectInfo = ();
    fn connect_info(&self) -> Self::ConnectInfo {}
}

impl AsyncRead for Conn {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for Conn {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut *self.0).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.0).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.0).poll_shutdown(cx)
    }
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut *self.0).poll_write_vectored(cx, bufs)
    }
    fn is_write_vectored(&self) -> bool {
        self.0.is_write_vectored()
    }
}

/// Logs each `tfplugin6.Provider` call at DEBUG before the service sees it, so
/// `TF_LOG_PROVIDER=DEBUG` shows which RPCs Terraform made whatever the service logs itself.
#[derive(Clone)]
struct LogCalls<S>(S);

impl<S: NamedService> NamedService for LogCalls<S> {
    const NAME: &'static str = S::NAME;
}

impl<S, B> Service<http::Request<B>> for LogCalls<S>
where
    S: Service<http::Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let rpc = request.uri().path().rsplit('/').next().unwrap_or_default();
        tracing::debug!(rpc, "{RPC_LOG_MESSAGE}");
        self.0.call(request)
    }
}

/// How signals are treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SignalMode {
    /// Started by Terraform: ignore SIGINT, stop on SIGTERM.
    Plugin,
    /// Started by a person with `--debug`: Ctrl-C stops it.
    Debug,
}

/// Installs SIGINT and SIGTERM handlers. Registering a tokio handler replaces the default
/// "terminate" disposition for the life of the process, which is what ignoring SIGINT needs.
#[cfg(unix)]
fn watch_signals(shutdown: &CancellationToken, mode: SignalMode) -> io::Result<()> {
    let mut sigint = signal(SignalKind::interrupt())?;
    let mut sigterm = signal(SignalKind::terminate())?;
    let shutdown = shutdown.clone();
    tokio::spawn(async move {
        loop {
            tokio::select! {
                Some(()) = sigint.recv() => match mode {
                    SignalMode::Plugin => tracing::debug!(
                        "ignoring SIGINT; Terraform cancels work through StopProvider"
                    ),
                    SignalMode::Debug => {
                        tracing::info!("SIGINT received; stopping");
                        shutdown.cancel();
                    }
                },
                Some(()) = sigterm.recv() => {
                    tracing::info!("SIGTERM received; stopping");
                    shutdown.cancel();
                }
                else => break,
            }
        }
    });
    Ok(())
}

/// Windows has Ctrl-C and Ctrl-Break in place of SIGINT and SIGTERM. Terraform's own Ctrl-C
/// reaches every process of the console; as on unix, a plugin leaves cancelling to StopProvider.
#[cfg(windows)]
fn watch_signals(shutdown: &CancellationToken, mode: SignalMode) -> io::Result<()> {
    let mut ctrl_c = tokio::signal::windows::ctrl_c()?;
    let mut ctrl_break = tokio::signal::windows::ctrl_break()?;
    let shutdown = shutdown.clone();
    tokio::spawn(async move {
        loop {
            tokio::select! {
                Some(()) = ctrl_c.recv() => match mode {
                    SignalMode::Plugin => tracing::debug!(
                        "ignoring Ctrl-C; Terraform cancels work through StopProvider"
                    ),
                    SignalMode::Debug => {
                        tracing::info!("Ctrl-C received; stopping");
                        shutdown.cancel();
                    }
                },
                Some(()) = ctrl_break.recv() => {
                    tracing::info!("Ctrl-Break received; stopping");
                    shutdown.cancel();
                }
                else => break,
            }
        }
    });
    Ok(())
}

/// go-plugin's controller: `Shutdown` stops the server, after which the process exits 0.
struct Controller {
    shutdown: CancellationToken,
}

#[tonic::async_trait]
impl GrpcController for Controller {
    async fn shutdown(&self, _request: Request<Empty>) -> Result<Response<Empty>, Status> {
        tracing::debug!("GRPCController.Shutdown received; stopping");
        // tonic's graceful shutdown still delivers this response before closing.
        self.shutdown.cancel();
        Ok(Response::new(Empty {}))
    }
}

/// A stream that sends nothing and ends when the server shuts down, so open streams do not
/// hold up graceful shutdown.
fn idle_until<T: Send + 'static>(shutdown: &CancellationToken) -> BoxStream<T> {
    futures_util::stream::once(shutdown.clone().cancelled_owned())
        .filter_map(|()| async { None })
        .boxed()
}

/// go-plugin's stdio forwarding. The provider never writes to stdout or stderr except logs,
/// which go-plugin already reads from the process's stderr, so there is nothing to forward.
struct Stdio {
    shutdown: CancellationToken,
}

#[tonic::async_trait]
impl GrpcStdio for Stdio {
    async fn stream_stdio(
        &self,
        _request: Request<()>,
    ) -> Result<Response<BoxStream<StdioData>>, Status> {
        Ok(Response::new(idle_until(&self.shutdown)))
    }
}

/// go-plugin's broker, for plugins that open extra connections. Terraform providers do not;
/// go-plugin still opens the stream on connect, so it is kept open and idle.
struct Broker {
    shutdown: CancellationToken,
}

#[tonic::async_trait]
impl GrpcBroker for Broker {
    async fn start_stream(
        &self,
        request: Request<Streaming<ConnInfo>>,
    ) -> Result<Response<BoxStream<ConnInfo>>, Status> {
        // Drain what the host sends rather than dropping the request half, which could reset
        // the stream and make go-plugin log a broker error.
        let mut inbound = request.into_inner();
        tokio::spawn(async move { while let Some(Ok(_)) = inbound.next().await {} });
        Ok(Response::new(idle_until(&self.shutdown)))
    }
}
