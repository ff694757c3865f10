package dev.tollgate.it;

import com.google.protobuf.InvalidProtocolBufferException;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A real OTLP/HTTP receiver, as a collector listens on port 4318: {@code POST /v1/traces} and
 * {@code /v1/metrics} with protobuf bodies, decoded with the protocol's own classes. It keeps every
 * request and the headers it came with, and answers as a collector does.
 */
public final class OtlpReceiver implements AutoCloseable {
    private final HttpServer server;
    private final List<ExportTraceServiceRequest> traces = new CopyOnWriteArrayList<>();
    private final List<ExportMetricsServiceRequest> metrics = new CopyOnWriteArrayList<>();
    private final List<Map<String, List<String>>> headers = new CopyOnWriteArrayList<>();
    private final List<String> refused = new CopyOnWriteArrayList<>();

    public OtlpReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "otlp-receiver");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/v1/", this::handle);
        server.start();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            byte[] body = in.readAllBytes();
            String type = ex.getRequestHeaders().getFirst("Content-Type");
            if (!"POST".equals(ex.getRequestMethod()) || type == null || !type.startsWith("application/x-protobuf")) {
                refused.add(ex.getRequestMethod() + " " + ex.getRequestURI() + " " + type);
                ex.sendResponseHeaders(415, -1);
                return;
            }
            headers.add(Map.copyOf(ex.getRequestHeaders()));
            byte[] answer;
            switch (ex.getRequestURI().getPath()) {
                case "/v1/traces" -> {
                    traces.add(ExportTraceServiceRequest.parseFrom(body));
                    answer = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
                }
                case "/v1/metrics" -> {
                    metrics.add(ExportMetricsServiceRequest.parseFrom(body));
                    answer = ExportMetricsServiceResponse.getDefaultInstance().toByteArray();
                }
                default -> {
                    ex.sendResponseHeaders(404, -1);
                    return;
                }
            }
            ex.getResponseHeaders().add("Content-Type", "application/x-protobuf");
            ex.sendResponseHeaders(200, answer.length);
            ex.getResponseBody().write(answer);
        } catch (InvalidProtocolBufferException e) {
            refused.add("undecodable " + ex.getRequestURI() + ": " + e.getMessage());
            ex.sendResponseHeaders(400, -1);
        } finally {
            ex.close();
        }
    }

    /** Every span received so far, with the resource attributes it came under. */
    public List<Received> spans() {
        List<Received> out = new ArrayList<>();
        traces.forEach(r -> r.getResourceSpansList().forEach(rs -> rs.getScopeSpansList().forEach(ss -> ss.getSpansList()
                .forEach(s -> out.add(new Received(s, attributes(rs.getResource().getAttributesList())))))));
        return out;
    }

    /** The histogram points of {@code name} in the latest export that has it (cumulative: the totals so far). */
    public List<HistogramDataPoint> latestHistogram(String name) {
        for (int i = metrics.size() - 1; i >= 0; i--) {
            for (ResourceMetrics rm : metrics.get(i).getResourceMetricsList()) {
                for (Metric m : rm.getScopeMetricsList().stream().flatMap(sm -> sm.getMetricsList().stream()).toList()) {
                    if (m.getName().equals(name)) {
                        return m.getHistogram().getDataPointsList();
                    }
                }
            }
        }
        return List.of();
    }

    /** The names of every metric received. */
    public List<String> metricNames() {
        return metrics.stream().flatMap(r -> r.getResourceMetricsList().stream())
                .flatMap(rm -> rm.getScopeMetricsList().stream()).flatMap(sm -> sm.getMetricsList().stream())
                .map(Metric::getName).distinct().sorted().toList();
    }

    public List<Map<String, List<String>>> headers() {
        return headers;
    }

    /** Requests that were not OTLP/HTTP protobuf, or did not decode: a test expects none. */
    public List<String> refused() {
        return refused;
    }

    /** Attributes as plain strings (numbers and booleans written out), for assertions. */
    public static Map<String, String> attributes(List<KeyValue> list) {
        Map<String, String> out = new TreeMap<>();
        list.forEach(kv -> out.put(kv.getKey(), text(kv.getValue())));
        return out;
    }

    private static String text(AnyValue v) {
        return switch (v.getValueCase()) {
            case STRING_VALUE -> v.getStringValue();
            case INT_VALUE -> Long.toString(v.getIntValue());
            case DOUBLE_VALUE -> Double.toString(v.getDoubleValue());
            case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
            case ARRAY_VALUE -> v.getArrayValue().getValuesList().stream().map(OtlpReceiver::text).toList().toString();
            default -> v.toString();
        };
    }

    /** One span, its ids in hex, its attributes and its resource's. */
    public record Received(Span span, Map<String, String> resource) {
        public String traceId() {
            return HexFormat.of().formatHex(span.getTraceId().toByteArray());
        }

        public String spanId() {
            return HexFormat.of().formatHex(span.getSpanId().toByteArray());
        }

        public String parentId() {
            return HexFormat.of().formatHex(span.getParentSpanId().toByteArray());
        }

        public Map<String, String> attributes() {
            return OtlpReceiver.attributes(span.getAttributesList());
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
