import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { freePort } from '../NodeRedChild';

/** 'nats-server' when Debian's nats-server is installed, else undefined. */
export const natsServerBinary: string | undefined = (() => {
  const r = spawnSync('nats-server', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? 'nats-server' : undefined;
})();

export { freePort };

async function waitForPort(port: number, ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = tcpConnect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nats-server did not listen on 127.0.0.1:${port} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A real nats-server with JetStream on a free loopback port and a temporary store dir. */
export class NatsServer {
  private proc: ChildProcess | undefined;
  readonly storeDir: string;
  private constructor(readonly port: number) {
    this.storeDir = mkdtempSync(path.join(tmpdir(), 'samflow-nats-'));
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<NatsServer> {
    if (!natsServerBinary) throw new Error('nats-server is not installed (Debian package nats-server)');
    const s = new NatsServer(await freePort());
    await s.restart();
    return s;
  }

  /** (Re)starts the server on the same port and store (a restart keeps the streams). */
  async restart(): Promise<void> {
    await this.stop();
    this.proc = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.storeDir], { stdio: 'ignore' });
    await waitForPort(this.port, 15_000);
  }

  /** Stops the server (SIGTERM, then SIGKILL), keeping its store. */
  async stop(): Promise<void> {
    const p = this.proc;
    this.proc = undefined;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise<void>((r) => p.once('exit', () => r()));
    p.kill('SIGTERM');
    const t = setTimeout(() => p.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.storeDir, { recursive: true, force: true });
  }
}
