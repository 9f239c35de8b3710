/**
 * A small plain-text table renderer for the operator CLI: a header, a dashed rule, the rows,
 * and optional footer rows (totals) under a second rule. Columns are padded to their widest
 * cell; numeric columns are right-aligned. Cells are sanitised so text that came from the
 * network (names, reasons) cannot move the cursor or inject terminal escape sequences.
 */

export interface Column {
  header: string;
  align?: 'left' | 'right';
}

const GAP = '  ';

/** One line of printable text: control characters (ESC, CR, ...) dropped, runs of whitespace made one space. */
export function cell(value: unknown): string {
  if (value === null || value === undefined) return '-';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  return String(value).replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').replace(/\s+/g, ' ').trim();
}

/** Display width of a sanitised cell (code points; good enough for names, numbers and ISO times). */
function width(s: string): number {
  return [...s].length;
}

function pad(s: string, w: number, align: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, w - width(s)));
  return align === 'right' ? fill + s : s + fill;
}

/** Renders `rows` (and `footer` rows, e.g. a TOTAL line) under `columns`; ends with a newline. */
export function renderTable(columns: readonly Column[], rows: ReadonlyArray<readonly unknown[]>, footer: ReadonlyArray<readonly unknown[]> = []): string {
  const body = rows.map((r) => columns.map((_, i) => cell(r[i])));
  const foot = footer.map((r) => columns.map((_, i) => (r[i] === undefined ? '' : cell(r[i]))));
  const widths = columns.map((c, i) => Math.max(width(c.header), ...body.map((r) => width(r[i])), ...foot.map((r) => width(r[i]))));
  const line = (cells: readonly string[]) => cells.map((s, i) => pad(s, widths[i], columns[i].align ?? 'left')).join(GAP).trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join(GAP);
  const out = [line(columns.map((c) => c.header)), rule, ...body.map(line)];
  if (foot.length > 0) out.push(rule, ...foot.map(line));
  return `${out.join('\n')}\n`;
}

/** An integer with thousands separators: 1234567 -> "1,234,567". */
export function formatInt(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '-';
  return Math.round(n).toLocaleString('en-US');
}

/** Decimals needed to show `n` exactly (at least `min`, at most 9: costs are whole nano-dollars). */
export function decimalsFor(n: number, min = 4): number {
  for (let d = min; d < 9; d++) if (Math.abs(Number(n.toFixed(d)) - n) < 1e-12) return d;
  return 9;
}

/**
 * US dollars with a fixed number of decimals (default: as many as `n` needs, at least 4),
 * so a column of costs can share one precision and line up on the decimal point.
 */
export function formatUsd(n: number | null | undefined, decimals?: number): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '-';
  return n.toFixed(decimals ?? decimalsFor(n));
}

/** The precision a whole column of costs needs (at least 4 decimals). */
export function columnDecimals(values: ReadonlyArray<number | null | undefined>): number {
  return Math.max(4, ...values.map((v) => (typeof v === 'number' && Number.isFinite(v) ? decimalsFor(v) : 4)));
}
