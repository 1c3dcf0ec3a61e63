import { describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import { zoneEvents, pointInPolygon, type ZoneInput, type ZoneUpdate } from '../../core/stream/zoneEvents';
import type { BinaryMask } from '../../core/types';

/** A 100x100 mask with a filled square [x0,x0+s) x [y0,y0+s). */
function square(x0: number, y0: number, s: number): BinaryMask {
  const data = new Uint8Array(100 * 100);
  for (let y = y0; y < y0 + s; y++) for (let x = x0; x < x0 + s; x++) data[y * 100 + x] = 1;
  return { width: 100, height: 100, data };
}

const door = {
  id: 'door',
  polygon: [
    [50, 0],
    [100, 0],
    [100, 100],
    [50, 100],
  ] as [number, number][],
};

function frame(id: string, objects: ZoneInput['objects']): ZoneInput {
  return { frame: { id }, objects };
}

describe('zoneEvents', () => {
  it('pointInPolygon handles a concave polygon', () => {
    const L: [number, number][] = [
      [0, 0],
      [10, 0],
      [10, 4],
      [4, 4],
      [4, 10],
      [0, 10],
    ];
    expect(pointInPolygon(2, 8, L)).toBe(true);
    expect(pointInPolygon(8, 8, L)).toBe(false);
  });

  it('emits enter and leave by centroid and keeps counts per zone (marble)', () => {
    const ts = new TestScheduler((a, e) => expect(a).toEqual(e));
    ts.run(({ cold, expectObservable }) => {
      const src = cold<ZoneInput>('abcd|', {
        a: frame('f0', [{ objectId: 7, mask: square(10, 10, 20) }]), // centroid x=20: outside
        b: frame('f1', [{ objectId: 7, mask: square(45, 10, 20) }]), // centroid x=55: inside, although part of it is outside
        c: frame('f2', [
          { objectId: 7, mask: square(60, 10, 20) },
          { objectId: 8, mask: square(70, 60, 10) },
        ]),
        d: frame('f3', [{ objectId: 7, mask: square(0, 50, 20) }, { objectId: 8 }]), // 8 is lost: keeps membership
      });
      const u = (frameId: string, events: ZoneUpdate['events'], inside: (string | number)[]): ZoneUpdate => ({
        frameId,
        timestamp: undefined,
        events,
        counts: { door: inside.length },
        inside: { door: inside },
      });
      expectObservable(src.pipe(zoneEvents([door]))).toBe('abcd|', {
        a: u('f0', [], []),
        b: u('f1', [{ type: 'enter', zoneId: 'door', objectId: 7, frameId: 'f1', timestamp: undefined }], [7]),
        c: u('f2', [{ type: 'enter', zoneId: 'door', objectId: 8, frameId: 'f2', timestamp: undefined }], [7, 8]),
        d: u('f3', [{ type: 'leave', zoneId: 'door', objectId: 7, frameId: 'f3', timestamp: undefined }], [8]),
      });
    });
  });

  it('by overlap needs that fraction of the mask inside; leaveWhenLost makes lost objects leave', () => {
    const ts = new TestScheduler((a, e) => expect(a).toEqual(e));
    ts.run(({ cold, expectObservable }) => {
      const src = cold<ZoneInput>('ab|', {
        a: frame('f0', [{ objectId: 1, mask: square(40, 0, 20) }]), // exactly half inside
        b: frame('f1', [{ objectId: 1 }]),
      });
      const op = zoneEvents([door], { by: { overlap: 0.5 }, leaveWhenLost: true, eventsOnly: true });
      expectObservable(src.pipe(op)).toBe('ab|', {
        a: {
          frameId: 'f0',
          timestamp: undefined,
          events: [{ type: 'enter', zoneId: 'door', objectId: 1, frameId: 'f0', timestamp: undefined }],
          counts: { door: 1 },
          inside: { door: [1] },
        },
        b: {
          frameId: 'f1',
          timestamp: undefined,
          events: [{ type: 'leave', zoneId: 'door', objectId: 1, frameId: 'f1', timestamp: undefined }],
          counts: { door: 0 },
          inside: { door: [] },
        },
      });
    });
  });

  it('passes source errors through and rejects bad zones', () => {
    const ts = new TestScheduler((a, e) => expect(a).toEqual(e));
    ts.run(({ cold, expectObservable }) => {
      expectObservable(cold<ZoneInput>('#', undefined, new Error('x')).pipe(zoneEvents([door]))).toBe('#', undefined, new Error('x'));
    });
    expect(() =>
      zoneEvents([
        {
          id: 'z',
          polygon: [
            [0, 0],
            [1, 1],
          ],
        },
      ]),
    ).toThrow(/at least 3/);
    expect(() => zoneEvents([door, door])).toThrow(/unique/);
  });
});
