/**
 * The example flows' layout leaves room for status texts: nodes in one row are at least 220 px apart
 * (centre to centre), enough for a status of NodeStatus's 40 characters; and every node that shows a
 * status goes through the one rate-limited helper (nodes/lib/NodeStatus.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const repoRoot = path.resolve(__dirname, '../..');
const examples = fs.readdirSync(path.join(repoRoot, 'examples')).filter((f) => f.endsWith('.json'));

interface FlowNode {
  readonly id: string;
  readonly type: string;
  readonly x?: number;
  readonly y?: number;
  readonly tostatus?: boolean;
}

/** Nodes that show a status under themselves: samflow nodes and debug nodes with "show in status". */
const showsStatus = (n: FlowNode): boolean => n.type.startsWith('sam-') || (n.type === 'debug' && n.tostatus === true);

describe('example layouts', () => {
  for (const file of examples) {
    it(`${file}: nodes in a row are 250 px apart, so status texts do not run under the next node`, () => {
      const nodes = (JSON.parse(fs.readFileSync(path.join(repoRoot, 'examples', file), 'utf8')) as FlowNode[]).filter(
        (n) => typeof n.x === 'number' && typeof n.y === 'number' && n.type !== 'comment',
      );
      const tooClose: string[] = [];
      for (const a of nodes.filter(showsStatus)) {
        for (const b of nodes) {
          if (a === b || Math.abs(a.y! - b.y!) >= 40) continue; // another row
          if (b.x! > a.x! && b.x! - a.x! < 250) tooClose.push(`${a.id} (x ${a.x}) → ${b.id} (x ${b.x})`);
          if (b.x! === a.x!) tooClose.push(`${a.id} and ${b.id} at the same place`);
        }
      }
      expect(tooClose).toEqual([]);
    });
  }

  it('every node file that sets a status attaches the rate-limited NodeStatus before anything can set one', () => {
    const dir = path.join(repoRoot, 'nodes');
    const missing: string[] = [];
    for (const node of fs.readdirSync(dir).filter((d) => d.startsWith('sam-'))) {
      const file = path.join(dir, node, `${node}.ts`);
      const src = fs.readFileSync(file, 'utf8');
      const firstStatus = [src.indexOf('node.status('), src.indexOf('attachModel('), src.indexOf('attachCluster(')].filter((i) => i >= 0);
      if (firstStatus.length === 0) continue; // config nodes without a status
      const attach = src.indexOf('NodeStatus.attach(RED, node)');
      if (attach < 0 || attach > Math.min(...firstStatus)) missing.push(node);
    }
    expect(missing).toEqual([]);
  });
});
