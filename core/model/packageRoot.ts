import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

let root: string | undefined;

/** The samflow package folder (holds package.json and models/), from source or from dist/. */
export function packageRoot(): string {
  if (root) return root;
  let dir = __dirname;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg)) {
      const { name } = JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string };
      if (name === 'samflow') return (root = dir);
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`samflow: cannot find the package root above ${__dirname}`);
    dir = up;
  }
}
