import type { Endpoint } from '../providers/index.ts';
import { femtoToNano, IMAGE_PRICE_DECIMALS, scaledInteger, TOKEN_PRICE_DECIMALS } from './decimal.ts';
import { pricingSchema } from './schema.ts';
import type { ModelPrice, PricingConfigInput } from './schema.ts';
import { freezeTable, GPT_IMAGE_OUTPUT_TOKENS, SHIPPED_PRICES } from './table.ts';
import type { PriceTable } from './table.ts';
import { count, readImageUsage, readTextUsage } from './usage.ts';
import type { TokenCounts } from './usage.ts';

/** What is known about one answered request, as the relay has it. */
export interface CostInput {
  endpoint: Endpoint;
  /** The model the request named (dated snapshots are fine: "gpt-4o-mini-2024-07-18"). */
  model: string;
  /** The answer's `usage` object exactly as the upstream returned it (any shape, or absent). */
  usage?: unknown;
  /** Request fields per-image models are priced by, as sent (multipart fields are strings). */
  request?: { n?: unknown; size?: unknown; quality?: unknown };
  /** Tokens estimated before sending; used only when the answer had no usage (counted as input text). */
  estimateTokens?: number;
  /** Completion tokens expected before sending (a budget hold's estimate; counted as output text). */
  estimateOutputTokens?: number;
  /** Images the answer returned (defaults to the request's `n`, else 1). */
  images?: number;
}

/** Where a result's counts came from. */
export type CostSource = 'usage' | 'estimate' | 'per-image' | 'none';

/** The counts and cost of one request, in the units of a `UsageRow`. */
export interface CostResult {
  inputTextTokens: number;
  outputTextTokens: number;
  inputImageTokens: number;
  outputImageTokens: number;
  images: number;
  /** Cost in nano-USD (1e-9 USD), an exact integer so that sums over many rows stay exact. */
  costNanoUsd: number;
  /** False when the model (or, per image, its size/quality) has no price: the cost is 0 and must not be trusted. */
  priced: boolean;
  source: CostSource;
}

/** Prices answers with one fixed table (shipped prices with the config's overrides applied). */
export interface Pricer {
  /** The cost of one answer: from its usage, else the estimate, else per image for per-image models. */
  cost(input: CostInput): CostResult;
  /** Whether `model` has a price (by the same matching as `cost`), e.g. to warn at start-up. */
  has(model: string): boolean;
  /** The effective table in USD (frozen), e.g. for an admin endpoint or docs. */
  table(): PriceTable;
}

/** One model's prices in femto-USD (see decimal.ts), with the documented fallbacks resolved. */
interface Rates {
  input: bigint;
  cachedInput: bigint;
  output: bigint;
  imageInput: bigint;
  imageOutput: bigint;
  /** Has any token price: usage is billed by tokens even if `perImage` exists too. */
  tokenBilled: boolean;
  perImage?: ReadonlyMap<string, ReadonlyMap<string, bigint>>;
}

const NO_TOKENS: TokenCounts = Object.freeze({ inputText: 0, cachedInput: 0, inputImage: 0, outputText: 0, outputImage: 0 });

/**
 * Builds a pricer from the shipped table and the config's `pricing` overrides (validated here,
 * so a pricer never holds a price it cannot apply exactly; throws a ZodError otherwise). An
 * override entry replaces the shipped entry of that model whole. A model is priced by the
 * longest table key equal to it or followed by "-" in it ("gpt-4o-mini-2024-07-18" →
 * "gpt-4o-mini", never "gpt-4o"; "gpt-image-1.5" is not "gpt-image-1").
 */
export function createPricer(overrides?: PricingConfigInput): Pricer {
  const { models } = pricingSchema.parse(overrides ?? {});
  const table: PriceTable = freezeTable({ ...SHIPPED_PRICES, ...models });
  const rates = new Map(Object.entries(table).map(([key, price]) => [key, compile(price)]));
  const keys = [...rates.keys()].sort((a, b) => b.length - a.length);
  const find = (model: string): Rates | undefined => {
    const key = keys.find((k) => model === k || model.startsWith(k + '-'));
    return key === undefined ? undefined : rates.get(key);
  };
  return {
    cost: (input) => costOf(find(input.model), input),
    has: (model) => find(model) !== undefined,
    table: () => table,
  };
}

function compile(price: ModelPrice): Rates {
  const token = (usd: number | undefined) => (usd === undefined ? undefined : exact(usd, TOKEN_PRICE_DECIMALS));
  const input = token(price.input);
  const imageOutput = token(price.imageOutput);
  const output = token(price.output);
  const imageInput = token(price.imageInput);
  const cachedInput = token(price.cachedInput);
  const perImage = price.perImage
    ? new Map(Object.entries(price.perImage).map(([q, sizes]) => [q, new Map(Object.entries(sizes).map(([s, usd]) => [s, exact(usd, IMAGE_PRICE_DECIMALS)]))]))
    : undefined;
  return {
    input: input ?? 0n,
    cachedInput: cachedInput ?? input ?? 0n,
    output: output ?? imageOutput ?? 0n,
    imageInput: imageInput ?? input ?? 0n,
    imageOutput: imageOutput ?? 0n,
    tokenBilled: [input, cachedInput, output, imageInput, imageOutput].some((p) => p !== undefined),
    perImage,
  };
}

function exact(usd: number, decimals: number): bigint {
  const v = scaledInteger(usd, decimals);
  if (v === undefined) throw new Error(`price ${usd} cannot be represented exactly`); // the schema rejects these
  return v;
}

function costOf(rates: Rates | undefined, input: CostInput): CostResult {
  const isImage = input.endpoint === 'images.generations' || input.endpoint === 'images.edits';
  const images = isImage ? (count(input.images) ?? positive(input.request?.n) ?? 1) : 0;
  const usage = isImage ? readImageUsage(input.usage) : readTextUsage(input.usage);
  if (rates?.perImage && isImage && !(rates.tokenBilled && usage)) {
    const each = perImagePrice(rates.perImage, input.request);
    return result(usage ?? NO_TOKENS, images, (each ?? 0n) * BigInt(images), each !== undefined, 'per-image');
  }
  const estimate = count(input.estimateTokens);
  const estimateOutput = count(input.estimateOutputTokens);
  const imageTokens = isImage && rates?.tokenBilled;
  let counts = NO_TOKENS;
  let source: CostSource = 'none';
  if (usage) {
    counts = usage;
    source = 'usage';
  } else if (estimate !== undefined || estimateOutput !== undefined || imageTokens) {
    // No usage: the estimate is the request's input (and, before sending, its expected completion); GPT image output from the per-image token table.
    const outputImage = imageTokens ? images * estimatedImageTokens(input.request) : 0;
    counts = { ...NO_TOKENS, inputText: estimate ?? 0, outputText: estimateOutput ?? 0, outputImage };
    source = 'estimate';
  }
  return result(counts, images, rates ? tokenCost(rates, counts) : 0n, rates !== undefined, source);
}

function tokenCost(r: Rates, c: TokenCounts): bigint {
  return (
    BigInt(c.inputText - c.cachedInput) * r.input +
    BigInt(c.cachedInput) * r.cachedInput +
    BigInt(c.inputImage) * r.imageInput +
    BigInt(c.outputText) * r.output +
    BigInt(c.outputImage) * r.imageOutput
  );
}

function result(c: TokenCounts, images: number, femto: bigint, priced: boolean, source: CostSource): CostResult {
  return {
    inputTextTokens: c.inputText,
    outputTextTokens: c.outputText,
    inputImageTokens: c.inputImage,
    outputImageTokens: c.outputImage,
    images,
    costNanoUsd: femtoToNano(femto),
    priced,
    source,
  };
}

/** A request field as a choice, with "auto" / absent meaning the default. */
function choice(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' && value !== 'auto' ? value : undefined;
}

function positive(value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 1 ? n : undefined;
}

/** Per-image price by quality (default "standard", else the first listed) and size (default 1024x1024). */
function perImagePrice(table: ReadonlyMap<string, ReadonlyMap<string, bigint>>, request: CostInput['request']): bigint | undefined {
  const quality = choice(request?.quality) ?? (table.has('standard') ? 'standard' : [...table.keys()][0]);
  return table.get(quality)?.get(choice(request?.size) ?? '1024x1024');
}

/** gpt-image output tokens of one image; unknown or "auto" quality/size count as medium, 1024x1024. */
function estimatedImageTokens(request: CostInput['request']): number {
  const byQuality = GPT_IMAGE_OUTPUT_TOKENS[choice(request?.quality) ?? 'medium'] ?? GPT_IMAGE_OUTPUT_TOKENS.medium;
  return byQuality[choice(request?.size) ?? '1024x1024'] ?? byQuality['1024x1024'];
}
