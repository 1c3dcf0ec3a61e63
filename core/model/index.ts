export * from './SamModel';
export * from './manifest';
export * from './loadSamModel';
export * from './encodeImage';
export * from './decodeMasks';
export * from './prepareDerivedModel';
