/**
 * Replaces one `## <name>` section of a Markdown file (docs/BENCHMARKS.md), keeping every other
 * section as it is; appends the section when the file does not have it yet. The same rule as
 * `writeSection` in doc.ts (which is tied to `## bench:pool`), for any heading.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const PREAMBLE = '# Benchmarks\n\nNumbers written by the `npm run bench:*` scripts; each section says which command and machine made it.\n';

/** `text` must start with `heading` (e.g. "## bench:batch") and end with a newline. */
export function replaceSection(file: string, heading: string, text: string): void {
  if (!text.startsWith(`${heading}\n`)) throw new Error(`section text must start with "${heading}"`);
  const current = existsSync(file) ? readFileSync(file, 'utf8') : PREAMBLE;
  const escaped = heading.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const start = current.search(new RegExp(`^${escaped}\\s*$`, 'm'));
  if (start < 0) {
    writeFileSync(file, `${current.trimEnd()}\n\n${text}`);
    return;
  }
  const rest = current.slice(start + heading.length);
  const next = rest.search(/^## /m);
  const after = next < 0 ? '' : `\n${rest.slice(next)}`;
  writeFileSync(file, `${current.slice(0, start)}${text}${after}`);
}
