/**
 * A camera (or any video ffmpeg reads) with tracking and zone events:
 *   node dist/examples/rx/cameraTracking.js rtsp://camera/stream 100,80,300,260 "0,300 640,300 640,480 0,480"
 *   node dist/examples/rx/cameraTracking.js ../shared/data/video/vtest.avi 420,140,480,280 "0,0 384,0 384,576 0,576"
 * The encoder (~1 s a frame on 2 cores) is far slower than the camera, so encodeImage takes the
 * newest frame whenever it frees up ('latest'); drops and latency are printed from the stats stream.
 */
import { Subject } from 'rxjs';
import { fromFfmpeg, loadSamModel, operators, trackMasks, zoneEvents, type BoxXyxy, type StageStats } from '../../core';

async function main(): Promise<void> {
  const [url, boxArg, zoneArg] = process.argv.slice(2);
  if (!url || !boxArg || !zoneArg) throw new Error('usage: cameraTracking <url> <x0,y0,x1,y1> "<x,y x,y x,y ...>"');
  const box = boxArg.split(',').map(Number) as unknown as BoxXyxy;
  const polygon = zoneArg.split(' ').map((p) => p.split(',').map(Number) as [number, number]);
  const model = await loadSamModel();
  const stats = new Subject<StageStats>();
  stats.subscribe((s) => {
    if (s.event === 'out') console.error(`encoded ${s.itemId} in ${s.workMs?.toFixed(0)} ms, latency ${s.latencyMs?.toFixed(0)} ms, dropped so far ${s.dropped}`);
  });
  const sub = fromFfmpeg(url, { realtime: !/^\w+:\/\//.test(url), reconnect: { retries: 5, delayMs: 2000 } })
    .pipe(
      operators.encodeImage(model, { policy: 'latest', stats, onError: 'skip', errors: (e) => console.error(e.message) }),
      trackMasks(model, { objects: [{ id: 'target', box }], promptMode: 'box+mask+point' }),
      zoneEvents([{ id: 'zone', polygon }]),
    )
    .subscribe({
      next: ({ frameId, events, counts }) => {
        for (const e of events) console.log(`${frameId}: object ${e.objectId} ${e.type === 'enter' ? 'entered' : 'left'} ${e.zoneId} (now ${counts[e.zoneId]})`);
      },
      error: (e: unknown) => {
        console.error(e instanceof Error ? e.message : e);
        void model.release();
      },
      complete: () => void model.release(),
    });
  process.on('SIGINT', () => {
    sub.unsubscribe(); // kills ffmpeg
    void model.release().then(() => process.exit(0));
  });
}

void main();
