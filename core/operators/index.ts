export * as operators from './operators';
export type { PromptBatch, EncodedPromptBatch } from './PromptBatch';
export type { DecodeImageOperatorOptions } from './decodeImage';
export type { EncodeImageOperatorOptions } from './encodeImage';
export type { DecodeMasksOperatorOptions } from './decodeMasks';
