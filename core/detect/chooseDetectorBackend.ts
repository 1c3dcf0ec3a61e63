import { SamflowError } from '../errors';
import type { DetectorBackend } from './Detection';

/** What a caller may ask for: a backend, or 'auto' (tfjs-node when installed, else wasm). */
export type DetectorBackendRequest = DetectorBackend | 'auto';

/** Finds a module's entry file or returns undefined (injectable so tests can pretend tfjs-node exists). */
export type ModuleResolver = (id: string) => string | undefined;

export const nodeModuleResolver: ModuleResolver = (id) => {
  try {
    return require.resolve(id);
  } catch {
    return undefined;
  }
};

/**
 * Picks the tfjs backend. 'auto' uses @tensorflow/tfjs-node when it resolves (native TensorFlow,
 * fastest; samflow never depends on it because it downloads libtensorflow at install), else the
 * bundled wasm backend. Asking for 'tfjs-node' explicitly when it is not installed is an error.
 */
export function chooseDetectorBackend(request: DetectorBackendRequest = 'auto', resolve: ModuleResolver = nodeModuleResolver): DetectorBackend {
  switch (request) {
    case 'auto':
      return resolve('@tensorflow/tfjs-node') !== undefined ? 'tfjs-node' : 'wasm';
    case 'tfjs-node':
      if (resolve('@tensorflow/tfjs-node') === undefined) {
        throw new SamflowError(
          'NOT_AVAILABLE',
          "detector backend 'tfjs-node' was asked for but @tensorflow/tfjs-node is not installed; run `npm install @tensorflow/tfjs-node` (it downloads libtensorflow) or use backend 'auto' / 'wasm'",
        );
      }
      return 'tfjs-node';
    case 'wasm':
    case 'cpu':
      return request;
    default:
      throw new SamflowError('BAD_OPTION', `detector backend must be 'auto', 'tfjs-node', 'wasm' or 'cpu', got ${JSON.stringify(request)}`);
  }
}
