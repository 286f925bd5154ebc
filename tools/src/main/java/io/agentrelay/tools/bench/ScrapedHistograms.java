package io.agentrelay.tools.bench;

import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The histograms of a Prometheus text exposition ({@code /metrics} of a relay or an executor), summed over their
 * labels, so that two scrapes taken before and after a run give what happened during the run alone.
 */
final class ScrapedHistograms {

    private final Map<String, Histo> byName;

    private ScrapedHistograms(Map<String, Histo> byName) {
        this.byName = byName;
    }

    /**
     * One histogram, in the exposition's unit (seconds for timers).
     *
     * @param buckets cumulative counts by upper bound, without {@code +Inf}
     * @param count   observations
     * @param sum     their sum
     */
    record Histo(NavigableMap<Double, Double> buckets, double count, double sum) {

        double mean() {
            return count == 0 ? Double.NaN : sum / count;
        }

        /**
         * The upper bound of the bucket that holds the quantile: the value is at most this; infinite when it lies
         * past the last bound, NaN without observations or buckets.
         */
        double upperBound(double quantile) {
            if (count == 0 || buckets.isEmpty()) {
                return Double.NaN;
            }
            for (Map.Entry<Double, Double> bucket : buckets.entrySet()) {
                if (bucket.getValue() >= quantile * count) {
                    return bucket.getKey();
                }
            }
            return Double.POSITIVE_INFINITY;
        }

        /** What was observed since {@code before}, a scrape of the same process. */
        Histo minus(Histo before) {
            NavigableMap<Double, Double> delta = new TreeMap<>();
            buckets.forEach((bound, n) -> delta.put(bound, n - before.buckets.getOrDefault(bound, 0.0)));
            return new Histo(delta, count - before.count, sum - before.sum);
        }
    }

    /** Reads the {@code _bucket}, {@code _count} and {@code _sum} series of every histogram in the text. */
    static ScrapedHistograms parse(String exposition) {
        Map<String, Double> counts = new HashMap<>();
        Map<String, Double> sums = new HashMap<>();
        Map<String, NavigableMap<Double, Double>> buckets = new HashMap<>();
        for (String line : exposition.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            if (space < 0) {
                continue;
            }
            String series = line.substring(0, brace >= 0 ? brace : space);
            double value = Double.parseDouble(line.substring(space + 1));
            if (series.endsWith("_bucket") && brace >= 0) {
                String le = label(line.substring(brace, space), "le");
                if (le != null && !le.equals("+Inf")) {
                    buckets.computeIfAbsent(series.substring(0, series.length() - "_bucket".length()),
                        name -> new TreeMap<>()).merge(Double.parseDouble(le), value, Double::sum);
                }
            } else if (series.endsWith("_count")) {
                counts.merge(series.substring(0, series.length() - "_count".length()), value, Double::sum);
            } else if (series.endsWith("_sum")) {
                sums.merge(series.substring(0, series.length() - "_sum".length()), value, Double::sum);
            }
        }
        Map<String, Histo> byName = new HashMap<>();
        counts.forEach((name, count) -> {
            if (sums.containsKey(name)) {
                byName.put(name, new Histo(buckets.getOrDefault(name, new TreeMap<>()), count, sums.get(name)));
            }
        });
        return new ScrapedHistograms(byName);
    }

    /** The histogram named so (without suffix), as scraped; empty when the process does not export it. */
    Optional<Histo> get(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The histogram's observations since {@code before}; as scraped when {@code before} does not have it yet. */
    Optional<Histo> since(ScrapedHistograms before, String name) {
        return get(name).map(now -> before.get(name).map(now::minus).orElse(now));
    }

    private static String label(String labels, String key) {
        // Preceded by '{' or ',': a label whose name ends in the key's is another label.
        int at = labels.indexOf("{" + key + "=\"");
        if (at < 0) {
            at = labels.indexOf("," + key + "=\"");
        }
        if (at < 0) {
            return null;
        }
        int from = at + key.length() + 3;
        int end = labels.indexOf('"', from);
        return end < 0 ? null : labels.substring(from, end);
    }
}
