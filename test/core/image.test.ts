import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../core/image/decodeImage';
import { normalizeAndPad, preprocessImage } from '../../core/image/preprocessImage';
import { SamTransform } from '../../core/geometry/SamTransform';
import { SamflowError } from '../../core/errors';

const tmp = mkdtempSync(path.join(tmpdir(), 'samflow-image-'));

/** 4x2 image: left half red, right half blue. */
async function redBlue(): Promise<sharp.Sharp> {
  const rgb = Buffer.alloc(4 * 2 * 3);
  for (let y = 0; y < 2; y++) for (let x = 0; x < 4; x++) rgb.set(x < 2 ? [255, 0, 0] : [0, 0, 255], (y * 4 + x) * 3);
  return sharp(rgb, { raw: { width: 4, height: 2, channels: 3 } });
}

async function expectError(p: Promise<unknown>, code: string, text: RegExp): Promise<void> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(SamflowError);
  expect((e as SamflowError).code).toBe(code);
  expect((e as SamflowError).message).toMatch(text);
}

describe('decodeImage', () => {
  it.each(['png', 'webp', 'tiff', 'gif'] as const)('decodes %s to RGB with the right size and colours', async (fmt) => {
    const img = await redBlue();
    const opts = fmt === 'webp' ? { lossless: true } : fmt === 'tiff' ? { compression: 'lzw' } : {};
    const buf = await img.toFormat(fmt, opts).toBuffer();
    const f = await decodeImage(buf);
    expect([f.width, f.height]).toEqual([4, 2]);
    expect(f.rgb.length).toBe(4 * 2 * 3);
    // GIF is palette-quantized: allow a few levels
    const near = (got: Uint8Array, want: number[]): void => want.forEach((v, i) => expect(Math.abs(got[i] - v)).toBeLessThanOrEqual(6));
    near(f.rgb.subarray(0, 3), [255, 0, 0]);
    near(f.rgb.subarray(9, 12), [0, 0, 255]);
  });

  it('decodes JPEG files from a path and uses the path as frame id', async () => {
    const file = path.join(tmp, 'a.jpg');
    writeFileSync(
      file,
      await sharp({ create: { width: 40, height: 30, channels: 3, background: '#00ff00' } })
        .jpeg()
        .toBuffer(),
    );
    const f = await decodeImage(file);
    expect([f.width, f.height, f.id]).toEqual([40, 30, file]);
    expect(f.rgb[1]).toBeGreaterThan(240);
  });

  it('applies EXIF orientation (6 = rotate 90° clockwise)', async () => {
    const buf = await (await redBlue()).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const f = await decodeImage(buf);
    expect([f.width, f.height]).toEqual([2, 4]);
    // after a clockwise turn the red (left) half is on top
    expect(f.rgb[0]).toBeGreaterThan(200);
    expect(f.rgb[2]).toBeLessThan(60);
    expect(f.rgb[(3 * 2 + 1) * 3 + 2]).toBeGreaterThan(200);
  });

  it('takes the first frame of an animated GIF', async () => {
    const frames = Buffer.concat([Buffer.alloc(4 * 4 * 4, 255), Buffer.alloc(4 * 4 * 4, 0)]);
    for (let i = 0; i < 16; i++) frames.set([255, 0, 0, 255], i * 4); // frame 1: red
    for (let i = 16; i < 32; i++) frames.set([0, 0, 255, 255], i * 4); // frame 2: blue
    const gif = await sharp(frames, { raw: { width: 4, height: 8, channels: 4, pageHeight: 4 } })
      .gif()
      .toBuffer();
    const f = await decodeImage(gif);
    expect([f.width, f.height]).toEqual([4, 4]);
    expect(Array.from(f.rgb.subarray(0, 3))).toEqual([255, 0, 0]);
  });

  it('drops alpha and expands grayscale', async () => {
    const rgba = await sharp({ create: { width: 3, height: 3, channels: 4, background: { r: 10, g: 20, b: 30, alpha: 0.5 } } })
      .png()
      .toBuffer();
    const a = await decodeImage(rgba);
    expect(a.rgb.length).toBe(27);
    expect(Array.from(a.rgb.subarray(0, 3))).toEqual([10, 20, 30]);
    const gray = await sharp(Buffer.alloc(9, 77), { raw: { width: 3, height: 3, channels: 1 } })
      .toColourspace('b-w')
      .png()
      .toBuffer();
    const g = await decodeImage(gray);
    expect(Array.from(g.rgb.subarray(0, 3))).toEqual([77, 77, 77]);
  });

  it('accepts raw frames (1, 3, 4 channels) and checks their size', async () => {
    const f = await decodeImage({ data: new Uint8Array([1, 2, 3, 255, 4, 5, 6, 255]), width: 2, height: 1, channels: 4, id: 'cam:1' });
    expect(Array.from(f.rgb)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(f.id).toBe('cam:1');
    const g = await decodeImage({ data: new Uint8Array([9, 8]), width: 2, height: 1, channels: 1 });
    expect(Array.from(g.rgb)).toEqual([9, 9, 9, 8, 8, 8]);
    await expectError(decodeImage({ data: new Uint8Array(5), width: 2, height: 1, channels: 3 }), 'BAD_IMAGE', /expected 6 bytes/);
  });

  it('refuses empty, truncated and non-image input with the source named', async () => {
    await expectError(decodeImage(Buffer.alloc(0)), 'BAD_IMAGE', /empty/);
    const empty = path.join(tmp, 'empty.png');
    writeFileSync(empty, '');
    await expectError(decodeImage(empty), 'BAD_IMAGE', new RegExp(`${empty}.*empty`));
    const text = path.join(tmp, 'notes.jpg');
    writeFileSync(text, 'hello, I am not a picture');
    await expectError(decodeImage(text), 'BAD_IMAGE', new RegExp(`${text}: not a readable image`));
    const jpeg = await sharp({ create: { width: 64, height: 64, channels: 3, background: 'red' } })
      .jpeg()
      .toBuffer();
    const cut = path.join(tmp, 'cut.jpg');
    writeFileSync(cut, jpeg.subarray(0, jpeg.length >> 1));
    await expectError(decodeImage(cut), 'BAD_IMAGE', new RegExp(`${cut}: .*(truncated|corrupt)`));
    await expectError(decodeImage(path.join(tmp, 'missing.png')), 'BAD_IMAGE', /file not found/);
  });

  it('refuses images above the pixel limit from the header, before decoding', async () => {
    const big = await sharp({ create: { width: 300, height: 200, channels: 3, background: 'red' } })
      .png()
      .toBuffer();
    await expectError(decodeImage(big, { maxPixels: 50_000 }), 'IMAGE_TOO_LARGE', /300x200.*above the limit/);
    await expect(decodeImage(big, { maxPixels: 60_000 })).resolves.toMatchObject({ width: 300 });
  });
});

describe('SamTransform', () => {
  it('resizes the long side to 1024 with floor(side * scale + 0.5)', () => {
    const t = new SamTransform(600, 400);
    // 400 * 1024/600 = 682.67 → 683
    expect([t.resizedWidth, t.resizedHeight]).toEqual([1024, 683]);
    const u = new SamTransform(481, 321);
    // 321 * 1024/481 = 683.38 → 683
    expect([u.resizedWidth, u.resizedHeight]).toEqual([1024, 683]);
    const v = new SamTransform(300, 1000);
    // 300 * 1.024 = 307.2 → 307
    expect([v.resizedWidth, v.resizedHeight]).toEqual([307, 1024]);
  });

  it('maps points and boxes both ways', () => {
    const t = new SamTransform(600, 400);
    expect(t.applyPoint({ x: 300, y: 200, label: 1 })).toEqual({ x: 512, y: 200 * (683 / 400), label: 1 });
    const b = t.invertBox(t.applyBox([10, 20, 300, 399]));
    b.forEach((v, i) => expect(v).toBeCloseTo([10, 20, 300, 399][i], 9));
    expect(t.lowResValid).toEqual([256, Math.ceil(683 / 4)]);
  });
});

describe('preprocessImage', () => {
  it('normalizes with ImageNet mean/std on 0–255 and pads right/bottom with zeros', async () => {
    const rgb = new Uint8Array([255, 0, 128, 0, 255, 64]);
    const out = normalizeAndPad(rgb, 2, 1, 4, [123.675, 116.28, 103.53], [58.395, 57.12, 57.375]);
    expect(out.length).toBe(3 * 16);
    expect(out[0]).toBeCloseTo((255 - 123.675) / 58.395, 5); // R of pixel (0,0)
    expect(out[16 + 1]).toBeCloseTo((255 - 116.28) / 57.12, 5); // G of pixel (1,0)
    expect(out[32]).toBeCloseTo((128 - 103.53) / 57.375, 5); // B of pixel (0,0)
    expect(out[2]).toBe(0); // padding column
    expect(out[4]).toBe(0); // padding row
  });

  it('produces a float32[1,3,1024,1024] tensor with the image in the top-left', async () => {
    const frame = await decodeImage({ data: new Uint8Array(600 * 400 * 3).fill(200), width: 600, height: 400, channels: 3 });
    const { input, transform } = await preprocessImage(frame, { inputSize: 1024, pixelMean: [0, 0, 0], pixelStd: [1, 1, 1] });
    expect(input.length).toBe(3 * 1024 * 1024);
    expect(transform.resizedHeight).toBe(683);
    expect(input[682 * 1024 + 1023]).toBeCloseTo(200, 3);
    expect(input[683 * 1024]).toBe(0);
  });
});
