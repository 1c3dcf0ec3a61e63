import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';

const memo = new Map<string, string>();

/** SHA-256 of a file (streamed), remembered per path+size+mtime for the life of the process. */
export async function fileSha256(file: string): Promise<string> {
  const st = statSync(file);
  const key = `${file}:${st.size}:${st.mtimeMs}`;
  const hit = memo.get(key);
  if (hit) return hit;
  const hash = createHash('sha256');
  await new Promise<void>((resolve, reject) => {
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', resolve)
      .on('error', reject);
  });
  const hex = hash.digest('hex');
  memo.set(key, hex);
  return hex;
}
