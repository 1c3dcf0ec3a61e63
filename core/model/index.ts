export * from './SamModel';
export * from './manifest';
export * from './packageRoot';
export * from './fileSha256';
export * from './loadSamModel';
export * from './encodeImage';
export * from './decodeMasks';
export * from './prepareDerivedModel';
