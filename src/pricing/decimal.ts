/**
 * Exact decimal handling for prices. Prices arrive as JS numbers (from YAML or the shipped
 * table) and costs must be exact integers of nano-USD, so prices are turned into integers of a
 * much smaller unit once, from the number's shortest decimal spelling ("0.075", "1e-7"), never
 * by multiplying floats (0.075 * 1e9 is not an integer in binary floating point).
 *
 * The internal unit is the femto-USD (1e-15 USD):
 * - a token price of P USD per 1M tokens is P × 10^9 femto-USD per token (exact for P with at
 *   most 9 decimals, i.e. "nano-USD per token × 10^6");
 * - an image price of P USD is P × 10^15 femto-USD per image (at most 15 decimals).
 * A request's cost is summed in femto-USD as a bigint and rounded to nano-USD once, half up.
 */

/** Decimals a token price (USD per 1M tokens) may have: femto-USD per token = USD/1M × 10^9. */
export const TOKEN_PRICE_DECIMALS = 9;
/** Decimals an image price (USD per image) may have: femto-USD per image = USD × 10^15. */
export const IMAGE_PRICE_DECIMALS = 15;
/** Femto-USD in one nano-USD. */
const FEMTO_PER_NANO = 1_000_000n;

/**
 * `value` × 10^`decimals` as an exact bigint, read from the number's decimal spelling; undefined
 * when the value is negative, not finite, or has more decimals than that (it cannot be exact).
 */
export function scaledInteger(value: number, decimals: number): bigint | undefined {
  if (!Number.isFinite(value) || value < 0) return undefined;
  const m = /^(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/.exec(String(value));
  if (!m) return undefined;
  const fraction = m[2] ?? '';
  const digits = BigInt(m[1] + fraction);
  const shift = decimals + Number(m[3] ?? 0) - fraction.length;
  if (shift >= 0) return digits * 10n ** BigInt(shift);
  const divisor = 10n ** BigInt(-shift);
  return digits % divisor === 0n ? digits / divisor : undefined;
}

/** Femto-USD → nano-USD, rounding half up (the only rounding a cost ever gets). */
export function femtoToNano(femto: bigint): number {
  return Number((femto + FEMTO_PER_NANO / 2n) / FEMTO_PER_NANO);
}
