import { readFileSync } from 'node:fs';
import { type ClientConfig, ConfigError } from '../config/index.ts';
import { GatewayError } from '../errors/index.ts';
import type { Endpoint, UpstreamCall } from '../providers/index.ts';
import { callTexts } from './call-text.ts';

type GuardrailsConfig = NonNullable<ClientConfig['guardrails']>;

/** Where a refused prompt was caught: the `source` label of `sluice_content_policy_blocks_total`. */
export type BlockSource = 'guardrail' | 'moderation' | 'upstream';

/** The moderation pre-check of a client, normalised from `guardrails.moderation`. */
export interface ModerationStep {
  readonly endpoints: ReadonlySet<Endpoint>;
  readonly model: string;
  /** Block only when one of these is flagged; undefined: whenever the input is flagged. */
  readonly categories: readonly string[] | undefined;
}

/** A client's guardrails, compiled once at start. */
export interface Guardrails {
  /** Every word and phrase as one case-insensitive expression; undefined when there are none. */
  readonly words: RegExp | undefined;
  readonly patterns: readonly RegExp[];
  readonly moderation: ModerationStep | undefined;
}

/** Endpoints whose prompts the word lists and patterns screen: those that generate content. */
const SCREENED: ReadonlySet<Endpoint> = new Set(['chat.completions', 'images.generations', 'images.edits']);

const ASCII_WORD = /\w/;

/** Words of a list file: one word or phrase per line; blank lines and lines starting with `#` are skipped. */
function readWordList(path: string, field: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`${field}: cannot read word list ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/**
 * One expression for a word list. Words in Latin script match as whole words ("ass" does not
 * block "class"); words in scripts written without spaces (Chinese, Japanese) match anywhere.
 */
function wordExpression(words: readonly string[]): RegExp | undefined {
  const alternatives = [...new Set(words.map((w) => w.normalize('NFKC').toLowerCase()))].map((w) => {
    const escaped = w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return `${ASCII_WORD.test(w[0]) ? '\\b' : ''}${escaped}${ASCII_WORD.test(w[w.length - 1]) ? '\\b' : ''}`;
  });
  return alternatives.length > 0 ? new RegExp(alternatives.join('|'), 'i') : undefined;
}

/** Compiles a client's `guardrails` (word list files are read now); `field` names it in errors. */
export function compileGuardrails(cfg: GuardrailsConfig, field: string): Guardrails {
  const words = [...cfg.words, ...cfg.wordLists.flatMap((path, i) => readWordList(path, `${field}.wordLists[${i}]`))];
  const m = cfg.moderation;
  const moderation: ModerationStep | undefined =
    m === false
      ? undefined
      : m === true
        ? { endpoints: new Set(['images.generations', 'images.edits']), model: 'omni-moderation-latest', categories: undefined }
        : { endpoints: new Set(m.endpoints), model: m.model, categories: m.categories };
  return { words: wordExpression(words), patterns: cfg.patterns.map((p) => new RegExp(p, 'i')), moderation };
}

/** The text of a call as guardrails read it (Unicode-normalised, so full-width letters match too). */
export function screenedText(call: Pick<UpstreamCall, 'json' | 'form'>): string {
  return (callTexts(call) ?? []).join('\n').normalize('NFKC');
}

/** Which rule refuses the call's prompt (`word`, `pattern 2`), or undefined when it passes. */
export function matchGuardrails(g: Guardrails, call: UpstreamCall): string | undefined {
  if (!SCREENED.has(call.endpoint) || (!g.words && g.patterns.length === 0)) return undefined;
  const text = screenedText(call);
  if (g.words?.test(text)) return 'word';
  const i = g.patterns.findIndex((p) => p.test(text));
  return i >= 0 ? `pattern ${i}` : undefined;
}

/**
 * What a moderation answer (`{results: [{flagged, categories}]}`) says: the category that
 * blocks the request (the first flagged one, or the first of `categories` flagged), or undefined.
 */
export function moderationVerdict(answer: Record<string, unknown>, categories: readonly string[] | undefined): string | undefined {
  const results = Array.isArray(answer.results) ? (answer.results as Array<{ flagged?: unknown; categories?: Record<string, unknown> }>) : [];
  for (const r of results) {
    const flagged = Object.entries(r.categories ?? {})
      .filter(([, on]) => on === true)
      .map(([name]) => name);
    const hit = categories ? flagged.find((c) => categories.includes(c)) : r.flagged === true ? (flagged[0] ?? 'flagged') : undefined;
    if (hit) return hit;
  }
  return undefined;
}

/**
 * A prompt refused before anything was sent upstream: 400 `content_policy_violation`, worded
 * like OpenAI's own refusal. The client is never told which rule matched (that would teach it
 * the list); `source` and `rule` are for the log line and the metrics.
 */
export class PromptRefused extends GatewayError {
  readonly source: Exclude<BlockSource, 'upstream'>;
  /** `word`, `pattern N`, or the moderation category that was flagged. */
  readonly rule: string;
  constructor(source: Exclude<BlockSource, 'upstream'>, rule: string) {
    super('content_policy_violation', 'Your request was rejected as a result of our safety system. Your prompt may contain text that is not allowed by our safety system.');
    this.source = source;
    this.rule = rule;
  }
}

/** The moderation call that screens `call`, when the client's guardrails want one for its endpoint. */
export function moderationCall(g: Guardrails | undefined, call: UpstreamCall): UpstreamCall | undefined {
  const step = g?.moderation;
  if (!step || !step.endpoints.has(call.endpoint)) return undefined;
  const input = screenedText(call);
  if (input.trim() === '') return undefined;
  return { endpoint: 'moderations', model: step.model, json: { model: step.model, input }, stream: false, passHeaders: call.passHeaders };
}
