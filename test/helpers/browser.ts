import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`); `.ci/run` installs it when it is missing. */
const CHROMIUM = '/usr/bin/chromium';

/**
 * Headless and quiet: no sandbox (CI containers run as root), no GPU, and none of Chromium's
 * own traffic (updates, sync, QUIC probing), so the browser only talks to the test's gateway.
 */
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** The Chromium binary to drive: `$SLUICE_TEST_CHROMIUM`, else Debian's; undefined when neither exists. */
export function chromiumPath(): string | undefined {
  const path = process.env.SLUICE_TEST_CHROMIUM || CHROMIUM;
  return existsSync(path) ? path : undefined;
}

/**
 * Why browser tests must be skipped here, or false when Chromium is available. In CI a missing
 * Chromium is an error, not a skip (`.ci/run` installs it).
 */
export function browserSkipReason(): string | false {
  if (chromiumPath()) return false;
  const wanted = process.env.SLUICE_TEST_CHROMIUM || CHROMIUM;
  if (process.env.CI) throw new Error(`Chromium is required in CI but ${wanted} does not exist (apt-get install -y chromium)`);
  const reason = `Chromium not found at ${wanted} (CI is not set, so skipping the browser tests)`;
  console.error(`# ${reason}`);
  return reason;
}

/** Launches headless Chromium through playwright-core (which ships no browser of its own). */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error(`Chromium not found at ${process.env.SLUICE_TEST_CHROMIUM || CHROMIUM}`);
  return chromium.launch({ executablePath, headless: true, args: ARGS });
}
