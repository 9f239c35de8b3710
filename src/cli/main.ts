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

  program
    .command('batch')
    .description('run a Batch-API JSONL file (or a file of image prompts) against an OpenAI-compatible endpoint (docs/BATCH-CLI.md)')
    .argument('<input>', 'Batch-API JSONL, or a text file with one image prompt per line')
    .option('-o, --output <file>', 'results JSONL, appended as answers arrive; re-running skips custom_ids already done')
    .option('--base-url <url>', 'the URL `/chat/completions` is appended to, e.g. http://127.0.0.1:8080/v1 (default: $OPENAI_BASE_URL, then https://api.openai.com/v1)')
    .option('--key <key>', 'API key (default: $OPENAI_API_KEY)')
    .option('-j, --concurrency <n>', 'requests in flight at once (default 16)', int)
    .option('--timeout-ms <ms>', 'timeout of one attempt (default 600000)', int)
    .option('--max-retries <n>', 'retries of 408/409/429/5xx/connection errors (default 5)', int)
    .option('--images-dir <dir>', 'save images there as files; output lines then hold {"file": path} instead of base64')
    .option('--input-format <format>', 'auto, jsonl or prompts (default auto)')
    .option('--model <model>', 'prompt files: image model (default gpt-image-1)')
    .option('--size <size>', 'prompt files: image size (default 1024x1024)')
    .option('--quality <quality>', 'prompt files: image quality (default medium)')
    .option('--n <n>', 'prompt files: images per prompt (default 1)', int)
    .option('--grace-ms <ms>', 'after Ctrl-C, how long requests in flight may finish (default 15000)', int)
    // Bad usage exits 2 (the exit code of a run with failures is 1).
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2))
    .action(async (input: string, opts) => {
      const { batchCommand } = await import('./batch/run.ts');
      process.exitCode = await batchCommand(input, opts);
    });

  // Operator commands: they talk to a running gateway's admin API (see docs/CLI.md).
  registerKeyCommands(program);
  registerAccountCommands(program);
  registerUsageCommand(program);

  await program.parseAsync(argv, { from: 'user' });
}
