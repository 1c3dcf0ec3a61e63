import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../../core/internal';

export const repoRoot = packageRoot();
export const builtCli = path.join(repoRoot, 'dist', 'cli', 'main.js');

/** A real `samflow worker` child process (the built CLI), its stderr collected. */
export class SamflowWorker {
  log = '';
  private exited: Promise<number | null>;
  private constructor(
    readonly name: string,
    readonly proc: ChildProcess,
  ) {
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (s: string) => {
      this.log += s;
    });
    proc.stdout?.resume();
    this.exited = new Promise((r) => proc.once('exit', (code) => r(code)));
  }

  static async start(name: string, natsUrl: string, stream: string, extra: readonly string[] = []): Promise<SamflowWorker> {
    if (!existsSync(builtCli)) throw new Error(`${builtCli} is missing: run npm run build first (npm test does)`);
    const proc = spawn(process.execPath, [builtCli, 'worker', '--nats', natsUrl, '--stream', stream, '--name', name, '--threads', '1', ...extra], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const w = new SamflowWorker(name, proc);
    await w.waitFor(/worker: ready/, 120_000);
    return w;
  }

  /** Resolves when the log matches (polls), rejects when the process exits first or time runs out. */
  async waitFor(re: RegExp, ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (!re.test(this.log)) {
      if (this.proc.exitCode !== null) throw new Error(`worker ${this.name} exited (${this.proc.exitCode}) before ${re}:\n${this.log}`);
      if (Date.now() > until) throw new Error(`worker ${this.name}: no ${re} within ${ms} ms:\n${this.log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Jobs this worker reported done, by id. */
  doneIds(): string[] {
    return [...this.log.matchAll(/^worker: job (\S+) \(\w+\) (?:done|failed)/gm)].map((m) => m[1]);
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
    if (this.proc.exitCode === null) this.proc.kill(signal);
    return this.exited;
  }
}
