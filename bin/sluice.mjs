#!/usr/bin/env node
// Entry point of the `sluice` command. Sluice runs its TypeScript sources directly with
// Node's built-in type stripping (no build step). Node >= 22.18 strips types by default;
// older 22.x needs the flag, so we re-launch ourselves with it there.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

if (process.features.typescript) {
  const { main } = await import('../src/cli/main.ts');
  await main(process.argv.slice(2));
} else {
  const self = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, ['--experimental-strip-types', '--disable-warning=ExperimentalWarning', self, ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => (signal ? process.kill(process.pid, signal) : process.exit(code ?? 1)));
}
