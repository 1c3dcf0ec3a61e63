import { promises as fsp } from 'node:fs';
import { multimaskSamDecoder } from '../model/multimaskSamDecoder';
import type { ModelSpec } from '../model/SamModel';

/**
 * The decoder the page runs in its in-browser mode. When the server's model exposes SAM's 4 masks
 * from a single-mask export (`spec.decoder.multimask` after load: loadSamModel rewrote the same file
 * with multimaskSamDecoder and checked it on probe prompts), the page gets that same rewrite, so a
 * lone click offers the same 3 masks in both modes. Otherwise — a decoder file given by path, or a
 * model kept single-mask — the file as it is.
 */
export async function browserDecoderModel(file: string, spec: ModelSpec, isModelsOwnFile: boolean): Promise<Uint8Array> {
  const bytes = new Uint8Array(await fsp.readFile(file));
  if (!spec.decoder.multimask || !isModelsOwnFile) return bytes;
  return multimaskSamDecoder(bytes, spec.decoder.outputs)?.bytes ?? bytes;
}
