package dev.tollgate.cost;

import dev.tollgate.config.TollgateConfig.ModelPrice;
import dev.tollgate.usage.UsageRecord;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The prices in force: the built-in table ({@code prices/prices.csv}, its source and date in its
 * header) with the config's {@code model-prices} on top. Prices every finished record.
 */
public final class PriceTable {
    private static final String BUILT_IN = "prices/prices.csv";

    /** Swapped whole by a reload; every lookup reads one version of the table. */
    private volatile Map<String, Price> prices;

    public PriceTable(Collection<Price> prices) {
        this.prices = byModel(prices);
    }

    private static Map<String, Price> byModel(Collection<Price> prices) {
        Map<String, Price> byModel = new TreeMap<>();
        prices.forEach(p -> byModel.put(p.model(), p));
        return Map.copyOf(byModel);
    }

    /** The built-in table with {@code overrides} replacing or adding rows. */
    public static PriceTable withOverrides(List<ModelPrice> overrides) {
        return new PriceTable(rows(overrides));
    }

    /** A reload's {@code model-prices}, on top of the built-in table, for the records finished from now on. */
    public void useOverrides(List<ModelPrice> overrides) {
        prices = byModel(rows(overrides));
    }

    private static List<Price> rows(List<ModelPrice> overrides) {
        List<Price> all = new ArrayList<>(builtIn());
        overrides.forEach(o -> all.add(Price.perMillion(o.model(), o.input(), o.output(), o.cachedInput().orElse(null),
                o.cacheWrite5m().orElse(null), o.cacheWrite1h().orElse(null))));
        return all;
    }

    /** The price of {@code model}: its own row, else the longest row that prefixes it before a '-'. */
    public Optional<Price> find(String model) {
        if (model == null) {
            return Optional.empty();
        }
        Map<String, Price> table = prices;
        Price exact = table.get(model);
        if (exact != null) {
            return Optional.of(exact);
        }
        for (int dash = model.lastIndexOf('-'); dash > 0; dash = model.lastIndexOf('-', dash - 1)) {
            Price row = table.get(model.substring(0, dash)); // longest prefix first
            if (row != null) {
                return Optional.of(row);
            }
        }
        return Optional.empty();
    }

    /** The record with its charge when its model has a price; unchanged (unpriced) otherwise. */
    public UsageRecord charge(UsageRecord record) {
        return find(record.model()).map(p -> record.withCharge(p.charge(record.tokens()))).orElse(record);
    }

    public int size() {
        return prices.size();
    }

    private static BigDecimal decimal(String[] fields, int i) {
        return i < fields.length && !fields[i].isBlank() ? new BigDecimal(fields[i].trim()) : null;
    }

    static List<Price> builtIn() {
        List<Price> out = new ArrayList<>();
        try (InputStream in = PriceTable.class.getClassLoader().getResourceAsStream(BUILT_IN);
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split(",", -1);
                out.add(Price.perMillion(f[0].trim(), new BigDecimal(f[1].trim()), new BigDecimal(f[2].trim()),
                        decimal(f, 3), decimal(f, 4), decimal(f, 5)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + BUILT_IN, e);
        }
        return out;
    }
}
