import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { OVERLAY_PALETTE, overlayColor, renderOverlay, renderOverlayRgb } from '../../core/render';
import type { BinaryMask, Frame } from '../../core/types';

const W = 60;
const H = 40;

/** A frame with a gradient so "unchanged" is checked against varied pixel values. */
function gradientFrame(): Frame {
  const rgb = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const j = (y * W + x) * 3;
      rgb[j] = (x * 4) % 256;
      rgb[j + 1] = (y * 6) % 256;
      rgb[j + 2] = 100;
    }
  return { id: 'gradient', width: W, height: H, rgb };
}

function rectMask(x0: number, y0: number, x1: number, y1: number): BinaryMask {
  const data = new Uint8Array(W * H);
  for (let y = y0; y < y1; y++) data.fill(1, y * W + x0, y * W + x1);
  return { width: W, height: H, data };
}

const px = (rgb: Uint8Array, x: number, y: number): number[] => Array.from(rgb.subarray((y * W + x) * 3, (y * W + x) * 3 + 3));

describe('renderOverlay', () => {
  const frame = gradientFrame();
  const mask = rectMask(10, 5, 30, 25);

  it('blends the mask colour into inside pixels and leaves outside pixels unchanged (decoded PNG)', async () => {
    const png = await renderOverlay(frame, [mask], { colors: [[255, 0, 0]], alpha: 0.5, outline: false });
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([W, H, 3]);
    // inside (20, 10): original (80, 60, 100) → round(0.5 * v + 0.5 * c) = (167.5→168, 30, 50)
    expect(px(data, 20, 10)).toEqual([168, 30, 50]);
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        if (mask.data[y * W + x]) continue;
        expect(px(data, x, y)).toEqual(px(frame.rgb, x, y));
      }
    // the frame itself was not modified
    expect(px(frame.rgb, 20, 10)).toEqual([80, 60, 100]);
  });

  it('draws outlines only on inside pixels, in the opaque mask colour', () => {
    const rgb = renderOverlayRgb(frame, [mask], { colors: [[0, 0, 255]], outlineWidth: 2 });
    expect(px(rgb, 10, 15)).toEqual([0, 0, 255]); // left border column
    expect(px(rgb, 11, 15)).toEqual([0, 0, 255]); // second outline column (width 2)
    expect(px(rgb, 12, 15)).not.toEqual([0, 0, 255]); // interior: blended, not opaque
    expect(px(rgb, 9, 15)).toEqual(px(frame.rgb, 9, 15)); // outside untouched
  });

  it('draws green and red click markers in a white ring', () => {
    const rgb = renderOverlayRgb(frame, [], {
      points: [
        { x: 45.7, y: 30.2, label: 1 },
        { x: 5, y: 5, label: 0 },
      ],
      markerRadius: 3,
    });
    expect(px(rgb, 45, 30)).toEqual([0, 255, 0]);
    expect(px(rgb, 45 + 4, 30)).toEqual([255, 255, 255]); // ring: radius 3 + ring width 1
    expect(px(rgb, 45 + 6, 30)).toEqual(px(frame.rgb, 51, 30));
    expect(px(rgb, 5, 5)).toEqual([255, 0, 0]);
  });

  it('outlines boxes in the box colour', () => {
    const rgb = renderOverlayRgb(frame, [], { boxes: [[20, 10, 40, 30]], boxColor: [255, 255, 0], boxWidth: 2 });
    expect(px(rgb, 30, 10)).toEqual([255, 255, 0]); // top edge
    expect(px(rgb, 39, 20)).toEqual([255, 255, 0]); // right edge (x1 exclusive)
    expect(px(rgb, 30, 20)).toEqual(px(frame.rgb, 30, 20)); // box interior untouched
  });

  it('encodes JPEG at the input size when asked', async () => {
    const jpg = await renderOverlay(frame, [mask], { format: 'jpeg' });
    const meta = await sharp(jpg).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', W, H]);
  });

  it('gives different masks different, deterministic colours', () => {
    const cols = Array.from({ length: 40 }, (_, i) => overlayColor(i).join(','));
    expect(new Set(cols).size).toBe(40);
    expect(overlayColor(3)).toEqual(OVERLAY_PALETTE[3]);
    expect(overlayColor(25)).toEqual(overlayColor(25));
  });

  it('draws the first mask in a colour that stands out on blue (sky, water): far from pure and tab blue', () => {
    const [r, g, b] = overlayColor(0);
    for (const blue of [
      [0, 0, 255],
      [31, 119, 180],
      [70, 130, 200],
    ]) {
      const distance = Math.hypot(r - blue[0], g - blue[1], b - blue[2]);
      expect(distance, `overlayColor(0) = ${[r, g, b].join(',')} vs blue ${blue.join(',')}`).toBeGreaterThan(150);
    }
  });

  it('draws a caption band with light text across the top, leaving the rest of the image as without it', async () => {
    const big: Frame = { id: 'grey', width: 320, height: 240, rgb: new Uint8Array(320 * 240 * 3).fill(120) };
    const plain = await sharp(await renderOverlay(big, []))
      .raw()
      .toBuffer({ resolveWithObject: true });
    const captioned = await sharp(await renderOverlay(big, [], { caption: 'no cat found' }))
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect([captioned.info.width, captioned.info.height]).toEqual([320, 240]);
    const ch = captioned.info.channels;
    let dark = 0;
    let light = 0;
    for (let y = 0; y < 24; y++)
      for (let x = 0; x < 320; x++) {
        const v = captioned.data[(y * 320 + x) * ch];
        if (v < 60) dark++;
        if (v > 200) light++;
      }
    expect(dark, 'dark band pixels').toBeGreaterThan(320 * 24 * 0.5);
    expect(light, 'text pixels').toBeGreaterThan(50);
    for (let y = 30; y < 240; y += 7) for (let x = 0; x < 320; x += 11) expect(captioned.data[(y * 320 + x) * ch]).toBe(plain.data[(y * 320 + x) * plain.info.channels]);
  });

  it('refuses masks of another size and bad options, naming them', () => {
    const small: BinaryMask = { width: 10, height: 10, data: new Uint8Array(100) };
    expect(() => renderOverlayRgb(frame, [mask, small])).toThrow(/masks\[1\] is 10x10 but the frame is 60x40/);
    expect(() => renderOverlayRgb(frame, [], { alpha: 2 })).toThrow(/alpha/);
    expect(() => renderOverlayRgb(frame, [], { points: [{ x: NaN, y: 1, label: 1 }] })).toThrow(/points\[0\]/);
  });
});
