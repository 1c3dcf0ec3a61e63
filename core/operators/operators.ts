/**
 * Every RxJS operator by its stage name. Exported from the package as the namespace `operators`
 * (`import { operators } from 'samflow'`), because the pure stage functions already own the
 * top-level names (`encodeImage(model, frame)` vs `operators.encodeImage(model, options)`).
 */
export { decodeImage } from './decodeImage';
export { encodeImage } from './encodeImage';
export { encodePrompts } from './encodePrompts';
export { decodeMasks } from './decodeMasks';
