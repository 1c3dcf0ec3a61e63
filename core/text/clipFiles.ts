import * as fs from 'node:fs';
import * as path from 'node:path';
import { SamflowError } from '../errors';

/** The files of a CLIP model folder in the transformers.js layout (e.g. Xenova/clip-vit-base-patch32). */
export interface ClipFiles {
  readonly folder: string;
  readonly tokenizerJson: string;
  readonly tokenizerConfig: string;
  /** preprocessor_config.json (image size, mean, std) when present; CLIP's defaults otherwise. */
  readonly preprocessorConfig: string | undefined;
  readonly textModel: string;
  readonly visionModel: string;
}

/** Text/vision ONNX names transformers.js uses for CLIP, full precision first. */
export const CLIP_TEXT_MODEL_NAMES = ['onnx/text_model.onnx', 'onnx/text_model_quantized.onnx'] as const;
export const CLIP_VISION_MODEL_NAMES = ['onnx/vision_model.onnx', 'onnx/vision_model_quantized.onnx'] as const;

/** How to get a CLIP model onto a machine without internet; part of every "not found" message. */
export function clipDownloadHint(folder: string): string {
  return (
    `On a machine with internet, download from https://huggingface.co/Xenova/clip-vit-base-patch32 the files ` +
    `tokenizer.json, tokenizer_config.json, preprocessor_config.json, onnx/text_model.onnx and onnx/vision_model.onnx ` +
    `(or the *_quantized.onnx pair) into ${folder} keeping the onnx/ sub-folder, ` +
    `e.g. \`huggingface-cli download Xenova/clip-vit-base-patch32 --local-dir ${folder}\`, then copy the folder here.`
  );
}

/** Finds the CLIP files in `folder`; throws SamflowError('MODEL_NOT_FOUND') naming what is missing and how to get it. */
export function findClipFiles(folder: string): ClipFiles {
  const abs = path.resolve(folder);
  if (!fs.existsSync(abs) || !fs.statSync(abs).isDirectory()) {
    throw new SamflowError('MODEL_NOT_FOUND', `CLIP model folder ${abs} does not exist. ${clipDownloadHint(abs)}`, abs);
  }
  const first = (names: readonly string[]) => names.map((n) => path.join(abs, n)).find((f) => fs.existsSync(f));
  const missing: string[] = [];
  const need = (name: string) => {
    const f = path.join(abs, name);
    if (!fs.existsSync(f)) missing.push(name);
    return f;
  };
  const tokenizerJson = need('tokenizer.json');
  const tokenizerConfig = need('tokenizer_config.json');
  const textModel = first(CLIP_TEXT_MODEL_NAMES);
  const visionModel = first(CLIP_VISION_MODEL_NAMES);
  if (!textModel) missing.push(CLIP_TEXT_MODEL_NAMES.join(' or '));
  if (!visionModel) missing.push(CLIP_VISION_MODEL_NAMES.join(' or '));
  if (missing.length > 0 || !textModel || !visionModel) {
    throw new SamflowError('MODEL_NOT_FOUND', `CLIP model folder ${abs} lacks ${missing.join(', ')}. ${clipDownloadHint(abs)}`, abs);
  }
  const pre = path.join(abs, 'preprocessor_config.json');
  return { folder: abs, tokenizerJson, tokenizerConfig, preprocessorConfig: fs.existsSync(pre) ? pre : undefined, textModel, visionModel };
}
