#!/usr/bin/env node
/**
 * `samflow <command> ...`: dispatches to cli/<command>.ts. Each subcommand module exports
 * `run(argv: string[], io: CliIo): Promise<number>` and `usage: string`.
 * Exit codes: 0 success, 1 bad input or model (message on stderr names the file), 2 bad usage.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from './args';
import { isSamflowError } from '../core';
import { packageRoot } from '../core/internal';
import type { CliCommand, CliIo } from './CliCommand';

const COMMANDS = ['segment', 'everything', 'edges', 'annotate', 'detect', 'instances', 'text', 'eval', 'models', 'worker'] as const;

/** cli/<name>.js in the build, cli/<name>.ts when run from source (tests). */
function commandFile(name: string): string | undefined {
  return [`${name}.js`, `${name}.ts`].map((f) => path.join(__dirname, f)).find((f) => fs.existsSync(f));
}

async function loadCommand(name: string): Promise<CliCommand | undefined> {
  if (!(COMMANDS as readonly string[]).includes(name)) return undefined;
  const file = commandFile(name);
  if (!file) return undefined;
  const mod = (await import(file.endsWith('.js') ? pathToFileURL(file).href : file)) as Partial<CliCommand> & { default?: CliCommand };
  return typeof mod.run === 'function' && typeof mod.usage === 'string' ? (mod as CliCommand) : mod.default;
}

function available(): string[] {
  return COMMANDS.filter((c) => commandFile(c) !== undefined);
}

/** samflow's version, from its package.json. */
function version(): string {
  const { version } = JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version?: string };
  return version ?? 'unknown';
}

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-v') {
    io.stdout(`samflow ${version()}\n`);
    return 0;
  }
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(`usage: samflow <command> [options] | samflow --version\ncommands: ${available().join(', ')}\n`);
    return name ? 0 : 2;
  }
  const cmd = await loadCommand(name);
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
    io.stderr(`samflow ${name}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
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
