import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { type AccountConfig, accountSchema, configSchema, type ConfigInput, type SluiceConfig } from './schema.ts';

/** A config problem, with one line that names the field and what is wrong with it. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const PLACEHOLDER = '__sluice_env_ref_';
const PLACEHOLDER_RE = /__sluice_env_ref_(\d+)__/g;

function restoreRefs(value: unknown, refs: readonly string[]): unknown {
  if (typeof value === 'string') return value.replace(PLACEHOLDER_RE, (_m, i: string) => refs[Number(i)]);
  if (Array.isArray(value)) return value.map((v) => restoreRefs(v, refs));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, restoreRefs(v, refs)]));
  return value;
}

const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces `${VAR}` and `${VAR:-default}` in every string value (never in keys, and after
 * YAML parsing, so a variable's value cannot inject YAML structure).
 */
export function interpolateEnv(value: unknown, env: NodeJS.ProcessEnv, path: string[] = []): unknown {
  if (typeof value === 'string') {
    return value.replace(ENV_REF, (_m, name: string, fallback: string | undefined) => {
      const v = env[name];
      if (v !== undefined && v !== '') return v;
      if (fallback !== undefined) return fallback;
      throw new ConfigError(`${formatPath(path)}: environment variable ${name} is not set`);
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolateEnv(v, env, [...path, String(i)]));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateEnv(v, env, [...path, k])]));
  }
  return value;
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path.map((p, i) => (/^\d+$/.test(String(p)) ? `[${String(p)}]` : `${i ? '.' : ''}${String(p)}`)).join('');
}

/** Validates a config object (already interpolated) into a frozen {@link SluiceConfig}. */
export function parseConfig(input: unknown): SluiceConfig {
  const result = configSchema.safeParse(input ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ConfigError(`${formatPath(issue.path)}: ${issue.message}`);
  }
  return deepFreeze(result.data);
}

/** Validates one account (the admin API's `POST /admin/accounts` body) with the config's rules. */
export function parseAccount(input: unknown): AccountConfig {
  const result = accountSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ConfigError(`${formatPath(issue.path)}: ${issue.message}`);
  }
  if (result.data.provider !== 'openai' && !result.data.baseUrl) throw new ConfigError(`baseUrl: is required for provider "${result.data.provider}"`);
  return deepFreeze(result.data);
}

/** Builds a config from an object literal as a file would give it (used by tests and the demo). */
export function configFrom(input: ConfigInput): SluiceConfig {
  return parseConfig(input);
}

/** Reads, interpolates and validates a YAML config file. Throws {@link ConfigError}. */
export function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): SluiceConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  // `${VAR}` is not valid YAML inside a flow map (`{ key: ${VAR} }`, as in DESIGN.md), so each
  // reference is swapped for a plain placeholder before parsing and restored after it.
  const refs: string[] = [];
  const masked = text.replace(ENV_REF, (ref) => `${PLACEHOLDER}${refs.push(ref) - 1}__`);
  let raw: unknown;
  try {
    raw = restoreRefs(parseYaml(masked), refs);
  } catch (err) {
    throw new ConfigError(`${file} is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  try {
    return parseConfig(interpolateEnv(raw, env));
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(`${file}: ${err.message}`);
    throw err;
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
