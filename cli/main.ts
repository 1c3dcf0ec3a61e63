#!/usr/bin/env node
/**
 * `samflow <command> ...`: dispatches to cli/<command>.ts. Each subcommand module exports
 * `run(argv: string[], io: CliIo): Promise<number>` and `usage: string`.
 * Exit codes: 0 success, 1 bad input or model (message on stderr names the file), 2 bad usage.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from './args';
import { isSamflowError } from '../core/errors';
import type { CliCommand, CliIo } from './CliCommand';

const COMMANDS = ['segment', 'everything', 'edges', 'annotate', 'detect', 'instances', 'text', 'eval'] as const;

function loadCommand(name: string): CliCommand | undefined {
  if (!(COMMANDS as readonly string[]).includes(name)) return undefined;
  const file = path.join(__dirname, `${name}.js`);
  if (!fs.existsSync(file)) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(file) as CliCommand;
}

function available(): string[] {
  return COMMANDS.filter((c) => fs.existsSync(path.join(__dirname, `${c}.js`)));
}

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(`usage: samflow <command> [options]\ncommands: ${available().join(', ')}\n`);
    return name ? 0 : 2;
  }
  const cmd = loadCommand(name);
  if (!cmd) {
    io.stderr(`samflow: unknown command "${name}" (commands: ${available().join(', ')})\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(cmd.usage + '\n');
    return 0;
  }
  try {
    return await cmd.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`samflow ${name}: ${e.message}\n${cmd.usage}\n`);
      return 2;
    }
    if (isSamflowError(e)) {
      io.stderr(`samflow ${name}: ${e.message}\n`);
      return 1;
    }
    io.stderr(`samflow ${name}: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    return 1;
  }
}

if (require.main === module) {
  const io: CliIo = {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
  };
  main(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`samflow: ${String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
