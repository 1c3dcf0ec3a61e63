import { SamflowError } from '../../errors';
import type { ModelFamilyName } from '../SamModel';
import type { ModelFamily } from './ModelFamily';
import { sam1Family } from './sam1Family';
import { sam2Family } from './sam2Family';

const FAMILIES: Readonly<Record<ModelFamilyName, ModelFamily>> = { sam1: sam1Family, sam2: sam2Family };

/** The family adapter of a spec or manifest entry (`family` absent = 'sam1'); MODEL_INVALID naming `subject` for an unknown one. */
export function familyOf(family: string | undefined, subject = 'model'): ModelFamily {
  const f = FAMILIES[(family ?? 'sam1') as ModelFamilyName];
  if (!f || !Object.hasOwn(FAMILIES, family ?? 'sam1')) {
    throw new SamflowError('MODEL_INVALID', `${subject}: unknown model family ${JSON.stringify(family)}; known: ${Object.keys(FAMILIES).join(', ')}`, subject);
  }
  return f;
}
