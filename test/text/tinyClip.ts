/**
 * Builds a tiny CLIP-format model folder for tests: a CLIP-style BPE tokenizer (known token ids) and
 * text/vision ONNX towers whose embeddings are colours, so rankings can be predicted by hand.
 *
 * Tokens: a=0, red=10, blue=12, cat=13, green=22, <|startoftext|>=20, <|endoftext|>=21 (also the pad).
 * Text tower: int64 input_ids[batch,len] → Gather(table) → ReduceMean over tokens → text_embeds[batch,3],
 *   where table rows are 0 except red=(1,0,0), green=(0,1,0), blue=(0,0,1), cat=(0.5,0.5,0.5).
 * Vision tower: pixel_values[batch,3,S,S] → ReduceMean over H,W → MatMul(identity) → image_embeds[batch,3]:
 *   the mean normalised colour of the masked crop (outside-mask grey normalises to 0).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { encodeOnnxModel, FLOAT, INT64 } from './onnxWriter';

export const TOKEN = { a: 0, red: 10, blue: 12, cat: 13, start: 20, end: 21, green: 22 } as const;

export function writeTinyClip(folder: string, opts: { imageSize?: number; withAttentionMask?: boolean } = {}): void {
  fs.mkdirSync(path.join(folder, 'onnx'), { recursive: true });
  const vocab: Record<string, number> = {
    'a</w>': 0,
    r: 1,
    e: 2,
    d: 3,
    b: 4,
    l: 5,
    u: 6,
    c: 7,
    t: 8,
    re: 9,
    'red</w>': 10,
    bl: 11,
    'blue</w>': 12,
    'cat</w>': 13,
    ca: 14,
    a: 15,
    'd</w>': 16,
    'e</w>': 17,
    't</w>': 18,
    'ue</w>': 19,
    '<|startoftext|>': 20,
    '<|endoftext|>': 21,
    'green</w>': 22,
    g: 23,
    n: 24,
    gr: 25,
    gre: 26,
    gree: 27,
    'n</w>': 28,
  };
  // BPE merges by priority; green's come first so 'r e' does not split it.
  const merges = ['g r', 'gr e', 'gre e', 'gree n</w>', 'r e', 're d</w>', 'b l', 'u e</w>', 'bl ue</w>', 'c a', 'ca t</w>'];
  const special = (id: number, content: string) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: true, special: true });
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(20, '<|startoftext|>'), special(21, '<|endoftext|>')],
    normalizer: { type: 'Sequence', normalizers: [{ type: 'NFC' }, { type: 'Replace', pattern: { Regex: '\\s+' }, content: ' ' }, { type: 'Lowercase' }] },
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        {
          type: 'Split',
          pattern: { Regex: "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+" },
          behavior: 'Removed',
          invert: true,
        },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
      ],
    },
    post_processor: { type: 'RobertaProcessing', sep: ['<|endoftext|>', 21], cls: ['<|startoftext|>', 20], trim_offsets: false, add_prefix_space: false },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: '<|endoftext|>',
      continuing_subword_prefix: '',
      end_of_word_suffix: '</w>',
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges,
    },
  };
  fs.writeFileSync(path.join(folder, 'tokenizer.json'), JSON.stringify(tokenizer));
  fs.writeFileSync(
    path.join(folder, 'tokenizer_config.json'),
    JSON.stringify({
      tokenizer_class: 'CLIPTokenizer',
      bos_token: '<|startoftext|>',
      eos_token: '<|endoftext|>',
      pad_token: '<|endoftext|>',
      unk_token: '<|endoftext|>',
      model_max_length: 77,
    }),
  );
  const size = opts.imageSize ?? 32;
  fs.writeFileSync(
    path.join(folder, 'preprocessor_config.json'),
    JSON.stringify({ crop_size: { height: size, width: size }, image_mean: [0.48145466, 0.4578275, 0.40821073], image_std: [0.26862954, 0.26130258, 0.27577711] }),
  );

  const V = 29;
  const table = new Float32Array(V * 3); // float32[V,3]
  table.set([1, 0, 0], TOKEN.red * 3);
  table.set([0, 1, 0], TOKEN.green * 3);
  table.set([0, 0, 1], TOKEN.blue * 3);
  table.set([0.5, 0.5, 0.5], TOKEN.cat * 3);
  const textInputs = [{ name: 'input_ids', elemType: INT64, dims: ['batch', 'sequence'] as (string | number)[] }];
  if (opts.withAttentionMask) textInputs.push({ name: 'attention_mask', elemType: INT64, dims: ['batch', 'sequence'] });
  fs.writeFileSync(
    path.join(folder, 'onnx', 'text_model.onnx'),
    encodeOnnxModel({
      nodes: [
        { op: 'Gather', inputs: ['table', 'input_ids'], outputs: ['tokens'], int: { axis: 0 } },
        { op: 'ReduceMean', inputs: ['tokens'], outputs: ['text_embeds'], ints: { axes: [1] }, int: { keepdims: 0 } },
      ],
      initializers: [{ name: 'table', dims: [V, 3], data: table }],
      inputs: textInputs,
      outputs: [{ name: 'text_embeds', elemType: FLOAT, dims: ['batch', 3] }],
    }),
  );
  fs.writeFileSync(
    path.join(folder, 'onnx', 'vision_model.onnx'),
    encodeOnnxModel({
      nodes: [
        { op: 'ReduceMean', inputs: ['pixel_values'], outputs: ['mean'], ints: { axes: [2, 3] }, int: { keepdims: 0 } },
        { op: 'MatMul', inputs: ['mean', 'proj'], outputs: ['image_embeds'] },
      ],
      initializers: [{ name: 'proj', dims: [3, 3], data: new Float32Array([1, 0, 0, 0, 1, 0, 0, 0, 1]) }],
      inputs: [{ name: 'pixel_values', elemType: FLOAT, dims: ['batch', 3, size, size] }],
      outputs: [{ name: 'image_embeds', elemType: FLOAT, dims: ['batch', 3] }],
    }),
  );
}
