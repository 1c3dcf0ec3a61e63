import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { renderScene, type Shape } from '../support/syntheticScene';

export const SCENE_WIDTH = 480;
export const SCENE_HEIGHT = 360;

/** The shapes drawn into each synthetic image, by file name. */
export const SCENES: Readonly<Record<string, readonly Shape[]>> = {
  '01-shapes.png': [
    { kind: 'circle', cx: 140, cy: 190, r: 75, color: '#d62828' },
    { kind: 'rect', x: 280, y: 70, w: 140, h: 200, color: '#1d4ed8' },
  ],
  '02-pair.png': [
    { kind: 'rect', x: 60, y: 90, w: 150, h: 170, color: '#2a9d8f' },
    { kind: 'circle', cx: 340, cy: 180, r: 85, color: '#e9c46a' },
  ],
};

/** A temp folder with the synthetic scenes plus one unreadable "image" (text bytes named .png). */
export async function makeSceneFolder(prefix = 'samflow-annotate-'): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  for (const [name, shapes] of Object.entries(SCENES)) {
    writeFileSync(path.join(dir, name), await renderScene(SCENE_WIDTH, SCENE_HEIGHT, shapes));
  }
  writeFileSync(path.join(dir, '03-broken.png'), 'this is not a png');
  return dir;
}

/** Debian chromium, or undefined when absent (tests skip unless CI is set). */
export const chromiumPath: string | undefined = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
