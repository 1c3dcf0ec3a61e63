import { Observable, type OperatorFunction } from 'rxjs';
import { SamflowError } from '../errors';
import type { BinaryMask } from '../types';

/** A named polygon zone in original-image pixels (at least 3 vertices, any winding). */
export interface Zone {
  readonly id: string;
  readonly polygon: readonly (readonly [number, number])[];
}

/** An object entering or leaving a zone. */
export interface ZoneEvent {
  readonly type: 'enter' | 'leave';
  readonly zoneId: string;
  readonly objectId: string | number;
  readonly frameId: string;
  readonly timestamp?: number;
}

/** What `zoneEvents` emits per frame: the events of that frame and who is where now. */
export interface ZoneUpdate {
  readonly frameId: string;
  readonly timestamp?: number;
  readonly events: readonly ZoneEvent[];
  /** Number of objects inside each zone after this frame. */
  readonly counts: Readonly<Record<string, number>>;
  /** Object ids inside each zone after this frame. */
  readonly inside: Readonly<Record<string, readonly (string | number)[]>>;
}

/** The minimum a frame must carry: TrackedFrame fits. */
export interface ZoneInput {
  readonly frame: { readonly id: string; readonly timestamp?: number };
  readonly objects: readonly { readonly objectId: string | number; readonly mask?: BinaryMask }[];
}

export interface ZoneEventsOptions {
  /**
   * How an object counts as inside: `'centroid'` (default; the mask's centre of mass lies in the
   * polygon — one point per object, robust to a limb crossing the line) or `{ overlap: f }` (at
   * least fraction f of the mask's pixels lie in the polygon).
   */
  readonly by?: 'centroid' | { readonly overlap: number };
  /** An object without a mask (lost, or absent from a frame) leaves its zones: true; keeps its last membership: false (default). */
  readonly leaveWhenLost?: boolean;
  /** Emit only frames that have events. Default false (every frame, with counts). */
  readonly eventsOnly?: boolean;
}

/** Ray casting point-in-polygon (pixel centres). */
export function pointInPolygon(x: number, y: number, polygon: Zone['polygon']): boolean {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i];
    const [xj, yj] = polygon[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function centroid(mask: BinaryMask): [number, number] | undefined {
  let sx = 0;
  let sy = 0;
  let n = 0;
  for (let y = 0; y < mask.height; y++) {
    const row = y * mask.width;
    for (let x = 0; x < mask.width; x++) {
      if (mask.data[row + x]) {
        sx += x + 0.5;
        sy += y + 0.5;
        n++;
      }
    }
  }
  return n ? [sx / n, sy / n] : undefined;
}

function overlapFraction(mask: BinaryMask, polygon: Zone['polygon']): number {
  let inZone = 0;
  let n = 0;
  const ys = polygon.map((p) => p[1]);
  const xs = polygon.map((p) => p[0]);
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  for (let y = 0; y < mask.height; y++) {
    const row = y * mask.width;
    for (let x = 0; x < mask.width; x++) {
      if (!mask.data[row + x]) continue;
      n++;
      const px = x + 0.5;
      const py = y + 0.5;
      if (px >= minX && px <= maxX && py >= minY && py <= maxY && pointInPolygon(px, py, polygon)) inZone++;
    }
  }
  return n ? inZone / n : 0;
}

/**
 * Turns tracked masks into zone automation values: 'enter'/'leave' events per object and zone,
 * and the number of objects inside each zone, per frame.
 *
 * Like a doorman with a clicker per room: one click in, one click out, and a count on the board.
 *
 * ```
 * tracked: --t0---------t1---------t2---------|      (object 7 walks into zone 'door', then out)
 * output:  --{counts:{door:0}}--{events:[enter 7 door], counts:{door:1}}--{events:[leave 7 door], counts:{door:0}}--|
 * ```
 *
 * ## Example
 * ```ts
 * import { operators, trackMasks, zoneEvents } from 'samflow';
 * embedded$.pipe(
 *   trackMasks(model, { objects: [{ id: 'car', box: [10, 10, 200, 150] }] }),
 *   zoneEvents([{ id: 'driveway', polygon: [[0, 300], [640, 300], [640, 480], [0, 480]] }]),
 * ).subscribe(({ events, counts }) => events.forEach((e) => console.log(e.type, e.objectId, e.zoneId, counts)));
 * ```
 *
 * @param zones Polygons in original pixels, with unique ids.
 * @param options `by` ('centroid' default | `{ overlap: f }`), `leaveWhenLost`, `eventsOnly`.
 * @returns An operator from tracked frames (anything shaped like TrackedFrame) to ZoneUpdate.
 *
 * Backpressure, errors and teardown: synchronous and cheap (one pass over each mask); nothing
 * queues. Bad zones throw SamflowError BAD_OPTION at call time. Membership state is per
 * subscription and dropped on unsubscribe; a completed stream emits no final 'leave' events.
 */
export function zoneEvents(zones: readonly Zone[], options: ZoneEventsOptions = {}): OperatorFunction<ZoneInput, ZoneUpdate> {
  const seen = new Set<string>();
  for (const z of zones) {
    if (!z || typeof z.id !== 'string' || seen.has(z.id)) {
      throw new SamflowError('BAD_OPTION', `zoneEvents: every zone needs a unique string id, got ${JSON.stringify(z?.id)}`);
    }
    seen.add(z.id);
    if (!Array.isArray(z.polygon) || z.polygon.length < 3 || !z.polygon.every((p) => Array.isArray(p) && p.length === 2 && p.every(Number.isFinite))) {
      throw new SamflowError('BAD_OPTION', `zoneEvents: zone '${z.id}' needs a polygon of at least 3 [x, y] points in image pixels`);
    }
  }
  const by = options.by ?? 'centroid';
  if (by !== 'centroid' && !(typeof by === 'object' && by.overlap > 0 && by.overlap <= 1)) {
    throw new SamflowError('BAD_OPTION', `zoneEvents: option by must be 'centroid' or { overlap: f } with 0 < f ≤ 1, got ${JSON.stringify(by)}`);
  }
  const isInside = (mask: BinaryMask, zone: Zone, c: [number, number] | undefined): boolean =>
    by === 'centroid' ? !!c && pointInPolygon(c[0], c[1], zone.polygon) : overlapFraction(mask, zone.polygon) >= by.overlap;

  return (source) =>
    new Observable<ZoneUpdate>((subscriber) => {
      const members = new Map<string, Set<string | number>>(zones.map((z) => [z.id, new Set()]));
      return source.subscribe({
        next: (input) => {
          const { id: frameId, timestamp } = input.frame;
          const events: ZoneEvent[] = [];
          const present = new Set<string | number>();
          for (const o of input.objects) {
            if (!o.mask) continue;
            present.add(o.objectId);
            const c = by === 'centroid' ? centroid(o.mask) : undefined;
            for (const z of zones) {
              const set = members.get(z.id)!;
              const now = isInside(o.mask, z, c);
              if (now && !set.has(o.objectId)) {
                set.add(o.objectId);
                events.push({ type: 'enter', zoneId: z.id, objectId: o.objectId, frameId, timestamp });
              } else if (!now && set.has(o.objectId)) {
                set.delete(o.objectId);
                events.push({ type: 'leave', zoneId: z.id, objectId: o.objectId, frameId, timestamp });
              }
            }
          }
          if (options.leaveWhenLost) {
            for (const z of zones) {
              const set = members.get(z.id)!;
              for (const id of [...set]) {
                if (!present.has(id)) {
                  set.delete(id);
                  events.push({ type: 'leave', zoneId: z.id, objectId: id, frameId, timestamp });
                }
              }
            }
          }
          if (options.eventsOnly && events.length === 0) return;
          const counts: Record<string, number> = {};
          const inside: Record<string, (string | number)[]> = {};
          for (const z of zones) {
            const set = members.get(z.id)!;
            counts[z.id] = set.size;
            inside[z.id] = [...set];
          }
          subscriber.next({ frameId, timestamp, events, counts, inside });
        },
        error: (e: unknown) => subscriber.error(e),
        complete: () => subscriber.complete(),
      });
    });
}
