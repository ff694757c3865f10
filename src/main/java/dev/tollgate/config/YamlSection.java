package dev.tollgate.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * A typed, read-only view of one YAML mapping that knows its dotted path, so every error
 * names the key and the line it is on. Scalars pass through {@code secrets} (ENC(...) values).
 */
final class YamlSection {
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)?");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|kb|k|mb|m|gb|g|kib|mib|gib)?");

    private final String path;
    private final Node node;
    private final Map<String, NodeTuple> entries = new LinkedHashMap<>();
    private final Set<String> read = new LinkedHashSet<>();
    private final UnaryOperator<String> secrets;

    YamlSection(String path, Node node, UnaryOperator<String> secrets) {
        this.path = path;
        this.node = node;
        this.secrets = secrets;
        if (!(node instanceof MappingNode mapping)) {
            throw error(path, node, "expected a mapping of keys to values");
        }
        for (NodeTuple tuple : mapping.getValue()) {
            if (!(tuple.getKeyNode() instanceof ScalarNode key)) {
                throw error(path, tuple.getKeyNode(), "keys must be plain names");
            }
            entries.put(key.getValue(), tuple);
        }
    }

    String path() {
        return path;
    }

    boolean has(String key) {
        return valueNode(key).filter(n -> !isNull(n)).isPresent();
    }

    /** The names of keys no accessor asked for, in file order. */
    List<String> unreadNames() {
        return entries.keySet().stream().filter(k -> !read.contains(k)).toList();
    }

    /** Keys present in the file that no accessor asked for: reported as warnings, not errors, so seed files still load. */
    List<String> unreadKeys() {
        List<String> unread = new ArrayList<>();
        for (String key : entries.keySet()) {
            if (!read.contains(key)) {
                unread.add(child(key) + " (line " + line(entries.get(key).getKeyNode()) + ")");
            }
        }
        return unread;
    }

    Optional<String> string(String key) {
        return valueNode(key).filter(n -> !isNull(n)).map(n -> scalar(key, n));
    }

    String string(String key, String fallback) {
        return string(key).orElse(fallback);
    }

    String requiredString(String key) {
        return string(key).filter(s -> !s.isBlank())
                .orElseThrow(() -> error(child(key), node, "is required here"));
    }

    int integer(String key, int fallback, int min, int max) {
        Optional<Node> value = valueNode(key).filter(n -> !isNull(n));
        if (value.isEmpty()) {
            return fallback;
        }
        String text = scalar(key, value.get()).trim();
        try {
            int parsed = Integer.parseInt(text);
            if (parsed < min || parsed > max) {
                throw error(child(key), value.get(), "must be between " + min + " and " + max + ", got " + parsed);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw error(child(key), value.get(), "expected a whole number, got '" + text + "'");
        }
    }

    /** A required, non-negative decimal with at most 6 places, kept exact (prices). */
    BigDecimal decimal(String key) {
        String text = requiredString(key).trim();
        Node at = valueNode(key).orElseThrow();
        try {
            BigDecimal value = new BigDecimal(text);
            if (value.signum() < 0 || value.stripTrailingZeros().scale() > 6) {
                throw error(child(key), at, "must be a non-negative number with at most 6 decimals, got '" + text + "'");
            }
            return value;
        } catch (NumberFormatException e) {
            throw error(child(key), at, "expected a number such as 2.50, got '" + text + "'");
        }
    }

    /** The keys of this mapping, in file order. */
    List<String> keys() {
        entries.keySet().forEach(read::add);
        return List.copyOf(entries.keySet());
    }

    boolean bool(String key, boolean fallback) {
        Optional<Node> value = valueNode(key).filter(n -> !isNull(n));
        if (value.isEmpty()) {
            return fallback;
        }
        String text = scalar(key, value.get()).trim().toLowerCase(Locale.ROOT);
        return switch (text) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw error(child(key), value.get(), "expected true or false, got '" + text + "'");
        };
    }

    /** A duration written as a number of seconds or with a unit: 500ms, 10s, 5m, 1h, 1d. */
    Duration duration(String key, Duration fallback) {
        Optional<Node> value = valueNode(key).filter(n -> !isNull(n));
        if (value.isEmpty()) {
            return fallback;
        }
        String text = scalar(key, value.get()).trim().toLowerCase(Locale.ROOT);
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            throw error(child(key), value.get(), "expected a duration such as 500ms, 10s, 5m or 1h, got '" + text + "'");
        }
        String unit = m.group(2) == null ? "s" : m.group(2);
        try {
            long amount = Long.parseLong(m.group(1));
            return switch (unit) {
                case "ms" -> Duration.ofMillis(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                case "d" -> Duration.ofDays(amount);
                default -> Duration.ofSeconds(amount);
            };
        } catch (ArithmeticException | NumberFormatException e) {
            throw error(child(key), value.get(), "is too long a duration: '" + text + "'");
        }
    }

    /** A size in bytes written as a number or with a unit: 512kb, 32MB, 1GiB. */
    long size(String key, long fallback) {
        Optional<Node> value = valueNode(key).filter(n -> !isNull(n));
        if (value.isEmpty()) {
            return fallback;
        }
        String text = scalar(key, value.get()).trim().toLowerCase(Locale.ROOT);
        Matcher m = SIZE.matcher(text);
        if (!m.matches()) {
            throw error(child(key), value.get(), "expected a size such as 1048576, 512KB or 32MB, got '" + text + "'");
        }
        String unit = m.group(2) == null ? "b" : m.group(2);
        long factor = switch (unit) {
            case "kb", "k", "kib" -> 1024L;
            case "mb", "m", "mib" -> 1024L * 1024;
            case "gb", "g", "gib" -> 1024L * 1024 * 1024;
            default -> 1L;
        };
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), factor);
        } catch (ArithmeticException | NumberFormatException e) {
            throw error(child(key), value.get(), "is too large a size: '" + text + "'");
        }
    }

    Optional<YamlSection> section(String key) {
        return valueNode(key).filter(n -> !isNull(n)).map(n -> new YamlSection(child(key), n, secrets));
    }

    /**
     * A list of mappings in which a plain item stands for a mapping of one key, {@code scalarKey}:
     * {@code - "sk-1"} reads as {@code - key: "sk-1"}, so the short form and the long one mix.
     */
    List<YamlSection> sections(String key, String scalarKey) {
        List<YamlSection> result = new ArrayList<>();
        List<Node> items = sequence(key);
        for (int i = 0; i < items.size(); i++) {
            Node item = items.get(i);
            if (item instanceof ScalarNode scalar) {
                ScalarNode name = new ScalarNode(Tag.STR, true, scalarKey, ScalarStyle.PLAIN, item.getStartMark(),
                        item.getEndMark());
                item = new MappingNode(Tag.MAP, true, List.of(new NodeTuple(name, scalar)), FlowStyle.BLOCK,
                        item.getStartMark(), item.getEndMark());
            }
            result.add(new YamlSection(child(key) + "[" + i + "]", item, secrets));
        }
        return result;
    }

    /** Marks a key as read whatever it holds; true when it is present. */
    boolean take(String key) {
        return valueNode(key).isPresent();
    }

    /** The line a key is written on; 0 when it is absent. */
    int line(String key) {
        NodeTuple t = entries.get(key);
        return t == null ? 0 : line(t.getKeyNode());
    }

    /** A list of mappings; a missing key is an empty list. */
    List<YamlSection> sections(String key) {
        List<YamlSection> result = new ArrayList<>();
        List<Node> items = sequence(key);
        for (int i = 0; i < items.size(); i++) {
            result.add(new YamlSection(child(key) + "[" + i + "]", items.get(i), secrets));
        }
        return result;
    }

    /** A list of scalars; a single scalar is taken as a list of one. */
    List<String> strings(String key) {
        Optional<Node> value = valueNode(key).filter(n -> !isNull(n));
        if (value.isPresent() && value.get() instanceof ScalarNode scalar) {
            return List.of(reveal(child(key), scalar, scalar.getValue()));
        }
        List<String> result = new ArrayList<>();
        List<Node> items = sequence(key);
        for (int i = 0; i < items.size(); i++) {
            Node item = items.get(i);
            if (!(item instanceof ScalarNode scalar)) {
                throw error(child(key) + "[" + i + "]", item, "expected a plain value");
            }
            result.add(reveal(child(key) + "[" + i + "]", scalar, scalar.getValue()));
        }
        return result;
    }

    /** A mapping of plain names to plain values, such as extra headers. */
    Map<String, String> stringMap(String key) {
        Optional<YamlSection> inner = section(key);
        if (inner.isEmpty()) {
            return Map.of();
        }
        Map<String, String> result = new LinkedHashMap<>();
        for (String name : inner.get().entries.keySet()) {
            result.put(name, inner.get().requiredString(name));
        }
        return result;
    }

    ConfigException error(String message) {
        return error(path, node, message);
    }

    /** An error about one key's value, naming that key and the line the value is on. */
    ConfigException error(String key, String message) {
        NodeTuple t = entries.get(key);
        return t == null ? error(message) : error(child(key), t.getValueNode(), message);
    }

    static ConfigException error(String path, Node at, String message) {
        return new ConfigException("tollgate config: '" + path + "' (line " + line(at) + ") " + message);
    }

    static int line(Node n) {
        return n.getStartMark().map(mark -> mark.getLine() + 1).orElse(0);
    }

    private List<Node> sequence(String key) {
        Optional<Node> value = valueNode(key).filter(n -> !isNull(n));
        if (value.isEmpty()) {
            return List.of();
        }
        if (!(value.get() instanceof SequenceNode seq)) {
            throw error(child(key), value.get(), "expected a list");
        }
        return seq.getValue();
    }

    /** Expands and decrypts a value; a failure names the key and line, never the value. */
    private String reveal(String where, Node at, String text) {
        try {
            return secrets.apply(text);
        } catch (IllegalStateException e) {
            throw error(where, at, e.getMessage());
        }
    }

    /** A plain value as the parser reads it: {@code ${VAR}} expanded and ENC(...) decrypted, whatever its type. */
    private String scalar(String key, Node value) {
        if (!(value instanceof ScalarNode scalar)) {
            throw error(child(key), value, "expected a plain value, not a list or mapping");
        }
        return reveal(child(key), scalar, scalar.getValue());
    }

    private Optional<Node> valueNode(String key) {
        read.add(key);
        return Optional.ofNullable(entries.get(key)).map(NodeTuple::getValueNode);
    }

    private static boolean isNull(Node n) {
        return n instanceof ScalarNode s && n.getTag().getValue().endsWith(":null");
    }

    private String child(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }
}
