// Percentiles and the side-by-side tables every benchmark prints: a figure, the figure it
// is compared with (the broadcast baseline, or the recorded run in bench/baseline.json),
// and their ratio with a plain-words verdict. Figures are plain numbers; units in the name.

/** Nearest-rank percentile of samples (need not be sorted). 0 for no samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** The median and the 99th percentile of a phase's samples. */
export interface Quantiles {
  p50: number;
  p99: number;
}

export function quantiles(samples: readonly number[]): Quantiles {
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

/** `{ [key]: value }`, or nothing when the value could not be measured (an optional field of a result). */
export function optional<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>);
}

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export function summarize(samples: readonly number[]): LatencySummary {
  return {
    count: samples.length,
    p50: percentile(samples, 50),
    p99: percentile(samples, 99),
    max: samples.length === 0 ? 0 : Math.max(...samples),
  };
}

/** Which direction is an improvement; "none" for counts that only describe the run. */
export type Better = "higher" | "lower" | "none";

export interface Row {
  metric: string;
  current: number | undefined;
  reference: number | undefined;
  better: Better;
}

/** Within this band a ratio is noise on a shared 2-core machine, not a change. */
const NOISE = 0.1;

export function verdict(current: number | undefined, reference: number | undefined, better: Better): string {
  if (current === undefined || reference === undefined || better === "none") return "";
  if (reference === 0 && current === 0) return "same";
  if (reference === 0) return better === "lower" ? "worse" : "better";
  const ratio = current / reference;
  if (Math.abs(ratio - 1) <= NOISE) return "≈ same";
  const improved = better === "higher" ? ratio > 1 : ratio < 1;
  return improved ? "better" : "worse";
}

export function formatNumber(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return "-";
  const abs = Math.abs(value);
  if (abs === 0) return "0";
  if (abs >= 999.5) return Math.round(value).toLocaleString("en-US");
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toFixed(3);
}

export function formatRatio(current: number | undefined, reference: number | undefined): string {
  if (current === undefined || reference === undefined) return "-";
  if (reference === 0) return current === 0 ? "1.00x" : "∞";
  return `${(current / reference).toFixed(2)}x`;
}

/** A fixed-width table: metric | <current> | <reference> | ratio (current / reference) | verdict. */
export function renderTable(title: string, columns: { current: string; reference: string }, rows: readonly Row[]): string {
  const header = ["metric", columns.current, columns.reference, "ratio", "verdict"];
  const body = rows.map((row) =>
    // A heading row (no figures, nothing to compare) stays blank instead of "-".
    row.current === undefined && row.reference === undefined && row.better === "none" ? [row.metric, "", "", "", ""] : [
    row.metric,
    formatNumber(row.current),
    formatNumber(row.reference),
    formatRatio(row.current, row.reference),
    verdict(row.current, row.reference, row.better),
  ]);
  return formatGrid(title, header, body, [0, 4]);
}

/** A fixed-width text table under its title: the `leftAligned` columns padded right, the others left. */
export function formatGrid(title: string, header: string[], body: string[][], leftAligned: number[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => cells[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => (leftAligned.includes(i) ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ").trimEnd();
  return [`\n${title}`, line(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}

export const bytesToMb = (bytes: number) => bytes / (1024 * 1024);
