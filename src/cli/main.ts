import { Command, InvalidArgumentError } from 'commander';
import { registerAccountCommands } from './accounts.ts';
import { registerKeyCommands } from './keys.ts';
import { registerUsageCommand } from './usage.ts';

function int(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a non-negative integer');
  return n;
}

function positive(value: string): number {
  const n = Number(value);
  if (!(n > 0)) throw new InvalidArgumentError('must be a positive number');
  return n;
}

/** The `sluice` command line. */
export async function main(argv: string[]): Promise<void> {
  const program = new Command('sluice').description('OpenAI-compatible gateway over a pool of upstream accounts');

  program
    .command('serve')
    .description('run the gateway')
    .option('-c, --config <file>', 'YAML config file (default: $SLUICE_CONFIG, then ./sluice.yaml)')
    .option('-p, --port <port>', 'override server.port', int)
    .option('--host <host>', 'override server.host')
    .action(async (opts) => {
      // Loaded on use (like sim and demo) so the admin commands below start without the whole gateway.
      const { serveCommand } = await import('./serve.ts');
      await serveCommand(opts);
    });

  program
    .command('sim')
    .description('run the upstream simulator (a fake OpenAI cloud with exact rate limits)')
    .option('-c, --config <file>', 'simulator YAML config (see docs/SIMULATOR.md)')
    .option('-p, --port <port>', 'port (default 9090)', int)
    .option('--host <host>', 'host (default 127.0.0.1)')
    .option('-n, --accounts <n>', 'number of accounts when no config is given', int)
    .option('--time-scale <x>', 'multiplies latencies and limit windows (0.01 = a minute lasts 600 ms)', positive)
    .action(async (opts) => {
      const { runSimCommand } = await import('../sim/index.ts');
      await runSimCommand(opts);
    });

  program
    .command('demo')
    .description('start a simulator and a gateway in front of it, and send a burst of image requests')
    .option('-n, --requests <n>', 'image requests to send', int, 24)
    .option('--accounts <n>', 'simulated accounts', int, 3)
    .action(async (opts) => {
      const { demoCommand } = await import('./demo.ts');
      await demoCommand(opts);
    });

  // Operator commands: they talk to a running gateway's admin API (see docs/CLI.md).
  registerKeyCommands(program);
  registerAccountCommands(program);
  registerUsageCommand(program);

  await program.parseAsync(argv, { from: 'user' });
}
