export * from './decodeImage';
export * from './preprocessImage';
export * from './imageFileExtensions';
