/**
 * Every RxJS operator by its stage name. Exported from the package as the namespace `operators`
 * (`import { operators } from 'samflow'`), because the pure stage functions already own the
 * top-level names (`encodeImage(model, frame)` vs `operators.encodeImage(model, options)`).
 * trackMasks and zoneEvents have no pure twin and are exported at the top level too.
 */
export { decodeImage } from './decodeImage';
export { encodeImage } from './encodeImage';
export { decodeMasks } from './decodeMasks';
export { gridPrompts } from './gridPrompts';
export { filterPredictedIou } from './filterPredictedIou';
export { filterStability } from './filterStability';
export { nonMaxSuppression } from './nonMaxSuppression';
export { removeSmallRegions } from './removeSmallRegions';
export { boxesToPrompts } from './boxesToPrompts';
export { toRecords } from './toRecords';
export { renderOverlay } from './renderOverlay';
export { segmentEverything } from './segmentEverything';
export { instanceMasks } from './instanceMasks';
export { clusterJobs } from './clusterJobs';
export { withBackpressure } from '../stream/withBackpressure';
export { trackMasks } from '../stream/trackMasks';
export { zoneEvents } from '../stream/zoneEvents';
