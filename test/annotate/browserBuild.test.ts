/**
 * The core's browser build (tsconfig.browser.json → dist/browser, loaded by the annotation page as
 * ES modules with no bundler): only browser-safe modules (no require, no Node or package imports,
 * no Node globals), every relative import resolves to a file of the build, every module the page
 * imports exists, and the build computes exactly what the CommonJS core computes.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SamTransform } from '../../core/geometry/SamTransform';
import { compressRle, maskToRle, rleToMask } from '../../core/masks';
import { encodePrompts } from '../../core/prompts/encodePrompts';
import type { BinaryMask, CompressedRle, DecoderFeeds, SamPrompt } from '../../core/types';

const repoRoot = path.resolve(__dirname, '..', '..');
const browserDir = path.join(repoRoot, 'dist', 'browser');
const staticDir = path.join(repoRoot, 'core', 'annotate', 'static');

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? jsFiles(path.join(dir, e.name)) : e.name.endsWith('.js') ? [path.join(dir, e.name)] : []));
}
/** Every module specifier of a file: static imports/exports and dynamic import(). */
function specifiers(source: string): string[] {
  const found: string[] = [];
  for (const m of source.matchAll(/\b(?:from|import)\s*\(?\s*(['"])([^'"]+)\1/g)) found.push(m[2]);
  return found;
}

describe('browser build of the core (dist/browser)', () => {
  if (!existsSync(browserDir)) throw new Error(`${browserDir} is missing: run \`npm run build\` first`);
  const files = jsFiles(browserDir);

  it('holds the transform, prompt encoding and RLE decoding the page imports', () => {
    const rel = files.map((f) => path.relative(browserDir, f).split(path.sep).join('/'));
    expect(rel).toEqual(expect.arrayContaining(['core/geometry/SamTransform.js', 'core/prompts/encodePrompts.js', 'core/masks/rleToMask.js', 'core/masks/decompressRle.js']));
  });

  it('contains only browser-safe modules: no require, no Node or package imports, no Node globals', () => {
    for (const f of files) {
      const src = readFileSync(f, 'utf8');
      const name = path.relative(browserDir, f);
      expect(src, name).not.toMatch(/\brequire\s*\(/);
      expect(src, name).not.toMatch(/\b(module\.exports|exports\.|__dirname|__filename)\b/);
      // Buffer and process do not exist in a page (limits.ts takes node:util only through globalThis.process?.)
      expect(src.replace(/globalThis\.process\?\./g, ''), name).not.toMatch(/\b(Buffer|process)\s*[.(]/);
      for (const spec of specifiers(src)) {
        expect(spec, `${name} imports ${spec}`).toMatch(/^\.\.?\/.*\.js$/);
        expect(existsSync(path.resolve(path.dirname(f), spec)), `${name} imports ${spec}`).toBe(true);
      }
    }
  });

  it("every module the page imports is one of the page's files or of the browser build", () => {
    for (const f of jsFiles(staticDir)) {
      for (const spec of specifiers(readFileSync(f, 'utf8'))) {
        expect(spec, `${path.basename(f)} imports ${spec}`).toMatch(/^\.\/.*\.js$/);
        const target = spec.startsWith('./core/') ? path.join(browserDir, spec) : path.join(staticDir, spec);
        expect(existsSync(target), `${path.basename(f)} imports ${spec}`).toBe(true);
      }
    }
  });

  it('computes exactly what the CommonJS core computes (prompt feeds, RLE → mask)', async () => {
    const url = (rel: string): string => pathToFileURL(path.join(browserDir, rel)).href;
    const web = {
      ...((await import(url('core/geometry/SamTransform.js'))) as { SamTransform: typeof SamTransform }),
      ...((await import(url('core/prompts/encodePrompts.js'))) as { encodePrompts: typeof encodePrompts }),
      ...((await import(url('core/masks/rleToMask.js'))) as { rleToMask: (rle: CompressedRle) => BinaryMask }),
    };
    const prompts: SamPrompt[] = [
      { points: [{ x: 140.3, y: 190.1, label: 1 }] },
      { points: [{ x: 10, y: 20, label: 0 }], box: [5, 6, 300.5, 200] },
      { points: [], box: [0, 0, 333, 360], maskInput: new Float32Array(256 * 256).fill(0.5) },
    ];
    for (const [w, h] of [
      [480, 360],
      [333, 1000],
    ]) {
      for (const prompt of prompts) {
        const a: DecoderFeeds = encodePrompts(prompt, new SamTransform(w, h));
        const b: DecoderFeeds = web.encodePrompts(prompt, new web.SamTransform(w, h));
        expect(b.numPoints).toBe(a.numPoints);
        for (const k of ['pointCoords', 'pointLabels', 'maskInput', 'hasMaskInput', 'origImSize'] as const) expect(Array.from(b[k]), k).toEqual(Array.from(a[k]));
      }
    }
    const data = new Uint8Array(37 * 23).map((_, i) => ((i * 7919) % 5 < 2 ? 1 : 0)); // uint8[23,37]
    const rle = compressRle(maskToRle({ width: 37, height: 23, data }));
    expect(Array.from(web.rleToMask(rle).data)).toEqual(Array.from(rleToMask(rle).data));
    expect(() => web.encodePrompts({ points: [{ x: 900, y: 1, label: 1 }] }, new web.SamTransform(480, 360))).toThrow(/outside the 480x360 image/);
  });
});
