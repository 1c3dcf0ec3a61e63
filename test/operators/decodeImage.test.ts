import { describe, expect, it } from 'vitest';
import { from, lastValueFrom, toArray } from 'rxjs';
import sharp from 'sharp';
import { decodeImage } from '../../core/operators/decodeImage';
import type { SkippedItem } from '../../core/stream/SkippedItem';
import type { ImageInput } from '../../core/types';

async function png(w: number, h: number, rgb: [number, number, number]): Promise<Buffer> {
  return sharp({ create: { width: w, height: h, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } })
    .png()
    .toBuffer();
}

describe('operators.decodeImage', () => {
  it('decodes bytes and raw frames into RGB frames in order', async () => {
    const inputs: ImageInput[] = [await png(4, 3, [255, 0, 0]), { data: new Uint8Array(2 * 2).fill(7), width: 2, height: 2, channels: 1, id: 'gray' }];
    const frames = await lastValueFrom(from(inputs).pipe(decodeImage(), toArray()));
    expect(frames.map((f) => [f.width, f.height])).toEqual([
      [4, 3],
      [2, 2],
    ]);
    expect(Array.from(frames[0].rgb.slice(0, 3))).toEqual([255, 0, 0]);
    expect(frames[1].id).toBe('gray');
    expect(Array.from(frames[1].rgb.slice(0, 3))).toEqual([7, 7, 7]);
  });

  it('errors on undecodable bytes by default; skips and reports with onError skip', async () => {
    const garbage = Buffer.from('definitely not an image');
    await expect(lastValueFrom(from([garbage]).pipe(decodeImage()))).rejects.toMatchObject({ code: 'BAD_IMAGE' });
    const skipped: SkippedItem[] = [];
    const frames = await lastValueFrom(
      from<ImageInput[]>(['/nonexistent/x.png', await png(2, 2, [0, 0, 255])]).pipe(decodeImage({ onError: 'skip', errors: (s) => skipped.push(s) }), toArray()),
    );
    expect(frames).toHaveLength(1);
    expect(skipped[0].message).toContain("skipped frame '/nonexistent/x.png'");
  });
});
