/**
 * A real Node-RED runtime in a child process (node-red/red.js with a userDir prepared by
 * scripts/start.js, bound to 127.0.0.1 on a free port) for benchmarks and end-to-end tests:
 * full deploys through the admin API, the child's thread count, and, when asked, the child's own
 * event-loop delay through a settings.js hook (GET /samflow-bench/event-loop on the admin API).
 * A helper module beside the benchmarks (it exports no `run`), so `npm run bench` skips it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { EventLoopDelay } from './eventLoopDelay';

/** The `Threads:` count of a /proc/<pid>/status text. */
export function parseThreadCount(status: string): number {
  const m = /^Threads:\s*(\d+)\s*$/m.exec(status);
  if (!m) throw new Error('no "Threads:" line in the /proc status text');
  return Number(m[1]);
}

/** The number of threads of process `pid` (Linux: /proc/<pid>/status). */
export function threadCount(pid: number): number {
  return parseThreadCount(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
}

/**
 * CPU seconds (user + system) of a /proc/<pid>/stat text: fields 14 and 15, in clock ticks
 * (`ticksPerSecond`, 100 on Linux builds). The command name (field 2) may hold spaces and parentheses.
 */
export function parseCpuSeconds(stat: string, ticksPerSecond = 100): number {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state): utime is field 14, stime field 15
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error('not a /proc/<pid>/stat text');
  return (utime + stime) / ticksPerSecond;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/**
 * settings.js that loads the normal samflow settings (settings.base.js) and adds an admin route
 * reporting the runtime's own event-loop delay since the last reset.
 */
function settingsWithDelayHook(): string {
  return `// Written by samflow's bench/NodeRedChild.ts: the samflow settings plus an event-loop delay probe.
const { monitorEventLoopDelay } = require('node:perf_hooks');
const histogram = monitorEventLoopDelay({ resolution: 10 });
histogram.enable();
const base = require('./settings.base.js');
// delay beyond the 10 ms sampling interval (an idle loop records ~10 ms between ticks)
const ms = (ns) => Math.max(0, Math.round((ns - 1e7) / 1e4) / 100);
module.exports = {
    ...base,
    httpAdminMiddleware: (req, res, next) => {
        if (!req.url.startsWith('/samflow-bench/event-loop')) return next();
        const body = histogram.count === 0
            ? { p50: 0, p99: 0, max: 0, samples: 0 }
            : { p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max), samples: histogram.count };
        if (req.url.includes('reset=1')) histogram.reset();
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(body));
    },
};
`;
}

/** Stops a Node-RED child process: SIGINT (it closes its flows), SIGKILL when it has not exited after 10 s. */
export async function stopNodeRed(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGINT');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

export interface NodeRedChildOptions {
  readonly repoRoot: string;
  /** Deployed before the runtime starts (flows.json). Default: none. */
  readonly flows?: readonly unknown[];
  /** Add the event-loop delay probe (see `eventLoopDelay`). */
  readonly delayProbe?: boolean;
  /** How long to wait for the editor to answer. Default 60 s. */
  readonly startTimeoutMs?: number;
}

export class NodeRedChild {
  private logText = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly base: string,
    readonly userDir: string,
  ) {
    child.stdout!.on('data', (b: Buffer) => (this.logText += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (this.logText += b.toString()));
  }

  /** Starts red.js on a fresh userDir and resolves once GET /settings answers. */
  static async start(opts: NodeRedChildOptions): Promise<NodeRedChild> {
    const require_ = createRequire(path.join(opts.repoRoot, 'package.json'));
    const start = require_(path.join(opts.repoRoot, 'scripts', 'start.js')) as {
      prepareUserDir: (o: { userDir: string; port: number; reset: boolean }) => string;
      settingsSource: (port: number) => string;
    };
    const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'samflow-red-'));
    const port = await freePort();
    if (opts.delayProbe) {
      fs.writeFileSync(path.join(userDir, 'settings.base.js'), start.settingsSource(port));
      fs.writeFileSync(path.join(userDir, 'settings.js'), settingsWithDelayHook());
    }
    start.prepareUserDir({ userDir, port, reset: true });
    fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(opts.flows ?? []));
    // the runtime ends with this process even when it is killed (a test worker that dies): the
    // IPC channel closes and the preload exits
    const preload = path.join(userDir, 'exit-with-parent.js');
    fs.writeFileSync(preload, "process.on('disconnect', () => process.exit(1));\n");
    const red = [path.join(opts.repoRoot, 'node_modules', 'node-red', 'red.js'), '-u', userDir, '-s', path.join(userDir, 'settings.js')];
    const child = spawn(process.execPath, ['--require', preload, ...red], {
      env: { ...process.env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    child.channel?.unref();
    const runtime = new NodeRedChild(child, `http://127.0.0.1:${port}`, userDir);
    const until = Date.now() + (opts.startTimeoutMs ?? 60_000);
    for (;;) {
      try {
        if ((await fetch(`${runtime.base}/settings`)).ok) break;
      } catch {
        // not listening yet
      }
      if (child.exitCode !== null || Date.now() > until) {
        await runtime.stop();
        throw new Error(`Node-RED did not start:\n${runtime.log.slice(-4000)}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    return runtime;
  }

  /** Everything the runtime printed so far. */
  get log(): string {
    return this.logText;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** null while the runtime runs. */
  get exitCode(): number | null {
    return this.child.exitCode;
  }

  /** The runtime's current thread count. */
  threads(): number {
    return threadCount(this.pid);
  }

  /** CPU seconds the runtime used so far (all its threads). */
  cpuSeconds(): number {
    return parseCpuSeconds(fs.readFileSync(`/proc/${this.pid}/stat`, 'utf8'));
  }

  /**
   * Resolves once the runtime used less than `share` of one core over a 1 s window (its flows went
   * idle), or after `timeoutMs`; returns whether it went idle.
   */
  async untilIdle(share = 0.15, timeoutMs = 90_000): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const c0 = this.cpuSeconds();
      await new Promise((r) => setTimeout(r, 1000));
      if (this.cpuSeconds() - c0 < share) return true;
    }
    return false;
  }

  /**
   * fetch on the runtime, with one retry when a kept-alive socket was closed by the server meanwhile
   * (undici reuses idle sockets; Node's http server closes them after 5 s).
   */
  async request(urlPath: string, init?: RequestInit): Promise<Response> {
    const url = `${this.base}${urlPath}`;
    try {
      return await fetch(url, init);
    } catch (err) {
      const code = (err as { cause?: { code?: string } }).cause?.code;
      if (code !== 'ECONNRESET' && code !== 'UND_ERR_SOCKET') throw err;
      return fetch(url, init);
    }
  }

  /**
   * A full deploy through the admin API. Node-RED answers once the old flows stopped and starts
   * the new ones after answering, so this waits for the runtime's next "Started flows" line.
   */
  async deploy(flows: readonly unknown[], timeoutMs = 60_000): Promise<Response> {
    // Node-RED logs "Updated flows" for a deploy, then "Started flows" once its nodes run. Counting
    // "Started flows" alone races with a start-up line that reaches the log after this call began.
    const updatedBefore = this.logText.split('Updated flows').length;
    const res = await this.request('/flows', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
      body: JSON.stringify(flows),
    });
    const until = Date.now() + timeoutMs;
    const started = (): boolean => {
      const log = this.logText;
      return log.split('Updated flows').length > updatedBefore && log.slice(log.lastIndexOf('Updated flows')).includes('Started flows');
    };
    while (res.ok && !started()) {
      if (Date.now() > until) throw new Error(`the deployed flows did not start:\n${this.logText.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return res;
  }

  /** The runtime's event-loop delay since the last reset (needs `delayProbe`); `reset` starts a new window. */
  async eventLoopDelay(reset: boolean): Promise<EventLoopDelay> {
    const res = await this.request(`/samflow-bench/event-loop${reset ? '?reset=1' : ''}`);
    if (!res.ok) throw new Error(`the event-loop probe answered ${res.status} (start the runtime with delayProbe)`);
    return (await res.json()) as EventLoopDelay;
  }

  /** SIGINT (Node-RED closes its flows), SIGKILL after 10 s; removes the userDir. */
  async stop(): Promise<void> {
    await stopNodeRed(this.child);
    fs.rmSync(this.userDir, { recursive: true, force: true });
  }
}
