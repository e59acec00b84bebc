//! Spans to an OpenTelemetry collector, behind the `otlp` cargo feature. [`OtlpExporter::start`]
//! reads `observe.otlp_endpoint` (`OTEL_EXPORTER_OTLP_ENDPOINT`) and, when it is set, exports
//! the spans of the `tracing` layer it gives ([`OtlpExporter::layer`]) in batches over OTLP/HTTP,
//! protobuf or JSON: each request's span, each GraphQL operation's, each SQL statement's. An
//! incoming W3C `traceparent` header makes the request's span a child of the caller's trace. What
//! the settings leave out is read by the OpenTelemetry SDK from its own variables
//! (`OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_EXPORTER_OTLP_TIMEOUT`, `OTEL_TRACES_SAMPLER`,
//! `OTEL_BSP_SCHEDULE_DELAY`, …).

use axum::http::HeaderMap;
use opentelemetry::propagation::Extractor;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{Protocol, WithExportConfig as _};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{SdkTracer, SdkTracerProvider};
use tracing_opentelemetry::{OpenTelemetryLayer, OpenTelemetrySpanExt as _};
use tracing_subscriber::registry::LookupSpan;

use crate::config::ObserveSettings;

/// The `service.name` of exported spans when `observe.service_name` is unset.
pub const DEFAULT_SERVICE_NAME: &str = "gqlgen";

/// Exports spans while it lives; [`OtlpExporter::shutdown`] sends what is still queued.
pub struct OtlpExporter {
    provider: SdkTracerProvider,
}

/// Why spans cannot be exported with these settings.
#[derive(Debug, thiserror::Error)]
#[error("the OTLP exporter cannot start: {0}")]
pub struct OtlpError(String);

impl OtlpExporter {
    /// An exporter to `settings.otlp_endpoint`, or `None` when it is unset. It also makes W3C
    /// trace context the propagator the router reads incoming `traceparent` headers with.
    pub fn start(settings: &ObserveSettings) -> Result<Option<OtlpExporter>, OtlpError> {
        let Some(endpoint) = settings.otlp_endpoint.as_deref() else {
            return Ok(None);
        };
        let protocol = match settings.otlp_protocol.as_deref() {
            None | Some("http/protobuf") => Protocol::HttpBinary,
            Some("http/json") => Protocol::HttpJson,
            Some(other) => return Err(OtlpError(format!("unknown protocol `{other}`"))),
        };
        let exporter = opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_protocol(protocol)
            .with_endpoint(traces_url(endpoint))
            .build()
            .map_err(|err| OtlpError(err.to_string()))?;
        let service = settings
            .service_name
            .clone()
            .unwrap_or_else(|| DEFAULT_SERVICE_NAME.to_owned());
        let provider = SdkTracerProvider::builder()
            .with_batch_exporter(exporter)
            .with_resource(Resource::builder().with_service_name(service).build())
            .build();
        opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
        Ok(Some(OtlpExporter { provider }))
    }

    /// The `tracing` layer whose spans this exporter sends: add it to the subscriber.
    pub fn layer<S>(&self) -> OpenTelemetryLayer<S, SdkTracer>
    where
        S: tracing::Subscriber + for<'span> LookupSpan<'span>,
    {
        tracing_opentelemetry::layer().with_tracer(self.provider.tracer("gqlgen"))
    }

    /// Sends the spans still queued and stops; call it after the server has stopped.
    pub fn shutdown(self) {
        if let Err(err) = self.provider.shutdown() {
            tracing::warn!(error = %err, "the OTLP exporter did not shut down cleanly");
        }
    }
}

/// The traces URL of a collector's base URL, as OpenTelemetry's specification builds it from
/// `OTEL_EXPORTER_OTLP_ENDPOINT`.
fn traces_url(endpoint: &str) -> String {
    format!("{}/v1/traces", endpoint.trim_end_matches('/'))
}

/// Makes `span` a child of the trace an incoming `traceparent` header names, if any.
pub(crate) fn adopt_remote_parent(span: &tracing::Span, headers: &HeaderMap) {
    let context = opentelemetry::global::get_text_map_propagator(|propagator| {
        propagator.extract(&Headers(headers))
    });
    use opentelemetry::trace::TraceContextExt as _;
    if context.span().span_context().is_remote() {
        // Fails only for a span that is already closed or not recorded; then there is no trace
        // to join.
        let _ = span.set_parent(context);
    }
}

/// The request's headers, as OpenTelemetry's propagators read them.
struct Headers<'a>(&'a HeaderMap);

impl Extractor for Headers<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|value| value.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(|name| name.as_str()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_traces_path_is_added_to_the_base_url() {
        assert_eq!(
            traces_url("http://collector:4318"),
            "http://collector:4318/v1/traces"
        );
        assert_eq!(
            traces_url("http://collector:4318/"),
            "http://collector:4318/v1/traces"
        );
    }

    #[test]
    fn no_endpoint_no_exporter() {
        let settings = ObserveSettings::default();
        assert!(OtlpExporter::start(&settings).unwrap().is_none());
    }
}
